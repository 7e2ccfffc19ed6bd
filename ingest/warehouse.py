"""The published warehouse: build on a private copy, publish atomically, read read-only.

Layout for a warehouse path ``W`` (e.g. ``data/warehouse.duckdb``):

- ``W`` is a symbolic link to the published version ``W.versions/<version>.duckdb``;
  analysts and the dashboard open ``W`` read-only and always see one whole build.
- A build copies the published version (if any) to ``W.build/<run>.duckdb``, works on
  that copy, checkpoints and closes it, then :func:`publish` moves it into
  ``W.versions/`` and swaps the link with an atomic ``rename``.
- A failed or killed build leaves only its private copy behind; the published file is
  never opened read-write. Such leftovers are removed by the next build that takes the
  lock (nothing else can be building then), and after a later publish
  (:func:`remove_stale_builds`).
- One build at a time per warehouse: the lock file ``W.lock`` names its holder (pid, the
  process's start time, when it was taken, the run). The first build copy of a process
  takes it; a holder whose process is gone (or whose pid now belongs to another process)
  is stale and the lock is taken over. :func:`publish` swaps the link only if the
  published version is still the one the build copied (``<copy>.base``), so two builds
  can never both publish and lose each other's work.
- Under Dagster every step of a run asks for :func:`run_build_copy` with the run id and
  gets the same private file, so a run is one build however many steps it has.

Why: DuckDB lets one read-write process lock out every other process, data can sit in
the WAL until a checkpoint, and Python's DuckDB caches an open database per path. A new
file per version, opened read-only and keyed on its version, avoids all three.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from ingest.clock import local_now

logger = logging.getLogger(__name__)

KEEP_VERSIONS = 3


class WarehouseBusyError(RuntimeError):
    """Another live process holds the warehouse's build lock; the message names it."""


class PublishConflictError(RuntimeError):
    """The published version moved since the build copied it; publishing would lose it."""


@dataclass(frozen=True)
class LockHolder:
    """Who holds a warehouse's build lock: the process (pid and its kernel start time,
    which tells a reused pid apart), when it took the lock and for which run."""

    pid: int
    process_start: str
    started_at: str
    run_id: str

    def describe(self) -> str:
        return f"pid {self.pid} since {self.started_at} (run {self.run_id})"


def lock_file(warehouse: Path) -> Path:
    return Path(warehouse).with_name(Path(warehouse).name + ".lock")


