"""Load one source system into the raw layer: stage, validate, upsert, book-keep.

Per table, in the contract's load order (referenced tables first, so references can be
checked against what this run has just loaded):

1. the source copies the rows into a staging table (``ingest.sources``);
2. ``ingest.validate`` types them and lists every rejected row with its reasons;
3. in one transaction the good rows go into ``raw.<table>``, the rejects into
   ``raw.ingest_rejects`` (one row per rejected row and reason) and the counts into
   ``raw.ingest_runs``, where ``source_rows = loaded_rows + rejected_rows``. CSV lines
   that do not split into the header's columns, or are too long to read, count as read
   and rejected too.

The counts do not rest on the reader alone: every source also counts the rows it holds
independently (a CSV file's records by ``ingest.csv_count``, a database's ``count(*)``),
and a table whose read disagrees with that count fails, so it is never published with a
row silently missing.

Duplicate keys and unique values are settled as ``ingest.validate`` describes, the same in
full and incremental loads. An incremental load may also remove raw rows of earlier loads
(``displaced``: a key whose copies tie, a unique value now held by another row). Such a row
is recorded in ``raw.ingest_rejects`` with ``row_number`` null (it is no row of this load's
source), its reason starting ``<system>.<table> raw row (<key>=…): column …: displaced:``
and its raw row as JSON; it is not counted in ``raw.ingest_runs``, whose counts stay those
of the rows read, and ``TableLoad.displaced_rows`` gives the number.

A failed table records ``source_rows = 0``: nothing of it was read into the warehouse.

A source that can tell a table's file has not changed (``FolderSource.signature``: path,
size, content hash) is not read again when the last load that read the table saw the
same file: the run records the table with mode ``unchanged`` and no rows. A full refresh
reads every file. The bookkeeping that looks back at "the last load" (pending rejects, the
key reconciliation) looks at the last load that read the table.

A table that cannot be read (no file, a missing contract column, a broken connection)
is recorded as ``failed`` with its error and keeps its previous raw contents; the other
tables still load.

A load that replaces a table whole (a table without ``updated_at``, or any table in a
full refresh) may not remove more than the seed's ``shrink_max_share`` of its raw rows:
a truncated export would otherwise empty the table and orphan every row referring to it.
Such a table fails (``ShrinkError``) and keeps its rows, unless the run names it in
``allow_shrink`` (``dangan build --allow-shrink TABLE``).

Incremental loads: a table with ``updated_at`` reads only rows with ``updated_at`` at or
after a start point and upserts them by primary key. The start is the watermark, the
newest ``updated_at`` already in the raw table (so it cannot drift from the data; a full
refresh resets it), less an overlap window (seed ``ingest_limits.overlap_hours``): a row
committed late with an ``updated_at`` older than rows already loaded is still read, as
long as it lands within the window. Rows read again are replaced by themselves. The start
goes further back where the last load rejected a row with an older ``updated_at``: every
rejected row is read and judged again on every load until it loads or its source row is
replaced (``pending_rejects_since``). Tables without ``updated_at`` are replaced on every
load. A source row that is deleted is only removed by a full refresh (the sources give no
deletion feed).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb
import sqlalchemy as sa

from ingest import validate
from ingest.clock import local_now
from ingest.contract import RAW_SCHEMA, UNCHANGED, Table, create_raw_tables, tables_of
from ingest.limits import IngestLimits, read_limits
from ingest.redact import redact
from ingest.sources import Source, SourceError, quote

logger = logging.getLogger(__name__)

STAGE = "ingest_stage"


class ShrinkError(SourceError):
    """A whole-table load would remove more rows than the limit allows; names the table,
    the counts and the override."""


@dataclass(frozen=True)
class TableLoad:
    system: str
    table: str
    source_rows: int
    loaded_rows: int
    rejected_rows: int
    status: str
    error: str | None = None
    displaced_rows: int = 0
    unchanged: bool = False


def watermark(con: duckdb.DuckDBPyConnection, table: Table) -> datetime | None:
    """The newest ``updated_at`` loaded so far (None: nothing loaded yet, read everything)."""
    return con.execute(f"select max(updated_at) from {RAW_SCHEMA}.{table.name}").fetchone()[0]


def pending_rejects_since(con: duckdb.DuckDBPyConnection, table: Table) -> datetime | None:
    """The oldest ``updated_at`` among the rows the table's last successful load rejected.

    Every incremental load reads back at least to it, so each of those rows is read and
    judged again (its parent may have arrived); a row that now loads, or whose source row
    has been replaced by a newer version, drops out of the next load's rejects by itself.
    Rows whose ``updated_at`` cannot be read are read on every load anyway (the sources
    keep them through the ``since`` filter).
    """
    rows = con.execute(
        f"select distinct raw_row from {RAW_SCHEMA}.ingest_rejects "
        "where system = ? and table_name = ? and row_number is not null and run_id = ("
        f"select run_id from {RAW_SCHEMA}.ingest_runs where system = ? and table_name = ? and status = 'ok' "
        f"and mode != '{UNCHANGED}' order by finished_at desc limit 1)",
        [table.system, table.name, table.system, table.name],
    ).fetchall()
    oldest: datetime | None = None
    for (text,) in rows:
        try:
            row = json.loads(text)
        except (TypeError, ValueError):
            continue
        value = next((value for key, value in row.items() if key.lower() == "updated_at"), None)
        try:
            stamp = datetime.fromisoformat(str(value).strip()) if value not in (None, "") else None
        except ValueError:
            stamp = None
        if stamp is not None and (oldest is None or stamp < oldest):
            oldest = stamp
    return oldest


def read_since(con: duckdb.DuckDBPyConnection, table: Table, overlap: timedelta) -> datetime | None:
    """Where an incremental load starts reading: ``overlap`` before the watermark, or
    earlier where a pending reject is older (None: read everything)."""
    newest = watermark(con, table)
    if newest is None:
        return None
    since = newest - overlap
    retry = pending_rejects_since(con, table)
    return min(since, retry) if retry is not None else since


def load_system(
    con: duckdb.DuckDBPyConnection,
    system: str,
    source: Source,
    *,
    run_id: str,
    full_refresh: bool = False,
    progress: Callable[[str], None] | None = None,
    limits: IngestLimits | None = None,
    allow_shrink: Collection[str] = (),
) -> list[TableLoad]:
    """Load every contract table of ``system`` from ``source`` into ``raw.*``.

    Returns one TableLoad per table; a failed table does not raise (its error is in the
    TableLoad and in ``raw.ingest_runs``), so the caller decides what a failure stops.
    ``limits`` default to the seed's; ``allow_shrink`` names the tables a load may shrink
    beyond them.
    """
    create_raw_tables(con)
    limits = limits or read_limits()
    loads = [
        load_table(
            con,
            table,
            source,
            run_id=run_id,
            full_refresh=full_refresh,
            progress=progress,
            limits=limits,
            allow_shrink=allow_shrink,
        )
        for table in tables_of(system)
    ]
    dispose = getattr(source, "dispose", None)
    if dispose is not None:
        dispose()
    return loads


def load_table(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    source: Source,
    *,
    run_id: str,
    full_refresh: bool = False,
    progress: Callable[[str], None] | None = None,
    limits: IngestLimits | None = None,
    allow_shrink: Collection[str] = (),
) -> TableLoad:
    """Load one table; see the module docstring for the steps and the failure rule."""
    limits = limits or read_limits()
    where = f"{table.system}.{table.name}"
    incremental = table.has_updated_at and not full_refresh
    mode = "incremental" if incremental else "full"
    since = read_since(con, table, limits.overlap) if incremental else None
    started = local_now()
    describe = source.describe(table.system, table)
    signature = getattr(source, "signature", lambda table: None)(table)
    if not full_refresh and signature is not None and signature == last_signature(con, table):
        load = TableLoad(table.system, table.name, 0, 0, 0, "ok", unchanged=True)
        _record_run(con, load, run_id, describe, UNCHANGED, started, signature)
        if progress is not None:
            progress(f"{where}: unchanged since the last load, not read again")
        return load
    logger.info("%s: loading (%s%s) from %s", where, mode, f" since {since}" if since else "", describe)
    try:
        staged = source.stage(con, table, STAGE, since=since, progress=progress)
        con.begin()
        try:
            rejected = validate.validate(con, table, STAGE, staged, incremental=incremental)
            if not incremental and table.name not in allow_shrink:
                _guard_shrink(con, table, limits.shrink_max_share)
            loaded = _apply(con, table, incremental=incremental)
            _record_rejects(con, table, run_id)
            displaced = _record_displaced(con, table, run_id)
            if staged.malformed_table is not None:
                _record_malformed(con, table, run_id, staged.malformed_table)
            load = TableLoad(
                table.system,
                table.name,
                staged.rows + staged.malformed_rows,
                loaded,
                rejected + staged.malformed_rows,
                "ok",
                None,
                displaced,
            )
            _record_run(con, load, run_id, describe, mode, started, signature)
            con.commit()
        except BaseException:
            con.rollback()
            raise
    except (SourceError, duckdb.Error, sa.exc.SQLAlchemyError, OSError) as exc:
        error = str(exc) if str(exc).startswith(where) else f"{where}: {exc}"
        # A driver's error may quote its connection string.
        error = redact(error, getattr(source, "secrets", ()))
        logger.error("%s", error)
        load = TableLoad(table.system, table.name, 0, 0, 0, "failed", error)
        _record_run(con, load, run_id, describe, mode, started)
        if progress is not None:
            progress(f"{where}: failed: {error}")
        return load
    finally:
        for name in (
            STAGE,
            f"{STAGE}_malformed",
            f"{STAGE}_csv_rejects",
            f"{STAGE}_scans",
            validate.TYPED,
            validate.REJECTS,
            validate.DISPLACED,
        ):
            con.execute(f"drop table if exists temp.{name}")
    if progress is not None:
        displaced = f", {load.displaced_rows:,} earlier raw rows displaced" if load.displaced_rows else ""
        progress(
            f"{where}: {load.loaded_rows:,} rows loaded, {load.rejected_rows:,} rejected{displaced} ({mode})"
        )
    return load


def _guard_shrink(con: duckdb.DuckDBPyConnection, table: Table, max_share: float) -> None:
    """Refuse a whole-table load that would remove more than ``max_share`` of the raw rows.

    Removed rows are raw keys with no good row in this load, so a truncated export (a
    header-only file) and one whose rows are all rejected are both caught, while a table
    that only grows or changes values passes. The first load of a table has nothing to
    remove.
    """
    raw_table = f"{RAW_SCHEMA}.{table.name}"
    pk = quote(table.primary_key)
    held, removed = con.execute(
        f"select count(*), count(*) filter (where {pk} not in (select {pk} from {validate.TYPED} "
        f"where {pk} is not null and _row not in (select _row from {validate.REJECTS}))) from {raw_table}"
    ).fetchone()
    if held and removed > max_share * held:
        raise ShrinkError(
            f"{table.system}.{table.name}: this load would remove {removed:,} of the {held:,} rows of "
            f"{raw_table} ({removed / held:.0%}), more than the {max_share:.0%} a load may remove "
            "(seed ingest_limits.shrink_max_share); the table keeps its previous rows. If the source "
            f"really holds fewer rows now, build again with --allow-shrink {table.name}"
        )


def _apply(con: duckdb.DuckDBPyConnection, table: Table, *, incremental: bool) -> int:
    """Write the good rows: replace the table, or upsert them by primary key and remove the
    displaced raw rows."""
    raw_table = f"{RAW_SCHEMA}.{table.name}"
    columns = ", ".join(quote(name) for name in table.column_names)
    pk = quote(table.primary_key)
    good = f"from {validate.TYPED} where _row not in (select _row from {validate.REJECTS})"
    if incremental:
        con.execute(
            f"delete from {raw_table} where {pk} in (select {pk} {good}) "
            f"or {pk} in (select _key from {validate.DISPLACED})"
        )
    else:
        con.execute(f"delete from {raw_table}")
    return con.execute(f"insert into {raw_table} ({columns}) select {columns} {good}").fetchone()[0]


def _record_rejects(con: duckdb.DuckDBPyConnection, table: Table, run_id: str) -> None:
    con.execute(
        f"insert into {RAW_SCHEMA}.ingest_rejects "
        "(run_id, system, table_name, row_key, row_number, column_name, reason, raw_row, rejected_at) "
        f"select ?, ?, ?, r._key, r._row, r.column_name, r.reason, to_json(s), ? "
        f"from {validate.REJECTS} as r join {STAGE} as s on s.rowid + 1 = r._row "
        "order by r._row, r.column_name",
        [run_id, table.system, table.name, local_now()],
    )


def _record_displaced(con: duckdb.DuckDBPyConnection, table: Table, run_id: str) -> int:
    """Raw rows of earlier loads this load removed; returns how many (see the module docstring)."""
    con.execute(
        f"insert into {RAW_SCHEMA}.ingest_rejects "
        "(run_id, system, table_name, row_key, row_number, column_name, reason, raw_row, rejected_at) "
        f"select ?, ?, ?, _key, null, column_name, reason, raw_row, ? from {validate.DISPLACED} "
        "order by _key, column_name",
        [run_id, table.system, table.name, local_now()],
    )
    return con.execute(f"select count(*) from {validate.DISPLACED}").fetchone()[0]


def _record_malformed(con: duckdb.DuckDBPyConnection, table: Table, run_id: str, malformed: str) -> None:
    """CSV lines that do not fit the header: one reject per line, the line kept as found.

    ``row_number`` is the data row the line stands at (file line - 1, the header being
    line 1); the reason gives the file line itself. ``row_key`` is known for a line too
    long to read (its key is read from its start), null for the reader's own rejects.
    """
    where = f"{table.system}.{table.name}"
    con.execute(
        f"insert into {RAW_SCHEMA}.ingest_rejects "
        "(run_id, system, table_name, row_key, row_number, column_name, reason, raw_row, rejected_at) "
        "select ?, ?, ?, any_value(row_key), line - 1, null, "
        f"? || ' line ' || line || ' of the CSV file: malformed line, ' || string_agg(error_message, '; '), "
        "to_json({'csv_line': any_value(csv_line)}), ? "
        f"from {malformed} group by line order by line",
        [run_id, table.system, table.name, where, local_now()],
    )


def last_signature(con: duckdb.DuckDBPyConnection, table: Table) -> str | None:
    """The source signature of the last successful load that read ``table``."""
    row = con.execute(
        f"select source_signature from {RAW_SCHEMA}.ingest_runs where system = ? and table_name = ? "
        f"and status = 'ok' and mode != '{UNCHANGED}' order by finished_at desc limit 1",
        [table.system, table.name],
    ).fetchone()
    return row[0] if row else None


def _record_run(
    con: duckdb.DuckDBPyConnection,
    load: TableLoad,
    run_id: str,
    source: str,
    mode: str,
    started: datetime,
    signature: str | None = None,
) -> None:
    con.execute(
        f"insert into {RAW_SCHEMA}.ingest_runs (run_id, system, table_name, source, mode, source_rows, "
        "loaded_rows, rejected_rows, status, error, started_at, finished_at, source_signature) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            load.system,
            load.table,
            source,
            mode,
            load.source_rows,
            load.loaded_rows,
            load.rejected_rows,
            load.status,
            load.error,
            started,
            local_now(),
            signature,
        ],
    )
