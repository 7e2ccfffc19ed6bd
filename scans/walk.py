"""Find the files of a scans folder without leaving it and without opening anything.

A shared scans folder collects whatever people drop into it, links included. The walk
looks at directory entries only (``lstat``): it descends into real sub-folders, never
into a linked one, and a symbolic link is followed only when its target is a regular
file inside the folder (it is then a second path to that file). A link pointing out of
the folder (another disk, ``/proc``, ``/dev/zero``), a named pipe, a socket or a device is
listed with the reason it is not read, so every path is accounted for and none of them is
opened: a device or a pipe opened by the reader could block it for good.
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Found:
    """One path of the folder: ``target`` is the regular file to read (the path itself, or
    the file a link inside the folder points to), None with ``error`` when it is not read."""

    rel_path: str
    target: Path | None
    error: str | None = None


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _linked(entry: os.DirEntry[str], rel_path: str, root: Path) -> Found | None:
    """A symbolic link: its target when that is a regular file inside the root; None for a
    link to a folder inside the root (its files are found under their own paths)."""
    target = Path(os.path.realpath(entry.path))
    if not target.is_relative_to(root):
        return Found(
            rel_path, None, f"{rel_path}: symbolic link to {target}, outside the scans folder: not followed"
        )
    try:
        mode = target.stat().st_mode
    except OSError as exc:
        return Found(rel_path, None, f"{rel_path}: broken symbolic link to {target}: {exc}")
    if stat.S_ISDIR(mode):
        return None
    if not stat.S_ISREG(mode):
        return Found(rel_path, None, f"{rel_path}: symbolic link to {_kind(mode)} ({target}): not read")
    return Found(rel_path, target)


def walk_scans(scans_dir: Path) -> list[Found]:
    """Every path under ``scans_dir`` that is not a folder, sorted by relative path."""
    root = Path(os.path.realpath(scans_dir))
    found: list[Found] = []
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            rel_folder = folder.relative_to(root).as_posix()
            logger.warning("scans sub-folder %s cannot be listed: %s", rel_folder, exc)
            found.append(Found(rel_folder, None, f"{rel_folder}: folder cannot be listed: {exc}"))
            continue
        for entry in entries:
            rel_path = Path(entry.path).relative_to(root).as_posix()
            try:
                if entry.is_symlink():
                    linked = _linked(entry, rel_path, root)
                    if linked is not None:
                        found.append(linked)
                    continue
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError as exc:
                found.append(Found(rel_path, None, f"{rel_path}: cannot be looked at: {exc}"))
                continue
            if stat.S_ISDIR(mode):
                folders.append(Path(entry.path))
            elif stat.S_ISREG(mode):
                found.append(Found(rel_path, Path(entry.path)))
            else:
                found.append(
                    Found(rel_path, None, f"{rel_path}: {_kind(mode)}, not a regular file: not read")
                )
    return sorted(found, key=lambda item: item.rel_path)
