"""The published warehouse: build on a private copy, publish atomically, read read-only.

Layout for a warehouse path ``W`` (e.g. ``data/warehouse.duckdb``):

- ``W`` is a symbolic link to the published version ``W.versions/<version>.duckdb``;
  analysts and the dashboard open ``W`` read-only and always see one whole build.
- A build copies the published version (if any) to ``W.build/<run>.duckdb``, works on
  that copy, checkpoints and closes it, then :func:`publish` moves it into
  ``W.versions/`` and swaps the link with an atomic ``rename``.
- A failed or killed build leaves only its private copy behind; the published file is
  never opened read-write. Such leftovers are removed after a later publish
  (:func:`remove_stale_builds`).
- Under Dagster every step of a run asks for :func:`run_build_copy` with the run id and
  gets the same private file, so a run is one build however many steps it has.

Why: DuckDB lets one read-write process lock out every other process, data can sit in
the WAL until a checkpoint, and Python's DuckDB caches an open database per path. A new
file per version, opened read-only and keyed on its version, avoids all three.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import uuid
from pathlib import Path

import duckdb

from ingest.clock import local_now

logger = logging.getLogger(__name__)

KEEP_VERSIONS = 3


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
    """A private read-write copy of the published warehouse (empty file if none yet)."""
    warehouse = Path(warehouse)
    run_id = run_id or uuid.uuid4().hex[:12]
    work = build_dir(warehouse) / f"{local_now():%Y%m%dT%H%M%S}-{run_id}.duckdb"
    work.parent.mkdir(parents=True, exist_ok=True)
    source = published_file(warehouse)
    if source is not None:
        shutil.copyfile(source, work)
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

    Builds run one at a time (Dagster pool of size 1), so a copy older than any build
    takes belongs to a build that died; it is never published and only takes space.
    """
    removed: list[Path] = []
    folder = build_dir(Path(warehouse))
    if not folder.exists():
        return removed
    cutoff = time.time() - older_than_s
    for leftover in folder.glob("*.duckdb*"):
        if leftover.stat().st_mtime < cutoff:
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
    if removed:
        logger.info("removed %d stale build copies under %s", len(removed), folder)
    return removed


def finalize(build_file: Path) -> None:
    """Checkpoint so that nothing is left in the WAL, then the caller may publish."""
    con = duckdb.connect(str(build_file))
    try:
        con.execute("checkpoint")
    finally:
        con.close()


def publish(build_file: Path, warehouse: Path) -> Path:
    """Move a finished build into the versions folder and point the warehouse path at it."""
    warehouse = Path(warehouse)
    build_file = Path(build_file)
    finalize(build_file)
    wal = build_file.with_name(build_file.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"build file {build_file} still has a WAL after checkpoint; not publishing")
    target_dir = versions_dir(warehouse)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / build_file.name
    build_file.replace(target)
    target.chmod(0o640)  # the owner writes, the service group reads, nobody else
    if warehouse.exists() and not warehouse.is_symlink():
        # A plain file from an earlier layout: keep it as a version rather than lose it.
        warehouse.replace(target_dir / f"legacy-{uuid.uuid4().hex[:8]}.duckdb")
    link_tmp = warehouse.with_name(f".{warehouse.name}.{uuid.uuid4().hex[:8]}.tmp")
    link_tmp.symlink_to(os.path.relpath(target, warehouse.parent))
    link_tmp.replace(warehouse)
    logger.info("published %s as %s", target.name, warehouse)
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
