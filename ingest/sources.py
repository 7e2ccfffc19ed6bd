"""Where a source system's tables come from: a folder of files or a SQLAlchemy database.

A source does one thing: copy one contract table, as read, into a DuckDB staging table of
the build connection (``stage``). Typing and validation happen afterwards in SQL
(``ingest.validate``), the same way for every kind of source, so a CSV file, a SQLite
table and a PostgreSQL table holding the same rows load into identical raw tables.

Memory stays bounded whatever the table size: files are read by DuckDB itself
(``read_csv``/``read_parquet`` stream into the buffer-managed staging table), databases
through a server-side cursor in batches of ``batch_rows`` handed to DuckDB as Arrow.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

import duckdb
import pyarrow as pa
import sqlalchemy as sa

from ingest.contract import Table

logger = logging.getLogger(__name__)

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
DEFAULT_BATCH_ROWS = 100_000


class SourceError(RuntimeError):
    """A source table cannot be read; the message names the system, table and location."""


class MissingColumnsError(SourceError):
    """A source table lacks contract columns; the message names the table and the columns."""


@dataclass(frozen=True)
class Staged:
    """What a source copied into the staging table.

    ``columns`` maps each contract column to the staged column holding it (names are
    matched case-insensitively). ``extra_columns`` are the other staged columns: ignored
    by the load, kept only in ``raw_row`` of rejects.
    """

    rows: int
    columns: dict[str, str]
    extra_columns: list[str]
    # CSV lines that could not be split into the header's columns: counted as read and
    # rejected, with the line as found (temp table: line, error_message, csv_line).
    malformed_rows: int = 0
    malformed_table: str | None = None


class Source(Protocol):
    def describe(self, system: str, table: Table) -> str: ...

    def stage(
        self,
        con: duckdb.DuckDBPyConnection,
        table: Table,
        stage: str,
        *,
        since: datetime | None,
        progress: Callable[[str], None] | None = None,
    ) -> Staged: ...


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def match_columns(table: Table, found: list[str], where: str) -> tuple[dict[str, str], list[str]]:
    """Map contract columns to the source's columns; a missing one stops this table."""
    by_lower = {name.lower(): name for name in found}
    missing = [name for name in table.column_names if name.lower() not in by_lower]
    if missing:
        raise MissingColumnsError(
            f"{table.system}.{table.name}: required column(s) {', '.join(missing)} missing in {where}"
        )
    columns = {name: by_lower[name.lower()] for name in table.column_names}
    used = set(columns.values())
    return columns, [name for name in found if name not in used]


def _since_literal(since: datetime) -> str:
    return f"timestamp '{since.strftime(TIMESTAMP_FORMAT)}'"


class FolderSource:
    """``<path>/<system>/<table>.parquet`` or ``.csv`` (Parquet wins when both exist).

    CSV: UTF-8 with optional BOM, header row, comma separated, every field read as text
    (typing is the validator's job, so a bad value becomes a reject, not a read error),
    an empty field is null.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"FolderSource({str(self.path)!r})"

    def file_for(self, table: Table) -> Path:
        folder = self.path / table.system
        for suffix in (".parquet", ".csv"):
            candidate = folder / f"{table.name}{suffix}"
            if candidate.is_file():
                return candidate
        raise SourceError(
            f"{table.system}.{table.name}: no file {table.name}.parquet or {table.name}.csv in {folder}"
        )

    def describe(self, system: str, table: Table) -> str:
        try:
            return str(self.file_for(table))
        except SourceError:
            return str(self.path / system)

    def stage(
        self,
        con: duckdb.DuckDBPyConnection,
        table: Table,
        stage: str,
        *,
        since: datetime | None,
        progress: Callable[[str], None] | None = None,
    ) -> Staged:
        path = self.file_for(table)
        literal = "'" + str(path).replace("'", "''") + "'"
        malformed_table = None
        if path.suffix == ".parquet":
            reader = f"read_parquet({literal})"
            try:
                found = [row[0] for row in con.execute(f"describe select * from {reader}").fetchall()]
            except duckdb.Error as exc:
                raise SourceError(f"{table.system}.{table.name}: cannot read {path}: {exc}") from exc
        else:
            # The header is read here and the columns given to DuckDB, so no sniffing can
            # misjudge a file; lines that do not fit are kept aside (store_rejects).
            found = _csv_header(path, table)
            types = ", ".join(f"{_sql_text(name)}: 'VARCHAR'" for name in found)
            malformed_table = f"{stage}_malformed"
            reader = (
                f"read_csv({literal}, header = true, auto_detect = false, columns = {{{types}}}, "
                "delim = ',', quote = '\"', escape = '\"', encoding = 'utf-8', store_rejects = true, "
                f"rejects_scan = '{stage}_scans', rejects_table = '{malformed_table}')"
            )
        columns, extra = match_columns(table, found, str(path))
        where = ""
        if since is not None and table.has_updated_at:
            # Rows whose updated_at cannot be read are kept: the validator rejects them
            # visibly instead of the filter dropping them silently.
            updated = quote(columns["updated_at"])
            where = f" where coalesce(try_cast({updated} as timestamp) >= {_since_literal(since)}, true)"
        try:
            con.execute(f"create or replace temp table {stage} as select * from {reader}{where}")
        except duckdb.Error as exc:
            raise SourceError(f"{table.system}.{table.name}: cannot read {path}: {exc}") from exc
        rows = con.execute(f"select count(*) from {stage}").fetchone()[0]
        malformed = 0
        if malformed_table is not None:
            malformed = con.execute(f"select count(distinct line) from {malformed_table}").fetchone()[0]
            con.execute(f"drop table if exists temp.{stage}_scans")
        return Staged(rows, columns, extra, malformed, malformed_table)


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _csv_header(path: Path, table: Table) -> list[str]:
    """The header row, read as UTF-8 with an optional BOM."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SourceError(f"{table.system}.{table.name}: cannot read the header of {path}: {exc}") from exc
    if not header:
        raise SourceError(f"{table.system}.{table.name}: {path} is empty (no header row)")
    return header


