"""How a database source reads: connectorx Arrow batches for the dialects it supports, the
SQLAlchemy row path for the others (or when asked), both giving the same staged text."""

from __future__ import annotations

import sqlite3
import urllib.parse
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from ingest.contract import SYSTEMS, TABLES_BY_NAME
from ingest.load import load_system
from ingest.sources import DatabaseSource, SourceError, connectorx_url
from tests.ingest.conftest import (
    Rows,
    bad_rows,
    expected_rejects,
    good_rows,
    raw_row_of,
    raw_snapshot,
    rejects_of,
    write_sqlite,
)

STAFF = TABLES_BY_NAME["staff"]
CUSTOMERS = TABLES_BY_NAME["customers"]


def staged(con: duckdb.DuckDBPyConnection, stage: str) -> list[tuple]:
    return con.execute(f"select * from {stage} order by all").fetchall()


def as_tuples(rows: list[dict[str, str | None]]) -> list[tuple]:
    return sorted(tuple(row.values()) for row in rows)


def load(con: duckdb.DuckDBPyConnection, urls: dict[str, str], run_id: str, **source_options) -> dict:
    loads = {}
    for system in SYSTEMS:
        for item in load_system(con, system, DatabaseSource(urls[system], **source_options), run_id=run_id):
            loads[item.table] = item
    return loads


def write_all(base: Path, rows: Rows) -> dict[str, str]:
    return {system: write_sqlite(base / f"{system}.sqlite", rows, system) for system in SYSTEMS}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql+psycopg://etl:pw@db.example:5433/archive",
            "postgresql://etl:pw@db.example:5433/archive",
        ),
        ("postgresql://etl:pw@db.example/archive", "postgresql://etl:pw@db.example/archive"),
        ("mysql+pymysql://etl:pw@db.example:3306/archive", "mysql://etl:pw@db.example:3306/archive"),
        ("mariadb+mariadbconnector://etl:pw@db.example/archive", "mysql://etl:pw@db.example/archive"),
        ("oracle+oracledb://etl:pw@db.example:1521/orcl", "oracle://etl:pw@db.example:1521/orcl"),
        ("mssql+pymssql://etl:pw@db.example:1433/archive", "mssql://etl:pw@db.example:1433/archive"),
        ("sqlite://", None),
        ("sqlite:///:memory:", None),
        ("snowflake://etl:pw@account/archive", None),
    ],
)
def test_sqlalchemy_urls_map_to_connectorx_connection_strings(url: str, expected: str | None) -> None:
    assert connectorx_url(sa.make_url(url)) == expected


