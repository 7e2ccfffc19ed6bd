"""Values a lenient reading would bend are rejects: a time of 24:00:00, a year before 1900;
a key with white space around it is the same key, never a second customer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingest.contract import TABLES_BY_NAME
from ingest.load import load_table
from ingest.sources import FolderSource
from tests.ingest.conftest import _rows, good_rows, write_csv

CUSTOMERS = TABLES_BY_NAME["customers"]


@pytest.fixture
def con(customer_parents: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    return customer_parents


def _customer(key: str, opened_on: str = "2020-01-05", updated_at: str = "2026-01-01 08:00:00") -> tuple:
    return (key, "客户", "residential", "low", "single", "路1号", "U1", "S1", opened_on, None, updated_at)


def _load_customers(con, tmp_path: Path, *customers: tuple):
    rows = good_rows()
    rows["customers"] = _rows("customers", *customers)
    return load_table(con, CUSTOMERS, FolderSource(write_csv(tmp_path, rows)), run_id="r")


def _rejects(con) -> list[tuple]:
    return con.execute("select row_key, column_name, reason from raw.ingest_rejects order by all").fetchall()


def test_time_24_00_00_is_rejected_not_read_as_the_next_day(tmp_path: Path, con) -> None:
    load = _load_customers(
        con,
        tmp_path,
        _customer("C1", updated_at="2026-01-01 24:00:00"),
        _customer("C2", updated_at="2026-01-01 23:59:59"),
    )

    assert (load.loaded_rows, load.rejected_rows) == (1, 1)
    assert _rejects(con) == [
        (
            "C1",
            "updated_at",
            'marketing.customers row 1 (cust_no=C1): column updated_at: value "2026-01-01 24:00:00" is not '
            "a timestamp YYYY-MM-DD HH:MM:SS from 1900 on, time 00:00:00-23:59:59",
        )
    ]


def test_year_before_1900_is_rejected(tmp_path: Path, con) -> None:
    load = _load_customers(
        con, tmp_path, _customer("C1", opened_on="0000-01-01"), _customer("C2", opened_on="1900-01-01")
    )

    assert (load.loaded_rows, load.rejected_rows) == (1, 1)
    assert _rejects(con) == [
        (
            "C1",
            "opened_on",
            'marketing.customers row 1 (cust_no=C1): column opened_on: value "0000-01-01" is not '
            "a date YYYY-MM-DD from 1900 on",
        )
    ]
    assert con.execute("select opened_on from raw.customers").fetchall() == [(date(1900, 1, 1),)]


def test_typed_parquet_date_before_1900_is_rejected(tmp_path: Path, con) -> None:
    path = tmp_path / "marketing" / "customers.parquet"
    path.parent.mkdir(parents=True)
    values = [_customer("C1"), _customer("C2")]
    columns = {name: [row[i] for row in values] for i, name in enumerate(CUSTOMERS.column_names)}
    columns["opened_on"] = [date(1, 1, 1), date(2020, 1, 5)]
    pq.write_table(pa.table(columns), path)

    load = load_table(con, CUSTOMERS, FolderSource(tmp_path), run_id="r")

    assert (load.loaded_rows, load.rejected_rows) == (1, 1)
    assert [(key, column) for key, column, _ in _rejects(con)] == [("C1", "opened_on")]


def test_key_with_spaces_around_it_is_the_same_customer(tmp_path: Path, con) -> None:
    # An ideographic space (U+3000) before C1 and a space after: both the customer C1.
    load = _load_customers(con, tmp_path, _customer("C1"), _customer("\u3000C1 "), _customer(" C2"))

    assert (load.loaded_rows, load.rejected_rows) == (2, 1)
    assert con.execute("select cust_no from raw.customers order by cust_no").fetchall() == [("C1",), ("C2",)]
    assert [(key, column) for key, column, _ in _rejects(con)] == [("\u3000C1 ", "cust_no")]