class DatabaseSource:
    """Tables of one source system in a database reachable by a SQLAlchemy URL.

    Every column is cast to text on the server (``CAST(c AS VARCHAR)``), so values reach
    the validator in one representation whatever the driver's types; rows stream through
    a server-side cursor (``stream_results``) in batches of ``batch_rows``.
    """

    def __init__(self, url: str, schema: str | None = None, *, batch_rows: int = DEFAULT_BATCH_ROWS) -> None:
        self.url = url
        self.schema = schema
        self.batch_rows = batch_rows
        self._engine: sa.Engine | None = None

    def __repr__(self) -> str:
        return f"DatabaseSource({sa.make_url(self.url).render_as_string(hide_password=True)!r})"

    @property
    def engine(self) -> sa.Engine:
        if self._engine is None:
            self._engine = sa.create_engine(self.url)
        return self._engine

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def describe(self, system: str, table: Table) -> str:
        where = f"{self.schema}.{table.name}" if self.schema else table.name
        return f"{sa.make_url(self.url).render_as_string(hide_password=True)} {where}"

    def _columns(self, table: Table) -> tuple[str, list[str]]:
        inspector = sa.inspect(self.engine)
        names = {name.lower(): name for name in inspector.get_table_names(schema=self.schema)}
        actual = names.get(table.name.lower())
        if actual is None:
            raise SourceError(
                f"{table.system}.{table.name}: no table {table.name} in {self.describe(table.system, table)}"
            )
        return actual, [column["name"] for column in inspector.get_columns(actual, schema=self.schema)]

    def stage(
        self,
        con: duckdb.DuckDBPyConnection,
        table: Table,
        stage: str,
        *,
        since: datetime | None,
        progress: Callable[[str], None] | None = None,
    ) -> Staged:
        actual, found = self._columns(table)
        columns, extra = match_columns(table, found, self.describe(table.system, table))
        source_table = sa.table(actual, *(sa.column(name) for name in found), schema=self.schema)
        query = sa.select(*(sa.cast(source_table.c[name], sa.String).label(name) for name in found))
        if since is not None and table.has_updated_at:
            query = query.where(self._since_clause(source_table.c[columns["updated_at"]], since))
        con.execute(
            f"create or replace temp table {stage} ({', '.join(f'{quote(name)} varchar' for name in found)})"
        )
        schema = pa.schema([pa.field(name, pa.string()) for name in found])
        rows = 0
        with self.engine.connect() as connection:
            result = connection.execution_options(
                stream_results=True, max_row_buffer=self.batch_rows
            ).execute(query)
            for batch in result.partitions(self.batch_rows):
                arrays = [pa.array(values, pa.string()) for values in zip(*batch, strict=True)]
                con.register("ingest_batch", pa.Table.from_arrays(arrays, schema=schema))
                try:
                    con.execute(f"insert into {stage} select * from ingest_batch")
                finally:
                    con.unregister("ingest_batch")
                rows += len(batch)
                if progress is not None and rows % (self.batch_rows * 10) == 0:
                    progress(f"{table.system}.{table.name}: {rows:,} rows read")
        return Staged(rows, columns, extra)

    def _since_clause(self, updated: sa.ColumnClause, since: datetime) -> sa.ColumnElement[bool]:
        if self.engine.dialect.name == "sqlite":
            # SQLite keeps timestamps as text: compare normalised text, and keep rows whose
            # value is not a timestamp so that the validator rejects them visibly.
            normalised = sa.func.datetime(updated)
            return sa.or_(
                normalised >= sa.literal(since.strftime(TIMESTAMP_FORMAT), sa.String), normalised.is_(None)
            )
        return updated >= sa.literal(since, sa.DateTime)
