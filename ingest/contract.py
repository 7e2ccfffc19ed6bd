"""The input tables of the data contract (CONTRACT.md section 1), as data.

One place states every source table, its columns, types, keys and allowed values: the
loader validates against it, the generator writes in its column order, and the raw layer
of the warehouse is created from it. The raw tables carry exactly these columns.

The tables the scan reader writes (``raw.scan_files``, ``raw.scan_pages``) are declared
here the same way, so their DDL and the Arrow schema their writer uses come from one
statement of their columns too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

SYSTEMS = ("marketing", "archive")

DUCKDB_TYPES = {
    "text": "VARCHAR",
    "int": "BIGINT",
    "bool": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "float": "DOUBLE",
}

# The Arrow type of each DuckDB raw column type, for writers that hand DuckDB Arrow batches.
RAW_ARROW_TYPES = {
    "text": pa.string(),
    "int": pa.int64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "float": pa.float64(),
}

RAW_SCHEMA = "raw"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool = False
    allowed: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ForeignKey:
    column: str
    table: str
    ref_column: str


@dataclass(frozen=True)
class Table:
    """A raw table: its columns in order and its keys.

    ``primary_key`` is the one column that identifies a row; a table whose rows are
    identified by several columns together (a scanned file's pages) names them in
    ``compound_key`` and leaves ``primary_key`` empty. ``created_column`` is the column
    that says when a row came into being; among rows claiming one ``unique`` value the
    earliest created holds it (ingest.validate).
    """

    system: str
    name: str
    columns: tuple[Column, ...]
    primary_key: str
    unique: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = field(default_factory=tuple)
    compound_key: tuple[str, ...] = ()
    created_column: str = ""

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def key(self) -> tuple[str, ...]:
        """The columns that identify a row, whether one or several."""
        return self.compound_key or (self.primary_key,)

    @property
    def has_updated_at(self) -> bool:
        return "updated_at" in self.column_names

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"table {self.name} has no column {name}")


def _c(name: str, type_: str, *, null: bool = False, allowed: tuple[str, ...] | None = None) -> Column:
    return Column(name, type_, null, allowed)


def _fk(column: str, table: str, ref_column: str | None = None) -> ForeignKey:
    return ForeignKey(column, table, ref_column or column)


POSTS = ("business", "collector", "auditor", "leader")
PROC_STATUSES = ("in_progress", "completed", "cancelled")
CATEGORIES = ("expansion", "inspection", "metering", "billing", "other")

TABLES: tuple[Table, ...] = (
    Table(
        "marketing",
        "supply_units",
        (_c("unit_code", "text"), _c("unit_name", "text")),
        "unit_code",
    ),
    Table(
        "marketing",
        "teams",
        (_c("team_code", "text"), _c("team_name", "text"), _c("unit_code", "text")),
        "team_code",
        foreign_keys=(_fk("unit_code", "supply_units"),),
    ),
    Table(
        "marketing",
        "staff",
        (
            _c("staff_id", "text"),
            _c("staff_name", "text"),
            _c("team_code", "text"),
            _c("post", "text", allowed=POSTS),
            _c("mobile", "text", null=True),
            _c("email", "text", null=True),
            _c("active", "bool"),
        ),
        "staff_id",
        foreign_keys=(_fk("team_code", "teams"),),
    ),
    Table(
        "marketing",
        "customers",
        (
            _c("cust_no", "text"),
            _c("cust_name", "text"),
            _c("cust_class", "text", allowed=("residential", "non_residential")),
            _c("voltage_class", "text", allowed=("low", "high")),
            _c("supply_mode", "text", allowed=("single", "dual")),
            _c("address", "text"),
            _c("unit_code", "text"),
            _c("manager_id", "text", null=True),
            _c("opened_on", "date"),
            _c("closed_on", "date", null=True),
            _c("updated_at", "timestamp"),
        ),
        "cust_no",
        foreign_keys=(_fk("unit_code", "supply_units"), _fk("manager_id", "staff", "staff_id")),
    ),
    Table(
        "marketing",
        "processes",
        (
            _c("proc_id", "text"),
            _c("proc_type", "text"),
            _c("cust_no", "text"),
            _c("unit_code", "text"),
            _c("owner_id", "text"),
            _c("accepted_at", "timestamp"),
            _c("completed_at", "timestamp", null=True),
            _c("status", "text", allowed=PROC_STATUSES),
            _c("updated_at", "timestamp"),
        ),
        "proc_id",
        foreign_keys=(
            _fk("cust_no", "customers"),
            _fk("unit_code", "supply_units"),
            _fk("owner_id", "staff", "staff_id"),
        ),
    ),
    Table(
        "marketing",
        "process_steps",
        (
            _c("step_id", "text"),
            _c("proc_id", "text"),
            _c("seq", "int"),
            _c("node_code", "text"),
            _c("assignee_id", "text"),
            _c("started_at", "timestamp"),
            _c("completed_at", "timestamp", null=True),
            _c("produces_archive", "bool"),
            _c("updated_at", "timestamp"),
        ),
        "step_id",
        foreign_keys=(_fk("proc_id", "processes"), _fk("assignee_id", "staff", "staff_id")),
    ),
    Table(
        "marketing",
        "contracts",
        (
            _c("contract_id", "text"),
            _c("cust_no", "text"),
            _c("signed_on", "date"),
            _c("expires_on", "date"),
            _c("auto_renew", "bool"),
            _c("terminated_on", "date", null=True),
            _c("updated_at", "timestamp"),
        ),
        "contract_id",
        foreign_keys=(_fk("cust_no", "customers"),),
    ),
    Table(
        "archive",
        "archive_steps",
        (
            _c("arch_step_id", "text"),
            _c("step_id", "text"),
            _c("proc_id", "text"),
            _c("created_at", "timestamp"),
            _c("first_doc_at", "timestamp", null=True),
            _c("sent_at", "timestamp", null=True),
            _c("collector_id", "text"),
            _c("reviewed_at", "timestamp", null=True),
            _c("review_result", "text", null=True, allowed=("accepted", "returned")),
            _c("updated_at", "timestamp"),
        ),
        "arch_step_id",
        unique=("step_id",),
        created_column="created_at",
    ),
    Table(
        "archive",
        "documents",
        (
            _c("doc_id", "text"),
            _c("barcode", "text"),
            _c("cust_no", "text"),
            _c("proc_id", "text", null=True),
            _c("step_id", "text", null=True),
            _c("doc_type", "text"),
            _c("category", "text", allowed=CATEGORIES),
            _c("pages", "int"),
            _c("added_at", "timestamp"),
            _c("added_by", "text"),
            _c("updated_at", "timestamp"),
        ),
        "doc_id",
        unique=("barcode",),
        created_column="added_at",
    ),
    Table(
        "archive",
        "paper_handovers",
        (
            _c("handover_id", "text"),
            _c("proc_id", "text"),
            _c("handed_by", "text"),
            _c("received_by", "text"),
            _c("handed_over_at", "timestamp"),
            _c("doc_count", "int"),
        ),
        "handover_id",
    ),
    Table(
        "archive",
        "dossiers",
        (
            _c("dossier_id", "text"),
            _c("barcode", "text"),
            _c("cust_no", "text"),
            _c("proc_id", "text", null=True),
            _c("collector_id", "text"),
            _c("created_at", "timestamp"),
            _c("transferred_at", "timestamp", null=True),
            _c("location", "text", null=True),
        ),
        "dossier_id",
        unique=("barcode",),
        created_column="created_at",
    ),
    Table(
        "archive",
        "borrowings",
        (
            _c("borrow_id", "text"),
            _c("dossier_id", "text"),
            _c("borrower_id", "text"),
            _c("reason", "text"),
            _c("requested_at", "timestamp"),
            _c("approved_by", "text", null=True),
            _c("approved_at", "timestamp", null=True),
            _c("borrowed_at", "timestamp", null=True),
            _c("due_on", "date", null=True),
            _c("returned_at", "timestamp", null=True),
        ),
        "borrow_id",
        foreign_keys=(_fk("dossier_id", "dossiers"),),
    ),
    Table(
        "archive",
        "audit_checks",
        (
            _c("check_id", "text"),
            _c("proc_id", "text"),
            _c("auditor_id", "text"),
            _c("checked_at", "timestamp"),
            _c("result", "text", allowed=("pass", "fail")),
        ),
        "check_id",
    ),
    Table(
        "archive",
        "audit_findings",
        (
            _c("finding_id", "text"),
            _c("check_id", "text"),
            _c("severity", "text", allowed=("important", "general")),
            _c("problem_type", "text"),
            _c("responsible_id", "text"),
            _c("description", "text", null=True),
            _c("rectified_at", "timestamp", null=True),
        ),
        "finding_id",
        foreign_keys=(_fk("check_id", "audit_checks"),),
    ),
)

TABLES_BY_NAME: dict[str, Table] = {table.name: table for table in TABLES}


def tables_of(system: str) -> list[Table]:
    """The contract's tables of one source system, in load order (referenced tables first)."""
    if system not in SYSTEMS:
        raise ValueError(f"unknown source system {system!r}; expected one of {SYSTEMS}")
    return [table for table in TABLES if table.system == system]


FILE_STATUSES = ("ok", "error")
DECODE_STATUSES = ("decoded", "no_barcode", "blank", "error")
# A path of the scans folder: its content known (ok), not readable this time (error: tried
# again on the next run), or no longer there (removed).
PATH_STATUSES = ("ok", "error", "removed")

# What the scan reader records (CONTRACT.md section 1, "scans"): one row per file content
# read, and one per page of it; a file that cannot be read has one page row, page 0, with
# the error; and one row per path found. scans.rows.FileRow, PageRow and PathRow are these
# rows, field for field.
SCAN_TABLES: tuple[Table, ...] = (
    Table(
        "scans",
        "scan_files",
        (
            _c("file_sha256", "text"),
            _c("file_path", "text"),
            _c("file_size", "int"),
            _c("file_format", "text"),
            _c("page_count", "int"),
            _c("status", "text", allowed=FILE_STATUSES),
            _c("error", "text", null=True),
            _c("read_at", "timestamp"),
        ),
        "file_sha256",
    ),
    Table(
        "scans",
        "scan_pages",
        (
            _c("file_sha256", "text"),
            _c("file_path", "text"),
            _c("page_no", "int"),
            _c("width_px", "int", null=True),
            _c("height_px", "int", null=True),
            _c("dpi", "float", null=True),
            _c("barcodes", "text"),
            _c("raw_barcodes", "text"),
            _c("decoder", "text", null=True),
            _c("decode_status", "text", allowed=DECODE_STATUSES),
            _c("is_blank", "bool", null=True),
            _c("sharpness", "float", null=True),
            _c("error", "text", null=True),
        ),
        "",
        foreign_keys=(_fk("file_sha256", "scan_files"),),
        compound_key=("file_sha256", "page_no"),
    ),
    # Every path ever found in the scans folder, whatever became of it: the content it
    # holds (null until it could be hashed), its size and modification time when last
    # looked at (an unchanged path is not hashed again), and when it was first, last seen
    # and found gone. scan_files keeps one row per content; this one per path.
    Table(
        "scans",
        "scan_paths",
        (
            _c("file_path", "text"),
            _c("file_sha256", "text", null=True),
            _c("file_size", "int", null=True),
            _c("modified_ns", "int", null=True),
            _c("status", "text", allowed=PATH_STATUSES),
            _c("error", "text", null=True),
            _c("first_seen_at", "timestamp"),
            _c("last_seen_at", "timestamp"),
            _c("removed_at", "timestamp", null=True),
        ),
        "file_path",
    ),
    # One row per run of the reader: which folder it read (absolute), when, and what it
    # found; build_info names the newest run's folder, so the dashboard finds the scans
    # wherever the data lives.
    Table(
        "scans",
        "scan_runs",
        (
            _c("scans_dir", "text"),
            _c("started_at", "timestamp"),
            _c("finished_at", "timestamp"),
            _c("files_seen", "int"),
            _c("files_new", "int"),
            _c("files_failed", "int"),
            _c("pages", "int"),
            _c("files_removed", "int"),
        ),
        "started_at",
    ),
)

SCAN_TABLES_BY_NAME: dict[str, Table] = {table.name: table for table in SCAN_TABLES}


def raw_ddl(table: Table, schema: str = RAW_SCHEMA) -> str:
    columns = ", ".join(f"{column.name} {DUCKDB_TYPES[column.type]}" for column in table.columns)
    return f"create table if not exists {schema}.{table.name} ({columns})"


def arrow_schema(table: Table) -> pa.Schema:
    """The Arrow schema of ``table``'s raw columns, in order: what a writer registers with
    DuckDB before inserting, so a batch whose column is all null still has its type."""
    return pa.schema(
        [
            pa.field(column.name, RAW_ARROW_TYPES[column.type], nullable=column.nullable)
            for column in table.columns
        ]
    )


# raw.ingest_runs.mode of a table whose source file had not changed since the last load
# that read it (ingest.load): nothing was read.
UNCHANGED = "unchanged"

# Tables of the raw layer that are neither source nor scan tables: load bookkeeping and
# the working-day calendar. Their writers (ingest.load, ingest.calendar) and the dbt
# sources rely on exactly these columns.
RAW_SUPPORT_DDL: dict[str, str] = {
    "ingest_runs": """
        run_id varchar, system varchar, table_name varchar, source varchar, mode varchar,
        source_rows bigint, loaded_rows bigint, rejected_rows bigint, status varchar,
        error varchar, started_at timestamp, finished_at timestamp, source_signature varchar""",
    "ingest_rejects": """
        run_id varchar, system varchar, table_name varchar, row_key varchar,
        row_number bigint, column_name varchar, reason varchar, raw_row varchar,
        rejected_at timestamp""",
    "calendar_days": """
        calendar_date date, is_workday boolean, is_official boolean""",
}


def create_raw_tables(con: duckdb.DuckDBPyConnection, schema: str = RAW_SCHEMA) -> None:
    """Create the (empty) raw layer: one table per contract table and per scan table,
    exactly its columns, plus the support tables of RAW_SUPPORT_DDL."""
    con.execute(f"create schema if not exists {schema}")
    for table in (*TABLES, *SCAN_TABLES):
        con.execute(raw_ddl(table, schema))
    for name, columns in RAW_SUPPORT_DDL.items():
        con.execute(f"create table if not exists {schema}.{name} ({columns})")
    # Added after the first warehouses were built: those get the column on their next build.
    con.execute(f"alter table {schema}.ingest_runs add column if not exists source_signature varchar")
