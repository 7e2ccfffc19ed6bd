"""The scan tables as declared in ingest.contract: the rows, the raw tables and what a run writes."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingest.clock import local_now
from ingest.contract import SCAN_TABLES, SCAN_TABLES_BY_NAME, create_raw_tables
from scans.ingest import ingest_scans
from scans.rows import FileRow, PageRow, PathRow
from tests.scans.conftest import PATTERN, SAMPLES

# The raw scan tables exactly as the dbt sources and every existing warehouse know them.
RAW_COLUMNS = {
    "scan_files": [
        ("file_sha256", "VARCHAR"),
        ("file_path", "VARCHAR"),
        ("file_size", "BIGINT"),
        ("file_format", "VARCHAR"),
        ("page_count", "BIGINT"),
        ("status", "VARCHAR"),
        ("error", "VARCHAR"),
        ("read_at", "TIMESTAMP"),
    ],
    "scan_pages": [
        ("file_sha256", "VARCHAR"),
        ("file_path", "VARCHAR"),
        ("page_no", "BIGINT"),
        ("width_px", "BIGINT"),
        ("height_px", "BIGINT"),
        ("dpi", "DOUBLE"),
        ("barcodes", "VARCHAR"),
        ("raw_barcodes", "VARCHAR"),
        ("decoder", "VARCHAR"),
        ("decode_status", "VARCHAR"),
        ("is_blank", "BOOLEAN"),
        ("sharpness", "DOUBLE"),
        ("error", "VARCHAR"),
    ],
    "scan_paths": [
        ("file_path", "VARCHAR"),
        ("file_sha256", "VARCHAR"),
        ("file_size", "BIGINT"),
        ("modified_ns", "BIGINT"),
        ("status", "VARCHAR"),
        ("error", "VARCHAR"),
        ("first_seen_at", "TIMESTAMP"),
        ("last_seen_at", "TIMESTAMP"),
        ("removed_at", "TIMESTAMP"),
    ],
}
ROW_CLASSES = {"scan_files": FileRow, "scan_pages": PageRow, "scan_paths": PathRow}


@pytest.fixture(scope="module")
def read_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, datetime, datetime]:
    """The sample corpus read once in-process: (database, local time before, local time after)."""
    root = tmp_path_factory.mktemp("scan_schema")
    shutil.copytree(SAMPLES, root / "scans")
    db = root / "warehouse.duckdb"
    before = local_now()
    with duckdb.connect(str(db)) as con:
        ingest_scans(con, root / "scans", barcode_pattern=PATTERN, workers=1)
    return db, before, local_now()


def _rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.parametrize("name", sorted(ROW_CLASSES))
def test_row_dataclass_fields_are_the_declared_columns_in_order(name: str) -> None:
    """GIVEN the declaration of a scan table WHEN its row dataclass is compared THEN its
    fields are the table's columns, same names, same order: the writer takes one from the other."""
    fields = [field.name for field in dataclasses.fields(ROW_CLASSES[name])]
    assert fields == SCAN_TABLES_BY_NAME[name].column_names


def test_rows_are_frozen() -> None:
    """GIVEN a file row and a page row as the reader makes them WHEN a field is assigned
    THEN it refuses: a row is a record of what was read."""
    rows = (
        PageRow.unreadable("0" * 64, "a.png", 0, "a.png: broken"),
        FileRow("0" * 64, "a.png", 10, "png", 0, "error", "a.png: broken", local_now()),
    )
    for row in rows:
        with pytest.raises(dataclasses.FrozenInstanceError):
            row.error = None  # type: ignore[misc]


@pytest.mark.parametrize("name", sorted(RAW_COLUMNS))
def test_raw_scan_table_is_created_with_exactly_its_columns_and_types(name: str) -> None:
    """GIVEN an empty warehouse WHEN the raw layer is created from the declarations THEN the
    scan table has the columns and types it always had, in the same order."""
    with duckdb.connect() as con:
        create_raw_tables(con)
        columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw' and table_name = ? order by ordinal_position",
            [name],
        ).fetchall()
    assert columns == RAW_COLUMNS[name]


@pytest.mark.parametrize("table", SCAN_TABLES, ids=lambda table: table.name)
def test_rows_written_keep_the_declared_key_nulls_and_allowed_values(read_corpus, table) -> None:
    """GIVEN the corpus (good, multi-page and hostile files) read into the warehouse WHEN its
    scan rows are checked against the declaration THEN every key is unique, no column
    declared not null holds a null, and every value of an enumerated column is allowed."""
    db, _, _ = read_corpus
    key = ", ".join(table.key)
    total, distinct_keys = _rows(db, f"select count(*), count(distinct ({key})) from raw.{table.name}")[0]
    assert total > 0 and distinct_keys == total
    for column in table.columns:
        if not column.nullable:
            nulls = _rows(db, f"select count(*) from raw.{table.name} where {column.name} is null")[0][0]
            assert nulls == 0, f"raw.{table.name}.{column.name} holds {nulls} nulls"
        if column.allowed:
            values = {row[0] for row in _rows(db, f"select distinct {column.name} from raw.{table.name}")}
            assert values <= set(column.allowed), f"raw.{table.name}.{column.name}: {values}"


def test_pages_belong_to_a_file_row(read_corpus) -> None:
    """GIVEN the corpus read WHEN pages are joined to files by content hash THEN none is orphaned."""
    db, _, _ = read_corpus
    orphans = _rows(
        db,
        "select count(*) from raw.scan_pages as pages "
        "left join raw.scan_files as files using (file_sha256) where files.file_sha256 is null",
    )[0][0]
    assert orphans == 0


def test_read_at_is_local_time_of_the_run(read_corpus) -> None:
    """GIVEN a run between two readings of the local clock (Asia/Shanghai) WHEN its files are
    written THEN they all carry one read_at between the two, not a UTC moment."""
    db, before, after = read_corpus
    stamps = {row[0] for row in _rows(db, "select distinct read_at from raw.scan_files")}
    assert len(stamps) == 1
    (read_at,) = stamps
    assert before <= read_at <= after
