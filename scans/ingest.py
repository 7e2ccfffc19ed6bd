"""Scanned pages into ``raw.scan_files``, ``raw.scan_pages`` and ``raw.scan_paths``.

Every file under the scans folder is identified by the SHA-256 of its content: a content
already read is never read again (renamed or copied files included), so a run costs only
what is new. New contents are read by a pool of worker processes (the pages' decoding is
CPU-bound); only the parent touches DuckDB, writing finished files in batches, each batch
in one transaction so a file's row never exists without its page rows.

Every path is accounted for in ``raw.scan_paths``: the content it holds (a copy of a
content read under another path is listed, not read again), or why it could not be read
this time, or that it is gone. A path whose size and modification time are those recorded
is not hashed again. A read counts only when the file is the same before and after it
(size and modification time): a file that vanished or was rewritten while it was read
gets no content row and is read on the next run, once it has settled. A content the
reader could open and judged unreadable (not an image, truncated, beyond the limits) is
recorded with its error and read again whenever its file is looked at anew (a new or
changed path); one bad file never stops the run.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import dataclasses
import hashlib
import logging
import multiprocessing
import re
import sys
import types
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from ingest import settings
from ingest.clock import local_now
from ingest.contract import RAW_SCHEMA, SCAN_TABLES_BY_NAME, Table, arrow_schema, create_raw_tables
from scans import config
from scans.reader import FileResult, FileTask, crashed, safe_read, worker_init
from scans.rows import FileRow, PageRow, PathRow

logger = logging.getLogger(__name__)

SCAN_FILES = SCAN_TABLES_BY_NAME["scan_files"]
SCAN_PAGES = SCAN_TABLES_BY_NAME["scan_pages"]
SCAN_PATHS = SCAN_TABLES_BY_NAME["scan_paths"]


@dataclass(frozen=True)
class ScanRun:
    """What one run did: files found, contents read, failures (a content read with an
    error, or a path that could not be read this time), pages read, paths found gone."""

    files_seen: int
    files_new: int
    files_failed: int
    pages: int
    files_removed: int = 0


class FileChangedError(OSError):
    """A scan file's size or modification time moved while it was being read."""


def _signature(path: Path) -> tuple[int, int]:
    """(size, modification time in ns): what tells whether a file changed."""
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def settled_sha256(path: Path, rel_path: str) -> tuple[str, int, int]:
    """(sha256, size, mtime_ns) of a file that stayed the same while it was hashed."""
    before = _signature(path)
    sha = file_sha256(path)
    if _signature(path) != before:
        raise FileChangedError(f"{rel_path}: changed while it was hashed; read again on the next run")
    return sha, *before


def scan_files(scans_dir: Path) -> list[Path]:
    """Every regular file under ``scans_dir`` at any depth, in a stable order."""
    return sorted(path for path in scans_dir.rglob("*") if path.is_file())


@contextlib.contextmanager
def _bare_main() -> Iterator[None]:
    """Start spawned readers without re-running the caller's ``__main__``.

    A spawned child imports the parent's main module first; the readers need nothing
    from it, and a host that swapped in a script of its own as ``__main__`` (a Streamlit
    page, a notebook) would otherwise run that script in every reader and kill it.
    The pool starts its processes on the first submit, inside this block.
    """
    saved = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if saved is not None:
            sys.modules["__main__"] = saved


def _run_pool(tasks: list[FileTask], workers: int, max_pixels: int) -> Iterator[FileResult]:
    """Results as workers finish; a task whose process died is retried alone, then recorded."""
    if workers > 1 and multiprocessing.current_process().daemon:
        # A daemonic process (some executors run steps that way) may not start children.
        logger.info("scans: running inside a daemonic process; reading files in-process")
        workers = 1
    # Starting a pool costs about a second; a handful of files is read faster in-process.
    if workers <= 1 or len(tasks) < 2 * workers:
        worker_init(max_pixels)
        for task in tasks:
            yield safe_read(task)
        return
    context = multiprocessing.get_context("spawn")
    broken: list[FileTask] = []
    with cf.ProcessPoolExecutor(
        workers, mp_context=context, initializer=worker_init, initargs=(max_pixels,)
    ) as pool:
        with _bare_main():
            futures = {pool.submit(safe_read, task): task for task in tasks}
        for future in cf.as_completed(futures):
            try:
                yield future.result()
            except cf.process.BrokenProcessPool:
                broken.append(futures[future])
    for task in broken:
        with cf.ProcessPoolExecutor(
            1, mp_context=context, initializer=worker_init, initargs=(max_pixels,)
        ) as pool:
            try:
                with _bare_main():
                    future = pool.submit(safe_read, task)
                yield future.result()
            except cf.process.BrokenProcessPool as exc:
                logger.error("scan %s killed its reader process", task.rel_path)
                yield crashed(task, exc)