def test_a_sqlite_file_path_is_made_absolute_and_quoted(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "源 数据"
    folder.mkdir()
    monkeypatch.chdir(folder)

    expected = "sqlite://" + urllib.parse.quote(f"{folder}/marketing.sqlite")
    assert connectorx_url(sa.make_url("sqlite:///marketing.sqlite")) == expected
    assert "%20" in expected and "%E6%BA%90" in expected


def test_sqlite_is_read_with_connectorx_and_the_sqlalchemy_reader_stages_the_same_text(
    tmp_path: Path,
) -> None:
    rows = good_rows()
    url = write_sqlite(tmp_path / "marketing.sqlite", rows, "marketing")
    con = duckdb.connect()
    fast = DatabaseSource(url).stage(con, CUSTOMERS, "fast", since=None)
    rows_path = DatabaseSource(url, reader="sqlalchemy").stage(con, CUSTOMERS, "slow", since=None)

    assert (fast.reader, rows_path.reader) == ("connectorx", "sqlalchemy")
    assert fast.rows == rows_path.rows == 3
    assert staged(con, "fast") == staged(con, "slow") == as_tuples(rows["customers"])


def test_a_dialect_connectorx_cannot_read_uses_the_sqlalchemy_reader() -> None:
    assert DatabaseSource("sqlite://").reader == "sqlalchemy"
    with pytest.raises(ValueError, match="connectorx cannot read sqlite://"):
        DatabaseSource("sqlite://", reader="connectorx")


def test_the_sqlalchemy_reader_loads_the_same_raw_tables_and_rejects_as_connectorx(tmp_path: Path) -> None:
    urls = write_all(tmp_path, bad_rows())
    fast, slow = duckdb.connect(), duckdb.connect()
    fast_loads = load(fast, urls, "fast")
    slow_loads = load(slow, urls, "slow", reader="sqlalchemy")

    assert raw_snapshot(fast) == raw_snapshot(slow)
    assert set(rejects_of(fast)) == set(rejects_of(slow)) == expected_rejects()
    assert {t: (x.source_rows, x.loaded_rows, x.rejected_rows) for t, x in fast_loads.items()} == {
        t: (x.source_rows, x.loaded_rows, x.rejected_rows) for t, x in slow_loads.items()
    }


def test_text_in_an_integer_column_is_rejected_by_the_validator_not_the_reader(tmp_path: Path) -> None:
    rows = good_rows()
    # First row, so that nothing could type the column from an earlier integer value.
    rows["process_steps"].insert(0, {**rows["process_steps"][0], "step_id": "ST0", "seq": "first"})
    urls = write_all(tmp_path, rows)
    con = duckdb.connect()
    loads = load(con, urls, "run-1")

    assert loads["process_steps"].status == "ok"
    assert loads["process_steps"].source_rows == len(rows["process_steps"])
    assert loads["process_steps"].rejected_rows == 1
    assert [key for key in rejects_of(con) if key[1] == "ST0"] == [("process_steps", "ST0", "seq")]
    assert raw_row_of(con, "process_steps", "ST0")["seq"] == "first"


def test_nulls_in_the_first_row_and_an_empty_table_read_with_connectorx(tmp_path: Path) -> None:
    rows = good_rows()
    # S2 has neither mobile nor email: make it the first row read.
    rows["staff"] = [rows["staff"][1], rows["staff"][0], *rows["staff"][2:]]
    rows["supply_units"] = []
    url = write_sqlite(tmp_path / "marketing.sqlite", rows, "marketing")
    con = duckdb.connect()
    source = DatabaseSource(url)
    staff = source.stage(con, STAFF, "staff", since=None)
    units = source.stage(con, TABLES_BY_NAME["supply_units"], "units", since=None)

    assert staff.reader == units.reader == "connectorx"
    assert staff.rows == 4
    # Bools are kept as 1/0 in SQLite and read as that text.
    assert staged(con, "staff")[1] == ("S2", "李四", "T1", "collector", None, None, "0")
    assert units.rows == 0 and staged(con, "units") == []


def many_staff(count: int) -> list[dict[str, str | None]]:
    return [
        {
            "staff_id": f"S{n:02d}",
            "staff_name": f"员工{n}",
            "team_code": "T1",
            "post": "business",
            "mobile": None,
            "email": None,
            "active": "true",
        }
        for n in range(1, count + 1)
    ]


def test_a_batch_size_smaller_than_the_table_reads_it_in_several_batches(tmp_path: Path) -> None:
    rows = good_rows()
    rows["staff"] = many_staff(25)
    url = write_sqlite(tmp_path / "marketing.sqlite", rows, "marketing")
    con = duckdb.connect()
    fast_lines: list[str] = []
    slow_lines: list[str] = []
    fast = DatabaseSource(url, batch_rows=2).stage(con, STAFF, "fast", since=None, progress=fast_lines.append)
    slow = DatabaseSource(url, batch_rows=2, reader="sqlalchemy").stage(
        con, STAFF, "slow", since=None, progress=slow_lines.append
    )

    # connectorx reads the probe row and the 25 rows: 26 rows in 13 batches of 2; after
    # the tenth batch 19 table rows (20 less the probe row) are in.
    assert (fast.rows, fast.batches) == (25, 13)
    assert fast_lines == ["marketing.staff: 19 rows read"]
    # The row path: 25 rows in 13 batches (12 of 2, one of 1).
    assert (slow.rows, slow.batches) == (25, 13)
    assert slow_lines == ["marketing.staff: 20 rows read"]
    assert staged(con, "fast") == staged(con, "slow")
    assert len(staged(con, "fast")) == 25


def test_the_sqlite_since_filter_keeps_rows_whose_updated_at_is_not_a_timestamp(tmp_path: Path) -> None:
    rows = good_rows()
    rows["customers"][0]["updated_at"] = "2026-01-01 08:00:00"
    rows["customers"][1]["updated_at"] = "2026-01-03T07:00:00"
    rows["customers"][2]["updated_at"] = "yesterday"
    url = write_sqlite(tmp_path / "marketing.sqlite", rows, "marketing")
    con = duckdb.connect()
    since = datetime(2026, 1, 2)
    for stage, reader in (("fast", "auto"), ("slow", "sqlalchemy")):
        DatabaseSource(url, reader=reader).stage(con, CUSTOMERS, stage, since=since)

    # C1 is older than the watermark; C2 is newer once normalised; C3 is kept for the
    # validator to reject.
    assert [row[0] for row in staged(con, "fast")] == ["C2", "C3"]
    assert staged(con, "fast") == staged(con, "slow")


def test_a_value_connectorx_cannot_convert_fails_that_table_with_its_name(tmp_path: Path) -> None:
    url = write_sqlite(tmp_path / "marketing.sqlite", good_rows(), "marketing")
    raw = sqlite3.connect(tmp_path / "marketing.sqlite")
    raw.execute("update staff set staff_name = cast(x'ff41' as text) where staff_id = 'S3'")
    raw.commit()
    raw.close()
    con = duckdb.connect()
    loads = {load.table: load for load in load_system(con, "marketing", DatabaseSource(url), run_id="r")}

    assert loads["staff"].status == "failed"
    assert loads["staff"].error.startswith("marketing.staff: cannot read sqlite:///")
    assert "Utf8Error" in loads["staff"].error
    assert loads["customers"].status == "ok"


def test_read_errors_never_show_the_password() -> None:
    source = DatabaseSource("postgresql+psycopg://etl:s3cr%40t@db.example:5432/archive", schema="marketing")
    error = source._read_error(
        CUSTOMERS, RuntimeError("cannot connect to postgresql://etl:s3cr@t@db.example:5432/archive")
    )

    assert isinstance(error, SourceError)
    assert "s3cr@t" not in str(error) and "s3cr%40t" not in str(error)
    assert str(error) == (
        "marketing.customers: cannot read postgresql+psycopg://etl:***@db.example:5432/archive "
        "marketing.customers: cannot connect to postgresql://etl:***@db.example:5432/archive"
    )
