"""What the contract allows in a source loads: extra columns of any name (``rowid`` too),
names differing only in case, and a CSV file whose lines end in CRLF and LF mixed."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import duckdb
import pytest

from ingest.contract import TABLES_BY_NAME
from ingest.load import load_table
from ingest.sources import DatabaseSource, FolderSource, staging_names
from tests.ingest.conftest import good_rows, write_csv

CUSTOMERS = TABLES_BY_NAME["customers"]


@pytest.fixture
def con(customer_parents: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    return customer_parents


def _customer_rows() -> list[list[str]]:
    """The good customers and a fourth, C9, whose class is not allowed (row 4)."""
    rows = [[value or "" for value in row.values()] for row in good_rows()["customers"]]
    bad = list(rows[0])
    bad[0], bad[2] = "C9", "industrial"
    return [*rows, bad]


def _rejects(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("select row_key, row_number, column_name from raw.ingest_rejects").fetchall()


def test_staging_names_keep_every_column_apart() -> None:
    assert staging_names(["ROWID", "cust_no", "CUST_NO", "", "rowid (column 1)"]) == [
        "ROWID (column 1)'",
        "cust_no",
        "CUST_NO (column 3)",
        " (column 4)",
        "rowid (column 1)",
    ]


def test_csv_with_a_rowid_column_loads_and_rejects_name_the_right_row(tmp_path: Path, con) -> None:
    path = tmp_path / "marketing" / "customers.csv"
    path.parent.mkdir(parents=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ROWID", *CUSTOMERS.column_names])
        writer.writerows([f"AAAx{n}", *row] for n, row in enumerate(_customer_rows()))

    load = load_table(con, CUSTOMERS, FolderSource(tmp_path), run_id="r")

    assert (load.status, load.loaded_rows, load.rejected_rows) == ("ok", 3, 1)
    assert _rejects(con) == [("C9", 4, "cust_class")]


def test_sqlite_table_with_a_rowid_column_loads(tmp_path: Path, con) -> None:
    database = tmp_path / "marketing.sqlite"
    with sqlite3.connect(database) as source:
        names = ", ".join(CUSTOMERS.column_names)
        source.execute(f"create table customers (rowid_ text, {names})")
        source.execute("alter table customers rename column rowid_ to ROWID")
        marks = ", ".join("?" for _ in range(len(CUSTOMERS.column_names) + 1))
        source.executemany(
            f"insert into customers values ({marks})",
            [[f"AAAx{n}", *(value or None for value in row)] for n, row in enumerate(_customer_rows())],
        )

    load = load_table(con, CUSTOMERS, DatabaseSource(f"sqlite:///{database}"), run_id="r")

    assert (load.status, load.loaded_rows, load.rejected_rows) == ("ok", 3, 1)
    assert _rejects(con) == [("C9", 4, "cust_class")]


def test_header_differing_only_in_case_loads_the_column_spelt_as_the_contract(tmp_path: Path, con) -> None:
    path = tmp_path / "marketing" / "customers.csv"
    path.parent.mkdir(parents=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["CUST_NAME", *CUSTOMERS.column_names])
        writer.writerows(["旧名", *row] for row in _customer_rows()[:3])

    load = load_table(con, CUSTOMERS, FolderSource(tmp_path), run_id="r")

    assert (load.status, load.loaded_rows) == ("ok", 3)
    assert con.execute("select cust_name from raw.customers order by cust_no").fetchall() == [
        ("客户一",),
        ("客户二",),
        ("客户三",),
    ]


def test_two_columns_matching_a_contract_column_only_by_case_stop_the_table(tmp_path: Path, con) -> None:
    path = tmp_path / "marketing" / "customers.csv"
    path.parent.mkdir(parents=True)
    names = ["CUST_NAME" if name == "cust_name" else name for name in CUSTOMERS.column_names]
    path.write_text(",".join(["Cust_Name", *names]) + "\n", encoding="utf-8")

    load = load_table(con, CUSTOMERS, FolderSource(tmp_path), run_id="r")

    assert load.status == "failed"
    assert f"columns Cust_Name, CUST_NAME in {path} all match contract column cust_name" in load.error


def test_crlf_file_with_lf_lines_appended_loads_every_line(tmp_path: Path, con) -> None:
    folder = write_csv(tmp_path, good_rows())
    path = folder / "marketing" / "customers.csv"
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write(
            'C7,note,客户七,residential,low,single,"two\r\nlines",U1,S1,2020-01-05,,2026-01-01 08:00:00\n'
        )
        handle.write("C8,note,客户八,residential,low,single,地址,U1,S1,2020-01-05,,2026-01-01 08:00:00\n")

    load = load_table(con, CUSTOMERS, FolderSource(folder), run_id="r")

    assert (load.status, load.loaded_rows, load.rejected_rows) == ("ok", 5, 0)
    # The line break inside the quoted field is data, kept as written; line ends are not.
    assert con.execute(
        "select cust_no, address from raw.customers where cust_no in ('C7', 'C8')"
    ).fetchall() == [
        ("C7", "two\r\nlines"),
        ("C8", "地址"),
    ]
    assert con.execute("select count(*) from raw.customers where updated_at is null").fetchone()[0] == 0
