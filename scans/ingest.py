"""Scanned pages into ``raw.scan_files``, ``raw.scan_pages`` and ``raw.scan_paths``.

Every file under the scans folder is identified by the SHA-256 of its content: a content
already read is never read again (renamed or copied files included), so a run costs only
what is new. New contents are read by a pool of worker processes (the pages' decoding is
CPU-bound); only the parent touches DuckDB, writing finished files in batches, each batch
in one transaction so a file's row never exists without its page rows.

The folder is walked without opening anything (``scans.walk``: no link followed out of
it, only regular files read), and every file is hashed and read in a worker process
within a time budget and a memory cap (``scans.pool``): a file that hangs the reader is
stopped and tried again on the next run, the run goes on.

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

import dataclasses
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from ingest import settings
from ingest.clock import local_now
from ingest.contract import RAW_SCHEMA, SCAN_TABLES_BY_NAME, Table, arrow_schema, create_raw_tables
from scans import config
from scans.pool import TaskFailed, TaskPool
from scans.reader import FileResult, FileTask, Hashed, HashTask, Unsettled, hash_file, safe_read, worker_init
from scans.rows import FileRow, PageRow, PathRow
from scans.walk import Found, walk_scans

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


def _signature(path: Path) -> tuple[int, int]:
    """(size, modification time in ns): what tells whether a file changed."""
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def _arrow_rows(table: Table, rows: Sequence[FileRow] | Sequence[PageRow] | Sequence[PathRow]) -> pa.Table:
    """``rows`` as an Arrow table with ``table``'s declared columns, each from its field."""
    schema = arrow_schema(table)
    columns = {name: [getattr(row, name) for row in rows] for name in table.column_names}
    return pa.Table.from_pydict(columns, schema=schema)