def _process_start(pid: int) -> str | None:
    """The kernel's start time of process ``pid`` (clock ticks since boot), None if no such
    process. Where /proc is missing, "" for a live process (the pid alone must do)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except FileNotFoundError:
        if Path("/proc/self/stat").exists():
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return ""
        return ""
    except OSError:
        return None
    # Field 22; the command name (field 2) may hold spaces, so count from its closing ")".
    return stat.rsplit(")", 1)[1].split()[19]


def _alive(holder: LockHolder) -> bool:
    start = _process_start(holder.pid)
    if start is None:
        return False
    return not (holder.process_start and start and start != holder.process_start)


def _me(run_id: str) -> LockHolder:
    pid = os.getpid()
    return LockHolder(pid, _process_start(pid) or "", f"{local_now():%Y-%m-%d %H:%M:%S}", run_id)


def _is_me(holder: LockHolder) -> bool:
    return holder.pid == os.getpid() and holder.process_start == (_process_start(os.getpid()) or "")


@contextlib.contextmanager
def _guarded(warehouse: Path) -> Iterator[None]:
    """An exclusive flock around reading and changing the lock or the link, so that taking
    a stale lock over, or checking the version and swapping the link, is one step."""
    guard = Path(warehouse).with_name(f".{Path(warehouse).name}.guard")
    guard.parent.mkdir(parents=True, exist_ok=True)
    with guard.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def lock_holder(warehouse: Path) -> LockHolder | None:
    """The holder written in the lock file, or None when there is none (or it is unreadable)."""
    try:
        data = json.loads(lock_file(warehouse).read_text(encoding="utf-8"))
        return LockHolder(
            int(data["pid"]), str(data["process_start"]), str(data["started_at"]), str(data["run_id"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def acquire_lock(warehouse: Path, run_id: str) -> tuple[LockHolder, bool]:
    """Take the warehouse's build lock for this process; returns the holder and whether it
    was taken now (False: this process held it already).

    Raises WarehouseBusyError while another live process holds it. A lock whose holder is
    gone (killed, crashed, its pid reused) is taken over, and a lock file that cannot be
    read counts as gone: it can only be left by a process that died while writing it, as
    the file is written under the guard.
    """
    warehouse = Path(warehouse)
    path = lock_file(warehouse)
    with _guarded(warehouse):
        holder = lock_holder(warehouse)
        if holder is not None and _is_me(holder):
            return holder, False
        if holder is not None and _alive(holder):
            raise WarehouseBusyError(
                f"{warehouse} is being built by {holder.describe()}; one build at a time: try again when "
                f"it has finished (if that process is not a build, remove {path})"
            )
        if path.exists():
            logger.warning(
                "taking over the stale build lock %s (%s)", path, holder.describe() if holder else "?"
            )
        me = _me(run_id)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
        tmp.write_text(json.dumps(asdict(me)), encoding="utf-8")
        tmp.replace(path)
    return me, True


def release_lock(warehouse: Path, run_id: str | None = None) -> bool:
    """Remove the lock if this process holds it (and, given ``run_id``, for that run)."""
    warehouse = Path(warehouse)
    with _guarded(warehouse):
        holder = lock_holder(warehouse)
        if holder is None or not _is_me(holder) or (run_id is not None and holder.run_id != run_id):
            return False
        lock_file(warehouse).unlink(missing_ok=True)
    return True


@contextlib.contextmanager
def build_lock(warehouse: Path, run_id: str) -> Iterator[LockHolder]:
    """Hold the lock for a whole build (``dangan build``), removing dead builds' copies
    when taking it, and any copy still there when a build of this process ends without
    publishing it."""
    holder, taken = acquire_lock(warehouse, run_id)
    if taken:
        remove_build_copies(warehouse)
    try:
        yield holder
    finally:
        if taken:
            remove_build_copies(warehouse)
            release_lock(warehouse)


def remove_build_copies(warehouse: Path, older_than_s: float = 0.0) -> list[Path]:
    """Delete the build copies older than ``older_than_s`` (every one by default); only for
    the lock's holder, when none of them is its own work in progress (a failed build's
    copy, a dead build's copy)."""
    removed: list[Path] = []
    folder = build_dir(Path(warehouse))
    if not folder.exists():
        return removed
    cutoff = time.time() - older_than_s
    for leftover in folder.glob("*.duckdb*"):
        try:
            if older_than_s > 0 and leftover.stat().st_mtime >= cutoff:
                continue
            if leftover.is_dir():
                # DuckDB's spill folder beside a copy (<copy>.tmp), made when a build
                # outgrew its memory_limit; DuckDB removes it when the database closes.
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
        except FileNotFoundError:
            continue  # gone meanwhile (DuckDB closing its spill folder)
        removed.append(leftover)
    if removed:
        logger.info("removed %d build copies left by failed builds under %s", len(removed), folder)
    return removed


def _base_file(build_file: Path) -> Path:
    return build_file.with_name(build_file.name + ".base")


def versions_dir(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".versions")


def build_dir(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".build")


def published_file(warehouse: Path) -> Path | None:
    """The file the warehouse path points to now, or None before the first publish."""
    warehouse = Path(warehouse)
    if warehouse.is_symlink():
        target = Path(os.path.realpath(warehouse))
        return target if target.exists() else None
    return warehouse if warehouse.exists() else None


def published_version(warehouse: Path) -> str | None:
    """A key that changes with every publish: the versioned file's name."""
    target = published_file(warehouse)
    return target.name if target is not None else None


def prepare_build_copy(warehouse: Path, run_id: str | None = None) -> Path:
    """A private read-write copy of the published warehouse (empty file if none yet).

    Takes the build lock for this process first (WarehouseBusyError while another build
    holds it); taking it fresh clears dead builds' copies. The version copied is written
    beside the copy (``<copy>.base``) for :func:`publish` to check.
    """
    warehouse = Path(warehouse)
    run_id = run_id or uuid.uuid4().hex[:12]
    _, taken = acquire_lock(warehouse, run_id)
    if taken:
        remove_build_copies(warehouse)
    work = build_dir(warehouse) / f"{local_now():%Y%m%dT%H%M%S}-{run_id}.duckdb"
    work.parent.mkdir(parents=True, exist_ok=True)
    with _guarded(warehouse):
        source = published_file(warehouse)
        _base_file(work).write_text(json.dumps({"base": source.name if source else None}), encoding="utf-8")
    try:
        if source is not None:
            shutil.copyfile(source, work)
    except OSError:
        # A copy cut short (a full disk) is of no use and only takes the space back.
        work.unlink(missing_ok=True)
        _base_file(work).unlink(missing_ok=True)
        raise
    logger.debug("build copy %s from %s", work, source)
    return work