def _arrow_rows(table: Table, rows: Sequence[FileRow] | Sequence[PageRow]) -> pa.Table:
    """``rows`` as an Arrow table with ``table``'s declared columns, each from its field."""
    schema = arrow_schema(table)
    columns = {name: [getattr(row, name) for row in rows] for name in table.column_names}
    return pa.Table.from_pydict(columns, schema=schema)


def _insert(
    con: duckdb.DuckDBPyConnection, table: Table, rows: Sequence[FileRow] | Sequence[PageRow]
) -> None:
    view = f"{table.name}_batch"
    columns = ", ".join(table.column_names)
    con.register(view, _arrow_rows(table, rows))
    try:
        con.execute(f"insert into {RAW_SCHEMA}.{table.name} ({columns}) select {columns} from {view}")
    finally:
        con.unregister(view)


def _write_batch(con: duckdb.DuckDBPyConnection, results: list[FileResult], read_at: datetime) -> None:
    """Write finished files and their pages in one transaction: a file row never exists
    without its page rows. A content read again (its earlier read failed) replaces its rows."""
    files = [result.file_row(read_at) for result in results]
    pages = [page for result in results for page in result.pages]
    shas = [result.file_sha256 for result in results]
    con.execute("begin transaction")
    try:
        con.execute("delete from raw.scan_pages where file_sha256 in (select unnest(?))", [shas])
        con.execute("delete from raw.scan_files where file_sha256 in (select unnest(?))", [shas])
        _insert(con, SCAN_PAGES, pages)
        _insert(con, SCAN_FILES, files)
        con.execute("commit")
    except duckdb.Error:
        con.execute("rollback")
        raise


def _relocate_moved(con: duckdb.DuckDBPyConnection, holders: dict[str, list[str]]) -> int:
    """Point each read content at a path holding it now when its recorded path no longer
    does (a moved file, or the read one of two copies removed): the smallest such path."""
    moved = 0
    for sha, recorded in con.execute("select file_sha256, file_path from raw.scan_files").fetchall():
        current = holders.get(sha)
        if not current or recorded in current:
            continue
        con.execute("update raw.scan_files set file_path = ? where file_sha256 = ?", [current[0], sha])
        con.execute("update raw.scan_pages set file_path = ? where file_sha256 = ?", [current[0], sha])
        moved += 1
    return moved


def _write_paths(con: duckdb.DuckDBPyConnection, rows: list[PathRow]) -> None:
    """Replace the path table with this run's picture of the folder, in one transaction."""
    con.execute("begin transaction")
    try:
        con.execute("delete from raw.scan_paths")
        if rows:
            _insert(con, SCAN_PATHS, rows)
        con.execute("commit")
    except duckdb.Error:
        con.execute("rollback")
        raise


def _recorded_paths(con: duckdb.DuckDBPyConnection) -> dict[str, PathRow]:
    columns = ", ".join(SCAN_PATHS.column_names)
    return {row[0]: PathRow(*row) for row in con.execute(f"select {columns} from raw.scan_paths").fetchall()}


@dataclass
class _Walk:
    """The folder as found by one run: each path's row, the paths holding each content
    (sorted), the contents whose file was hashed anew, and each path's signature."""

    rows: dict[str, PathRow]
    holders: dict[str, list[str]]
    hashed: set[str]
    signatures: dict[str, tuple[int, int]]


def _walk(
    scans_dir: Path, recorded: dict[str, PathRow], now: datetime, report: Callable[[str], None]
) -> tuple[list[Path], _Walk]:
    paths = scan_files(scans_dir)
    walk = _Walk({}, {}, set(), {})
    for number, path in enumerate(paths, start=1):
        rel_path = path.relative_to(scans_dir).as_posix()
        before = recorded.get(rel_path)
        first_seen_at = before.first_seen_at if before else now
        try:
            size, modified_ns = _signature(path)
            unchanged = (
                before is not None
                and before.status == "ok"
                and before.file_sha256 is not None
                and (before.file_size, before.modified_ns) == (size, modified_ns)
            )
            if unchanged:
                sha = before.file_sha256
            else:
                sha, size, modified_ns = settled_sha256(path, rel_path)
                walk.hashed.add(sha)
        except OSError as exc:
            logger.warning("scan %s cannot be read for hashing: %s", rel_path, exc)
            error = str(exc) if isinstance(exc, FileChangedError) else f"{rel_path}: cannot be read: {exc}"
            walk.rows[rel_path] = PathRow(
                rel_path,
                before.file_sha256 if before else None,
                None,
                None,
                "error",
                error,
                first_seen_at,
                now,
                None,
            )
            continue
        walk.rows[rel_path] = PathRow(rel_path, sha, size, modified_ns, "ok", None, first_seen_at, now, None)
        walk.signatures[rel_path] = (size, modified_ns)
        walk.holders.setdefault(sha, []).append(rel_path)
        if number % 1000 == 0:
            report(f"scans: {number}/{len(paths)} files looked at")
    return paths, walk