def _insert(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    rows: Sequence[FileRow] | Sequence[PageRow] | Sequence[PathRow],
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
    """The folder as found by one run: each path's row, the paths holding each content,
    the contents whose file was hashed anew, each readable path's file and signature."""

    now: datetime
    recorded: dict[str, PathRow]
    rows: dict[str, PathRow] = dataclasses.field(default_factory=dict)
    holders: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    hashed: set[str] = dataclasses.field(default_factory=set)
    targets: dict[str, Path] = dataclasses.field(default_factory=dict)
    signatures: dict[str, tuple[int, int]] = dataclasses.field(default_factory=dict)

    def _first_seen(self, rel_path: str) -> datetime:
        before = self.recorded.get(rel_path)
        return before.first_seen_at if before else self.now

    def failed(self, rel_path: str, error: str) -> None:
        """This run could not hash or read the path: an error row, tried again next run."""
        current = self.rows.get(rel_path)
        if current is not None and rel_path in self.holders.get(current.file_sha256 or "", []):
            self.holders[current.file_sha256 or ""].remove(rel_path)
        before = self.recorded.get(rel_path)
        self.rows[rel_path] = PathRow(
            rel_path,
            before.file_sha256 if before else None,
            None,
            None,
            "error",
            error,
            self._first_seen(rel_path),
            self.now,
            None,
        )
        self.signatures.pop(rel_path, None)

    def holds(self, rel_path: str, sha: str, size: int, modified_ns: int) -> None:
        self.rows[rel_path] = PathRow(
            rel_path, sha, size, modified_ns, "ok", None, self._first_seen(rel_path), self.now, None
        )
        self.signatures[rel_path] = (size, modified_ns)
        self.holders.setdefault(sha, []).append(rel_path)

    def unchanged(self, rel_path: str, size: int, modified_ns: int) -> str | None:
        """The recorded content of a path whose size and mtime are as recorded, else None."""
        before = self.recorded.get(rel_path)
        if before is None or before.status != "ok" or before.file_sha256 is None:
            return None
        return before.file_sha256 if (before.file_size, before.modified_ns) == (size, modified_ns) else None


def _look_at(found: list[Found], walk: _Walk, max_bytes: int) -> list[HashTask]:
    """Record what the walk refused and the unchanged paths; the rest is to be hashed."""
    to_hash: list[HashTask] = []
    for item in found:
        if item.target is None:
            walk.failed(item.rel_path, item.error or f"{item.rel_path}: not read")
            continue
        walk.targets[item.rel_path] = item.target
        try:
            size, modified_ns = _signature(item.target)
        except OSError as exc:
            walk.failed(item.rel_path, f"{item.rel_path}: cannot be looked at: {exc}")
            continue
        sha = walk.unchanged(item.rel_path, size, modified_ns)
        if sha is not None:
            walk.holds(item.rel_path, sha, size, modified_ns)
        else:
            to_hash.append(HashTask(str(item.target), item.rel_path, max_bytes))
    return to_hash


def _unsettled(rel_path: str, outcome: Unsettled | TaskFailed, doing: str) -> str:
    if isinstance(outcome, Unsettled):
        return outcome.error
    return f"{rel_path}: {doing} {outcome.message}; tried again on the next run"


def _settled(result: FileResult, walk: _Walk) -> FileResult | None:
    """The result when its file is as it was when hashed; else None and the path's row says
    it changed (or vanished) while it was read, to be read again on the next run."""
    rel_path = result.file_path
    try:
        same = _signature(walk.targets[rel_path]) == walk.signatures[rel_path]
        error = f"{rel_path}: changed while it was read; read again on the next run"
    except OSError as exc:
        same = False
        error = f"{rel_path}: gone while it was read ({exc}); read again on the next run"
    if same:
        return result
    logger.info("scan %s", error)
    walk.failed(rel_path, error)
    return None


def _removed(walk: _Walk) -> list[PathRow]:
    """Recorded paths this run did not find: removed, since the first run that missed them."""
    return [
        dataclasses.replace(row, status="removed", error=None, removed_at=row.removed_at or walk.now)
        for path, row in walk.recorded.items()
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
    file_timeout: float = settings.SCAN_FILE_TIMEOUT,
    max_file_bytes: int = settings.SCAN_MAX_FILE_MB << 20,
    max_memory_bytes: int = settings.SCAN_MAX_MEMORY_MB << 20,
) -> ScanRun:
    """Read the new files of ``scans_dir`` into the scan tables; see the module docstring."""
    scans_dir = Path(scans_dir)
    if not scans_dir.is_dir():
        raise FileNotFoundError(f"scans folder {scans_dir} does not exist or is not a folder")
    if barcode_pattern:
        re.compile(barcode_pattern)
    create_raw_tables(con)
    report = progress or (lambda message: None)
    walk = _Walk(local_now(), _recorded_paths(con))
    known = dict(con.execute("select file_sha256, status from raw.scan_files").fetchall())
    found = walk_scans(scans_dir)
    to_hash = _look_at(found, walk, max_file_bytes)
    report(f"scans: {len(found)} files in {scans_dir}, {len(to_hash)} new or changed")
    failed = pages = 0
    with TaskPool(
        workers=workers,
        timeout=file_timeout,
        initializer=worker_init,
        initargs=(max_pixels, max_memory_bytes, True),
        in_process_initargs=(max_pixels, 0, False),
        tasks_per_worker=config.FILES_PER_WORKER,
    ) as pool:
        for task, outcome in pool.run(hash_file, to_hash):
            if isinstance(outcome, Hashed):
                walk.holds(task.rel_path, outcome.sha256, outcome.size, outcome.modified_ns)
                walk.hashed.add(outcome.sha256)
            else:
                walk.failed(task.rel_path, _unsettled(task.rel_path, outcome, "hashing"))
        tasks: list[FileTask] = []
        for sha, holders in walk.holders.items():
            holders.sort()
            # A failed content is read again when its file was looked at anew.
            if sha not in known or (known[sha] != "ok" and sha in walk.hashed):
                rel_path = holders[0]
                row = walk.rows[rel_path]
                tasks.append(
                    FileTask(
                        str(walk.targets[rel_path]),
                        rel_path,
                        sha,
                        row.file_size or 0,
                        barcode_pattern,
                        max_pages,
                        max_pixels,
                        max_file_bytes,
                    )
                )
        tasks.sort(key=lambda task: task.rel_path)
        report(f"scans: {len(tasks)} files to read")
        batch: list[FileResult] = []
        for done, (task, outcome) in enumerate(pool.run(safe_read, tasks), start=1):
            result = _settled(outcome, walk) if isinstance(outcome, FileResult) else None
            if result is None:
                if not isinstance(outcome, FileResult):
                    walk.failed(task.rel_path, _unsettled(task.rel_path, outcome, "reading"))
                continue
            batch.append(result)
            pages += sum(1 for page in result.pages if page.is_read)
            failed += result.status != "ok"
            if len(batch) >= config.WRITE_BATCH_FILES:
                _write_batch(con, batch, walk.now)
                batch = []
                report(f"scans: {done}/{len(tasks)} files read")
        if batch:
            _write_batch(con, batch, walk.now)
    failed += sum(1 for row in walk.rows.values() if row.status == "error")
    moved = _relocate_moved(con, walk.holders)
    removed = _removed(walk)
    _write_paths(con, [*walk.rows.values(), *removed])
    newly_removed = sum(1 for row in removed if row.removed_at == walk.now)
    run = ScanRun(
        files_seen=len(found),
        files_new=len(tasks),
        files_failed=failed,
        pages=pages,
        files_removed=newly_removed,
    )
    report(
        f"scans: {run.files_new} files read, {run.files_failed} failed, {run.pages} pages, "
        f"{moved} moved, {newly_removed} removed"
    )
    con.execute(
        "insert into raw.scan_runs (scans_dir, started_at, finished_at, files_seen, files_new, files_failed,"
        " pages, files_removed) values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            str(scans_dir.absolute()),
            walk.now,
            local_now(),
            run.files_seen,
            run.files_new,
            run.files_failed,
            run.pages,
            run.files_removed,
        ],
    )
    logger.info("scans run on %s: %s", scans_dir, run)
    return run