def run_build_copy(warehouse: Path, run_id: str) -> Path:
    """The build copy of one run, created on first use.

    Every step of a Dagster run asks for its run's copy; the first one makes it, the
    others find it by the run id, so all steps of a run work on one private file.
    """
    warehouse = Path(warehouse)
    existing = sorted(build_dir(warehouse).glob(f"*-{run_id}.duckdb"))
    if existing:
        return existing[-1]
    return prepare_build_copy(warehouse, run_id)


def remove_stale_builds(warehouse: Path, older_than_s: float = 6 * 3600) -> list[Path]:
    """Delete build copies left behind by failed or killed builds.

    Builds run one at a time (the build lock), so a copy older than any build takes
    belongs to a build that died; it is never published and only takes space.
    """
    return remove_build_copies(warehouse, older_than_s)


def finalize(build_file: Path) -> None:
    """Checkpoint so that nothing is left in the WAL, then the caller may publish."""
    con = duckdb.connect(str(build_file))
    try:
        con.execute("checkpoint")
    finally:
        con.close()


def _base_of(build_file: Path) -> str | None:
    """The version a build copy was made from (None: from nothing, or not recorded)."""
    try:
        return json.loads(_base_file(build_file).read_text(encoding="utf-8"))["base"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def publish(build_file: Path, warehouse: Path) -> Path:
    """Move a finished build into the versions folder and point the warehouse path at it.

    Refuses (PublishConflictError) when the published version is no longer the one the
    build copied: another build published meanwhile, and swapping the link would throw
    its work away (frozen months, ingest records). A copy with no record of its base
    counts as made from nothing. Refuses (WarehouseBusyError) while another live process
    holds the build lock. Releases the lock if it was taken for this build's run.
    """
    warehouse = Path(warehouse)
    build_file = Path(build_file)
    finalize(build_file)
    wal = build_file.with_name(build_file.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"build file {build_file} still has a WAL after checkpoint; not publishing")
    base = _base_of(build_file)
    target_dir = versions_dir(warehouse)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / build_file.name
    with _guarded(warehouse):
        holder = lock_holder(warehouse)
        if holder is not None and not _is_me(holder) and _alive(holder):
            raise WarehouseBusyError(
                f"not publishing {build_file.name}: {warehouse} is being built by {holder.describe()}"
            )
        current = published_version(warehouse)
        if current != base:
            raise PublishConflictError(
                f"not publishing {build_file.name}: it was built from version {base or '(none)'} but "
                f"{warehouse} now publishes {current or '(none)'}; publishing would discard that version's "
                "work. Build again."
            )
        build_file.replace(target)
        target.chmod(0o640)  # the owner writes, the service group reads, nobody else
        if warehouse.exists() and not warehouse.is_symlink():
            # A plain file from an earlier layout: keep it as a version rather than lose it.
            warehouse.replace(target_dir / f"legacy-{uuid.uuid4().hex[:8]}.duckdb")
        link_tmp = warehouse.with_name(f".{warehouse.name}.{uuid.uuid4().hex[:8]}.tmp")
        link_tmp.symlink_to(os.path.relpath(target, warehouse.parent))
        link_tmp.replace(warehouse)
    _base_file(build_file).unlink(missing_ok=True)
    logger.info("published %s as %s", target.name, warehouse)
    run_id = build_file.stem.split("-", 1)[1] if "-" in build_file.stem else None
    if run_id:
        release_lock(warehouse, run_id)
    prune(warehouse)
    return target


def prune(warehouse: Path, keep: int = KEEP_VERSIONS) -> None:
    """Remove old versions beyond the newest ``keep``; readers holding one open keep
    reading it (POSIX keeps an unlinked open file alive)."""
    current = published_file(warehouse)
    files = sorted(versions_dir(warehouse).glob("*.duckdb"), key=lambda path: path.stat().st_mtime)
    for old in files[:-keep]:
        if current is not None and old.resolve() == current.resolve():
            continue
        old.unlink(missing_ok=True)


def connect_published(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published version."""
    target = published_file(Path(warehouse))
    if target is None:
        raise FileNotFoundError(f"no published warehouse at {warehouse}; run `dangan build` first")
    return duckdb.connect(str(target), read_only=True)