def _settled(scans_dir: Path, result: FileResult, walk: _Walk) -> FileResult | None:
    """The result when its file is as it was when hashed; else None and the path's row says
    it changed (or vanished) while it was read, to be read again on the next run."""
    rel_path = result.file_path
    try:
        same = _signature(scans_dir / rel_path) == walk.signatures[rel_path]
        error = f"{rel_path}: changed while it was read; read again on the next run"
    except OSError as exc:
        same = False
        error = f"{rel_path}: gone while it was read ({exc}); read again on the next run"
    if same:
        return result
    logger.info("scan %s", error)
    row = walk.rows[rel_path]
    walk.rows[rel_path] = dataclasses.replace(row, status="error", error=error)
    walk.holders[row.file_sha256].remove(rel_path)
    return None


def _removed(recorded: dict[str, PathRow], walk: _Walk, now: datetime) -> list[PathRow]:
    """Recorded paths this run did not find: removed, since the first run that missed them."""
    return [
        dataclasses.replace(row, status="removed", error=None, removed_at=row.removed_at or now)
        for path, row in recorded.items()
        if path not in walk.rows
    ]


def ingest_scans(
    con: duckdb.DuckDBPyConnection,
    scans_dir: Path,
    *,
    barcode_pattern: str = settings.BARCODE_PATTERN,
    workers: int = 2,
    progress: Callable[[str], None] | None = None,
    max_pages: int = settings.SCAN_MAX_PAGES,
    max_pixels: int = settings.SCAN_MAX_PIXELS,
) -> ScanRun:
    """Read the new files of ``scans_dir`` into the scan tables; see the module docstring."""
    scans_dir = Path(scans_dir)
    if not scans_dir.is_dir():
        raise FileNotFoundError(f"scans folder {scans_dir} does not exist or is not a folder")
    if barcode_pattern:
        re.compile(barcode_pattern)
    create_raw_tables(con)
    report = progress or (lambda message: None)
    now = local_now()
    recorded = _recorded_paths(con)
    known = dict(con.execute("select file_sha256, status from raw.scan_files").fetchall())
    paths, walk = _walk(scans_dir, recorded, now, report)
    tasks: list[FileTask] = []
    for sha, holders in walk.holders.items():
        # A failed content is read again when its file was looked at anew.
        if sha not in known or (known[sha] != "ok" and sha in walk.hashed):
            rel_path = holders[0]
            size = walk.rows[rel_path].file_size or 0
            tasks.append(
                FileTask(
                    str(scans_dir / rel_path), rel_path, sha, size, barcode_pattern, max_pages, max_pixels
                )
            )
    tasks.sort(key=lambda task: task.rel_path)
    report(f"scans: {len(paths)} files in {scans_dir}, {len(tasks)} to read")
    batch: list[FileResult] = []
    failed = pages = 0
    for done, read in enumerate(_run_pool(tasks, workers, max_pixels), start=1):
        result = _settled(scans_dir, read, walk)
        if result is None:
            failed += 1
            continue
        batch.append(result)
        failed += result.status != "ok"
        pages += sum(1 for page in result.pages if page.is_read)
        if len(batch) >= config.WRITE_BATCH_FILES:
            _write_batch(con, batch, now)
            batch = []
            report(f"scans: {done}/{len(tasks)} files read")
    if batch:
        _write_batch(con, batch, now)
    failed += sum(
        1 for row in walk.rows.values() if row.status == "error" and row.file_path not in walk.signatures
    )
    moved = _relocate_moved(con, walk.holders)
    removed = _removed(recorded, walk, now)
    _write_paths(con, [*walk.rows.values(), *removed])
    newly_removed = sum(1 for row in removed if row.removed_at == now)
    run = ScanRun(
        files_seen=len(paths),
        files_new=len(tasks),
        files_failed=failed,
        pages=pages,
        files_removed=newly_removed,
    )
    report(
        f"scans: {run.files_new} files read, {run.files_failed} failed, {run.pages} pages, "
        f"{moved} moved, {newly_removed} removed"
    )
    logger.info("scans run on %s: %s", scans_dir, run)
    return run
