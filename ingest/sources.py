"""Where a source system's tables come from: a folder of files or a SQLAlchemy database.

A source does one thing: copy one contract table, as read, into a DuckDB staging table of
the build connection (``stage``). Typing and validation happen afterwards in SQL
(``ingest.validate``), the same way for every kind of source, so a CSV file, a SQLite
table and a PostgreSQL table holding the same rows load into identical raw tables.

Memory stays bounded whatever the table size: files are read by DuckDB itself
(``read_csv``/``read_parquet`` stream into the buffer-managed staging table), databases
as Arrow record batches of ``batch_rows`` rows (connectorx, or SQLAlchemy's server-side
cursor for the dialects connectorx does not read), each inserted before the next is read.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import tempfile
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol

import connectorx as cx
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

from ingest import csv_count
from ingest.contract import Table
from ingest.redact import redact, redact_url, url_secrets

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
    # How the rows were read (duckdb, connectorx or sqlalchemy) and in how many batches
    # (0 where DuckDB reads the file itself).
    reader: str = "duckdb"
    batches: int = 0
    # Rows the source holds for this read, counted independently of the reader (a CSV
    # file's records, a database's count(*)), and the rows the reader returned before the
    # ``since`` filter; the source raises SourceError where the two disagree.
    counted_rows: int | None = None


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


# Names DuckDB gives a meaning of its own inside a table: a source column so named would
# hide the row id the validator numbers rows by (an Oracle export carries ``ROWID``).
RESERVED_NAMES = frozenset({"rowid"})


def staging_names(found: list[str]) -> list[str]:
    """The names the source's columns get in the staging table, in the same order.

    DuckDB matches names case-insensitively, so ``CUST_NAME`` beside ``cust_name`` could
    not both be staging columns, and a column ``rowid`` would hide the row id. Such a
    column keeps its name with its position added (``rowid (column 3)``); every other
    column keeps its name as found.
    """
    taken = {name.lower() for name in found}
    seen: set[str] = set()
    names = []
    for position, name in enumerate(found, start=1):
        candidate = name
        if not name or name.lower() in RESERVED_NAMES or name.lower() in seen:
            candidate = f"{name} (column {position})"
            while candidate.lower() in taken or candidate.lower() in seen:
                candidate += "'"
        seen.add(candidate.lower())
        names.append(candidate)
    return names


def match_columns(table: Table, found: list[str], where: str) -> tuple[dict[str, str], list[str], list[str]]:
    """Map contract columns to the source's columns; a missing one stops this table.

    Returns the contract column -> staging column map, the staging columns the load
    ignores, and every staging column name in the source's order (``staging_names``).
    Names match case-insensitively; where several columns match, the one spelt exactly as
    the contract wins, and without one the table stops (which is meant is not clear).
    """
    staged = staging_names(found)
    columns: dict[str, str] = {}
    missing = []
    for name in table.column_names:
        exact = [index for index, other in enumerate(found) if other == name]
        alike = [index for index, other in enumerate(found) if other.lower() == name.lower()]
        if exact:
            columns[name] = staged[exact[0]]
        elif len(alike) == 1:
            columns[name] = staged[alike[0]]
        elif alike:
            raise SourceError(
                f"{table.system}.{table.name}: columns {', '.join(found[index] for index in alike)} in {where} "
                f"all match contract column {name} by name; name one of them {name} exactly"
            )
        else:
            missing.append(name)
    if missing:
        raise MissingColumnsError(
            f"{table.system}.{table.name}: required column(s) {', '.join(missing)} missing in {where}"
        )
    used = set(columns.values())
    return columns, [name for name in staged if name not in used], staged


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

    def signature(self, table: Table) -> str | None:
        """The table's file as it stands (path, size, content hash): a load may skip a file
        whose signature equals that of the last load that read it (None: no file).

        The content is hashed, not only the size and modification time: a file rewritten
        with other rows of the same size within one tick of the file system's clock would
        otherwise pass for unchanged. Hashing reads the file once, far cheaper than loading it.
        """
        try:
            path = self.file_for(table)
            with path.open("rb") as file:
                digest = hashlib.file_digest(file, "sha256").hexdigest()
        except (SourceError, OSError):
            return None
        return f"{path.resolve()}|{path.stat().st_size}|{digest}"

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
        if path.suffix == ".parquet":
            try:
                found = pq.read_schema(path).names
            except (OSError, pa.ArrowException) as exc:
                raise SourceError(f"{table.system}.{table.name}: cannot read {path}: {exc}") from exc
            columns, extra, staged = match_columns(table, found, str(path))
            # By position: DuckDB renames columns whose names differ only in case.
            select = ", ".join(
                f"#{position} as {quote(name)}" for position, name in enumerate(staged, start=1)
            )
            self._read(con, table, stage, path, f"(select {select} from read_parquet({literal}))")
            rows = self._keep_since(con, table, stage, columns, since)
            return Staged(rows, columns, extra)
        # The header is read here and the columns given to DuckDB, so no sniffing can
        # misjudge a file; lines that do not fit are kept aside (store_rejects).
        found = _csv_header(path, table)
        columns, extra, staged = match_columns(table, found, str(path))
        types = ", ".join(f"{_sql_text(name)}: 'VARCHAR'" for name in staged)
        reader = (
            f"read_csv({literal}, header = true, auto_detect = false, columns = {{{types}}}, "
            "delim = ',', quote = '\"', escape = '\"', encoding = 'utf-8', "
            f"max_line_size = {csv_count.MAX_RECORD_BYTES}, store_rejects = true, "
            f"rejects_scan = '{stage}_scans', rejects_table = '{stage}_csv_rejects')"
        )
        counted = csv_count.count_records(path)
        if counted.long_records or counted.mixed_line_ends:
            with tempfile.TemporaryDirectory(prefix="dangan-csv-") as folder:
                copy = csv_count.normalised_copy(path, counted.long_records, Path(folder) / path.name)
                read_rows = self._read(
                    con, table, stage, path, reader.replace(literal, _sql_text(str(copy)), 1)
                )
        else:
            read_rows = self._read(con, table, stage, path, reader)
        malformed_table = f"{stage}_malformed"
        malformed = _malformed_lines(
            con, table, path, staged.index(columns[table.primary_key]), counted, malformed_table, stage
        )
        if read_rows + malformed != counted.data_records:
            raise SourceError(
                f"{table.system}.{table.name}: {path} holds {counted.data_records:,} data records but the "
                f"CSV reader returned {read_rows:,} rows and {malformed:,} malformed lines; "
                "not loading a table that may have lost rows"
            )
        rows = self._keep_since(con, table, stage, columns, since)
        return Staged(rows, columns, extra, malformed, malformed_table, counted_rows=counted.data_records)

    @staticmethod
    def _read(con: duckdb.DuckDBPyConnection, table: Table, stage: str, path: Path, reader: str) -> int:
        """Every row of the file into the staging table; returns how many."""
        try:
            con.execute(f"create or replace temp table {stage} as select * from {reader}")
        except duckdb.Error as exc:
            raise SourceError(f"{table.system}.{table.name}: cannot read {path}: {exc}") from exc
        return con.execute(f"select count(*) from {stage}").fetchone()[0]

    @staticmethod
    def _keep_since(
        con: duckdb.DuckDBPyConnection,
        table: Table,
        stage: str,
        columns: dict[str, str],
        since: datetime | None,
    ) -> int:
        """Keep the rows an incremental load reads (all of them otherwise); returns how many.

        Rows whose updated_at cannot be read are kept: the validator rejects them visibly
        instead of the filter dropping them silently. The whole file was staged first, so
        that its rows could be counted against the file's records.
        """
        if since is not None and table.has_updated_at:
            updated = quote(columns["updated_at"])
            con.execute(
                f"create or replace temp table {stage} as select * from {stage} "
                f"where coalesce(try_cast({updated} as timestamp) >= {_since_literal(since)}, true)"
            )
        return con.execute(f"select count(*) from {stage}").fetchone()[0]


def _malformed_lines(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    path: Path,
    key_index: int,
    counted: csv_count.CsvCount,
    malformed: str,
    stage: str,
) -> int:
    """Gather the lines that did not become rows into ``malformed`` (line, row_key,
    error_message, csv_line); returns how many lines.

    The reader's own rejects come first; a record longer than the reader's limit is
    rejected here instead, whatever the reader made of it (a reject without its key, or
    nothing at all), with its key read from the record's start where it can be.
    """
    con.execute(
        f"create or replace temp table {malformed} "
        "(line bigint, row_key varchar, error_message varchar, csv_line varchar)"
    )
    long_lines = [record.line for record in counted.long_records]
    con.execute(
        f"insert into {malformed} select line, null, error_message, csv_line from {stage}_csv_rejects "
        f"where not list_contains(?, line)",
        [long_lines],
    )
    for record in counted.long_records:
        prefix = csv_count.record_prefix(path, record)
        whole = record.length <= len(prefix.encode("utf-8"))
        key = csv_count.field_from_prefix(prefix, key_index, whole)
        con.execute(
            f"insert into {malformed} values (?, ?, ?, ?)",
            [
                record.line,
                key[:200] if key is not None else None,
                f"the line is {record.length:,} bytes, longer than the {csv_count.MAX_RECORD_BYTES:,} "
                "bytes a line may hold",
                prefix[:1000] + "…",
            ],
        )
    for name in (f"{stage}_csv_rejects", f"{stage}_scans"):
        con.execute(f"drop table if exists temp.{name}")
    return con.execute(f"select count(distinct line) from {malformed}").fetchone()[0]


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


# SQLAlchemy dialects connectorx reads, and the scheme of its connection string for each.
CONNECTORX_SCHEMES = {
    "sqlite": "sqlite",
    "postgresql": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
    "oracle": "oracle",
    "mssql": "mssql",
}
Reader = Literal["auto", "connectorx", "sqlalchemy"]
READERS: tuple[Reader, ...] = ("auto", "connectorx", "sqlalchemy")
# A first row the SQLite query always yields (see DatabaseSource._connectorx_query); the
# column marks it so that it is never inserted.
PROBE_COLUMN = "__dangan_probe"


def connectorx_url(url: sa.URL) -> str | None:
    """The connectorx connection string for a SQLAlchemy URL, or None where connectorx cannot
    read the database (another dialect, an in-memory or URI-style SQLite database)."""
    scheme = CONNECTORX_SCHEMES.get(url.get_backend_name())
    if scheme is None:
        return None
    if scheme == "sqlite":
        database = url.database or ""
        if database in ("", ":memory:") or database.startswith("file:") or url.query:
            return None
        return "sqlite://" + urllib.parse.quote(str(Path(database).resolve()))
    return url.set(drivername=scheme).render_as_string(hide_password=False)


class DatabaseSource:
    """Tables of one source system in a database reachable by a SQLAlchemy URL.

    Every column is cast to text on the server (``CAST(c AS VARCHAR)``), so values reach
    the validator in one representation whatever the driver's types, and a loosely typed
    SQLite column (text in an INTEGER column) is the validator's reject, not a read error.

    Rows are read by connectorx as Arrow record batches of ``batch_rows`` rows for the
    dialects it supports (SQLite, PostgreSQL, MySQL, Oracle, SQL Server): on SQLite it
    stages tables 2-3 times faster than fetching Python row tuples (BENCHMARKS.md).
    SQLAlchemy still finds the tables and columns, renders the query in the database's
    dialect, and reads every other dialect (or any database with ``reader="sqlalchemy"``)
    through a server-side cursor (``stream_results``) in batches of ``batch_rows``. Either
    way each batch is inserted into the staging table as it arrives, so memory is bounded
    by the batch; connectorx reads on its own thread and queues batches without a limit,
    so its bound holds while the inserts keep pace with the reader (they do: an insert
    takes less time than reading its batch).
    """

    def __init__(
        self,
        url: str,
        schema: str | None = None,
        *,
        batch_rows: int = DEFAULT_BATCH_ROWS,
        reader: Reader = "auto",
    ) -> None:
        if reader not in READERS:
            raise ValueError(f"reader must be one of {', '.join(READERS)}, not {reader!r}")
        self.url = url
        self.schema = schema
        self.batch_rows = batch_rows
        self._connectorx_url = connectorx_url(sa.make_url(url))
        if reader == "connectorx" and self._connectorx_url is None:
            raise ValueError(f"connectorx cannot read {self._safe_url()}")
        self.reader = "connectorx" if reader != "sqlalchemy" and self._connectorx_url else "sqlalchemy"
        self._engine: sa.Engine | None = None

    def __repr__(self) -> str:
        return f"DatabaseSource({self._safe_url()!r})"

    def _safe_url(self) -> str:
        return redact_url(self.url)

    @property
    def secrets(self) -> list[str]:
        """The credentials in the URL, for whoever prints a message about this source."""
        return url_secrets(self.url)

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
        return f"{self._safe_url()} {where}"

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
        columns, extra, staged = match_columns(table, found, self.describe(table.system, table))
        source_table = sa.table(actual, *(sa.column(name) for name in found), schema=self.schema)
        texts = [sa.cast(source_table.c[name], sa.String).label(name) for name in found]
        where = None
        if since is not None and table.has_updated_at:
            as_found = dict(zip(staged, found, strict=True))
            where = self._since_clause(source_table.c[as_found[columns["updated_at"]]], since)
        con.execute(
            f"create or replace temp table {stage} ({', '.join(f'{quote(name)} varchar' for name in staged)})"
        )
        counted = self._count(source_table, where)
        if self.reader == "connectorx":
            rows, batches = self._stage_connectorx(con, table, stage, found, texts, where, progress)
        else:
            rows, batches = self._stage_rows(con, table, stage, found, texts, where, progress)
        if rows != counted:
            # The table may have changed while it was read: what it holds now must then
            # match what was read, else a row went missing on the way.
            recounted = self._count(source_table, where)
            if rows != recounted:
                raise SourceError(
                    f"{table.system}.{table.name}: {self.describe(table.system, table)} holds "
                    f"{counted:,} rows (then {recounted:,}) but {rows:,} were read; "
                    "not loading a table that may have lost rows"
                )
            counted = recounted
        return Staged(rows, columns, extra, reader=self.reader, batches=batches, counted_rows=counted)

    def _count(self, source_table: sa.TableClause, where: sa.ColumnElement[bool] | None) -> int:
        """The rows the read will return, counted by the database itself."""
        query = sa.select(sa.func.count()).select_from(source_table)
        if where is not None:
            query = query.where(where)
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one()

    def _connectorx_query(self, texts: list[sa.Label], where: sa.ColumnElement[bool] | None) -> str:
        """The read as SQL text in the database's dialect, values inlined.

        connectorx types a SQLite column without a declared type (an expression such as the
        text cast) by the value in the first row and fails on a null there, so the SQLite
        query starts with a row of empty strings, marked by ``PROBE_COLUMN`` and left out
        of the insert.
        """
        query: sa.Select | sa.CompoundSelect = sa.select(*texts)
        if where is not None:
            query = query.where(where)
        if self.engine.dialect.name == "sqlite":
            probe = sa.select(
                sa.literal(1).label(PROBE_COLUMN),
                *(sa.literal("", sa.String).label(text.name) for text in texts),
            )
            body = sa.select(sa.literal(0), *texts)
            if where is not None:
                body = body.where(where)
            query = sa.union_all(probe, body)
        return str(query.compile(dialect=self.engine.dialect, compile_kwargs={"literal_binds": True}))

    def _stage_connectorx(
        self,
        con: duckdb.DuckDBPyConnection,
        table: Table,
        stage: str,
        found: list[str],
        texts: list[sa.Label],
        where: sa.ColumnElement[bool] | None,
        progress: Callable[[str], None] | None,
    ) -> tuple[int, int]:
        query = self._connectorx_query(texts, where)
        probe = self.engine.dialect.name == "sqlite"
        # By position: the staging columns may be named apart from the source's (staging_names).
        first = 2 if probe else 1
        select = ", ".join(f"#{position}" for position in range(first, first + len(found)))
        insert = f"insert into {stage} select {select} from ingest_batch"
        if probe:
            insert += f" where {quote(PROBE_COLUMN)} = 0"
        rows = batches = 0
        try:
            reader = cx.read_sql(
                self._connectorx_url, query, return_type="arrow_stream", batch_size=self.batch_rows
            )
            for batch in reader:
                if batch.num_rows == 0:
                    continue
                con.register("ingest_batch", batch)
                try:
                    rows += con.execute(insert).fetchone()[0]
                finally:
                    con.unregister("ingest_batch")
                batches += 1
                if progress is not None and batches % 10 == 0:
                    progress(f"{table.system}.{table.name}: {rows:,} rows read")
        except (RuntimeError, ValueError, OSError, pa.ArrowException) as exc:
            raise self._read_error(table, exc) from None
        except BaseException as exc:
            # A value connectorx cannot convert while reading (invalid UTF-8 in a SQLite text,
            # say) ends its reader thread with a Rust panic, raised here as PanicException,
            # which derives from BaseException.
            if type(exc).__name__ != "PanicException":
                raise
            raise self._read_error(table, exc) from None
        return rows, batches

    def _read_error(self, table: Table, exc: BaseException) -> SourceError:
        # connectorx messages may quote its connection string: the password never goes on.
        message = redact(str(exc), self.secrets)
        return SourceError(
            f"{table.system}.{table.name}: cannot read {self.describe(table.system, table)}: {message}"
        )

    def _stage_rows(
        self,
        con: duckdb.DuckDBPyConnection,
        table: Table,
        stage: str,
        found: list[str],
        texts: list[sa.Label],
        where: sa.ColumnElement[bool] | None,
        progress: Callable[[str], None] | None,
    ) -> tuple[int, int]:
        """Python row tuples through a server-side cursor, handed to DuckDB as Arrow."""
        query = sa.select(*texts)
        if where is not None:
            query = query.where(where)
        schema = pa.schema([pa.field(name, pa.string()) for name in found])
        rows = batches = 0
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
                batches += 1
                if progress is not None and batches % 10 == 0:
                    progress(f"{table.system}.{table.name}: {rows:,} rows read")
        return rows, batches

    def _since_clause(self, updated: sa.ColumnClause, since: datetime) -> sa.ColumnElement[bool]:
        if self.engine.dialect.name == "sqlite":
            # SQLite keeps timestamps as text: compare normalised text, and keep rows whose
            # value is not a timestamp so that the validator rejects them visibly.
            normalised = sa.func.datetime(updated)
            return sa.or_(
                normalised >= sa.literal(since.strftime(TIMESTAMP_FORMAT), sa.String), normalised.is_(None)
            )
        return updated >= sa.literal(since, sa.DateTime)
