"""Scanned pages into ``raw.scan_files`` and ``raw.scan_pages``.

Every file under the scans folder is identified by the SHA-256 of its content: a content
already in ``raw.scan_files`` is never read again (renamed or copied files included), so a
run costs only what is new. New files are read by a pool of worker processes (the pages'
decoding is CPU-bound); only the parent touches DuckDB, writing finished files in batches,
each batch in one transaction so a file's row never exists without its page rows.

A file that cannot be read is recorded with its error (one page row, page 0, status
``error``) and the run goes on: one bad file never stops the run.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
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
from scans.rows import FileRow, PageRow

logger = logging.getLogger(__name__)

SCAN_FILES = SCAN_TABLES_BY_NAME["scan_files"]
SCAN_PAGES = SCAN_TABLES_BY_NAME["scan_pages"]


@dataclass(frozen=True)
class ScanRun:
    files_seen: int
    files_new: int
    files_failed: int
    pages: int


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


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
    without its page rows."""
    files = [result.file_row(read_at) for result in results]
    pages = [page for result in results for page in result.pages]
    con.execute("begin transaction")
    try:
        _insert(con, SCAN_PAGES, pages)
        _insert(con, SCAN_FILES, files)
        con.execute("commit")
    except duckdb.Error:
        con.execute("rollback")
        raise


def _relocate_moved(
    con: duckdb.DuckDBPyConnection, scans_dir: Path, known: dict[str, str], seen: dict[str, str]
) -> int:
    """Point known contents at their new path when the recorded path is gone (a moved file)."""
    moved = 0
    for sha, current in seen.items():
        recorded = known.get(sha)
        if recorded is None or recorded == current or (scans_dir / recorded).exists():
            continue
        con.execute("update raw.scan_files set file_path = ? where file_sha256 = ?", [current, sha])
        con.execute("update raw.scan_pages set file_path = ? where file_sha256 = ?", [current, sha])
        moved += 1
    return moved


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
    known = dict(
        con.execute("select file_sha256, any_value(file_path) from raw.scan_files group by 1").fetchall()
    )
    paths = scan_files(scans_dir)
    seen: dict[str, str] = {}
    tasks: list[FileTask] = []
    for path in paths:
        try:
            sha = file_sha256(path)
            size = path.stat().st_size
        except OSError as exc:
            logger.warning("scan %s cannot be read for hashing: %s", path, exc)
            continue
        rel_path = path.relative_to(scans_dir).as_posix()
        if sha in seen:
            logger.debug("scan %s has the same content as %s; not read twice", rel_path, seen[sha])
            continue
        seen[sha] = rel_path
        if sha not in known:
            tasks.append(FileTask(str(path), rel_path, sha, size, barcode_pattern, max_pages, max_pixels))
    moved = _relocate_moved(con, scans_dir, known, seen)
    report(f"scans: {len(paths)} files in {scans_dir}, {len(tasks)} new, {moved} moved")
    read_at = local_now()
    batch: list[FileResult] = []
    failed = pages = 0
    for done, result in enumerate(_run_pool(tasks, workers, max_pixels), start=1):
        batch.append(result)
        failed += result.status != "ok"
        pages += sum(1 for page in result.pages if page.is_read)
        if len(batch) >= config.WRITE_BATCH_FILES:
            _write_batch(con, batch, read_at)
            batch = []
            report(f"scans: {done}/{len(tasks)} new files read")
    if batch:
        _write_batch(con, batch, read_at)
    run = ScanRun(files_seen=len(paths), files_new=len(tasks), files_failed=failed, pages=pages)
    report(f"scans: {run.files_new} new files, {run.files_failed} failed, {run.pages} pages")
    logger.info("scans run on %s: %s", scans_dir, run)
    return run
