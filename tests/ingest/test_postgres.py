"""A database source on a real PostgreSQL 15 server: typed columns, a schema, a server-side
cursor, and the same raw tables as the CSV folder holding the same rows."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingest.contract import SYSTEMS, TABLES_BY_NAME
from ingest.load import load_system
from ingest.sources import DatabaseSource, FolderSource
from tests.ingest.conftest import (
    BAD_ROWS,
    Rows,
    _rows,
    good_rows,
    raw_snapshot,
    rejects_of,
    write_csv,
    write_postgres,
)

pytestmark = pytest.mark.slow

# Bad rows a typed PostgreSQL table can hold: bad enum, null, duplicate key, duplicate
# unique value, dangling references (a wrong type cannot get into a typed column).
TYPE_ERRORS = {"S9", "C8", "ST9", "A9"}


def postgres_bad_rows() -> tuple[Rows, set[tuple[str, str, str]]]:
    rows = good_rows()
    expected = set()
    for table, values, reasons in BAD_ROWS:
        if values[0] in TYPE_ERRORS:
            continue
        rows[table] += _rows(table, values)
        expected |= {(table, key, column) for key, column in reasons}
    return rows, expected


def load_both(con: duckdb.DuckDBPyConnection, source_for, run_id: str, **kwargs) -> dict:
    loads = {}
    for system in SYSTEMS:
        for item in load_system(con, system, source_for(system), run_id=run_id, **kwargs):
            loads[item.table] = item
    return loads


def test_postgres_source_gives_the_same_raw_tables_as_csv(postgres_url: str, tmp_path: Path) -> None:
    rows = good_rows()
    for system in SYSTEMS:
        write_postgres(postgres_url, rows, system, schema=f"{system}_good")
    from_pg = duckdb.connect()
    lines: list[str] = []
    loads = load_both(
        from_pg,
        lambda system: DatabaseSource(postgres_url, schema=f"{system}_good", batch_rows=2),
        "pg",
        progress=lines.append,
    )
    from_csv = duckdb.connect()
    csv = write_csv(tmp_path, rows)
    load_both(from_csv, lambda system: FolderSource(csv), "csv")

    assert all(load.status == "ok" and load.rejected_rows == 0 for load in loads.values())
    assert raw_snapshot(from_pg) == raw_snapshot(from_csv)
    assert loads["staff"].loaded_rows == len(rows["staff"])
    assert "marketing.staff: 4 rows loaded, 0 rejected (full)" in lines
    source = from_pg.execute("select source from raw.ingest_runs where table_name = 'staff'").fetchone()[0]
    assert "marketing_good.staff" in source


def test_postgres_bad_rows_are_rejected_and_the_rest_load(postgres_url: str) -> None:
    rows, expected = postgres_bad_rows()
    for system in SYSTEMS:
        write_postgres(postgres_url, rows, system, schema=f"{system}_bad")
    con = duckdb.connect()
    loads = load_both(con, lambda system: DatabaseSource(postgres_url, schema=f"{system}_bad"), "pg-bad")

    assert set(rejects_of(con)) == expected
    for load in loads.values():
        assert load.status == "ok"
        assert load.source_rows == len(rows[load.table]) == load.loaded_rows + load.rejected_rows


def test_postgres_incremental_load_reads_only_rows_from_the_watermark_on(postgres_url: str) -> None:
    rows = good_rows()
    write_postgres(postgres_url, rows, "marketing", schema="marketing_inc")
    con = duckdb.connect()
    source = DatabaseSource(postgres_url, schema="marketing_inc")
    load_system(con, "marketing", source, run_id="day-1")
    rows["customers"][1].update(cust_name="客户二（更名）", updated_at="2026-03-01 08:00:00")
    write_postgres(postgres_url, rows, "marketing", schema="marketing_inc")
    loads = {load.table: load for load in load_system(con, "marketing", source, run_id="day-2")}

    # C3 carries the previous watermark, C2 was updated since: nothing else is read.
    assert loads["customers"].source_rows == 2
    fresh = duckdb.connect()
    load_system(fresh, "marketing", source, run_id="full", full_refresh=True)
    assert raw_snapshot(con) == raw_snapshot(fresh)


def test_missing_table_in_the_database_fails_that_table_with_its_name(postgres_url: str) -> None:
    rows = good_rows()
    write_postgres(postgres_url, rows, "archive", schema="archive_partial")
    import sqlalchemy as sa

    engine = sa.create_engine(postgres_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("drop table archive_partial.borrowings")
    engine.dispose()
    con = duckdb.connect()
    loads = {
        load.table: load
        for load in load_system(
            con, "archive", DatabaseSource(postgres_url, schema="archive_partial"), run_id="p"
        )
    }

    assert loads["borrowings"].status == "failed"
    assert "archive.borrowings" in loads["borrowings"].error
    assert loads["dossiers"].status == "ok"


def test_postgres_is_read_with_connectorx_in_batches_like_the_row_reader(postgres_url: str) -> None:
    rows = good_rows()
    write_postgres(postgres_url, rows, "marketing", schema="marketing_cx")
    con = duckdb.connect()
    staff = TABLES_BY_NAME["staff"]
    fast = DatabaseSource(postgres_url, schema="marketing_cx", batch_rows=3).stage(
        con, staff, "fast", since=None
    )
    slow = DatabaseSource(postgres_url, schema="marketing_cx", batch_rows=3, reader="sqlalchemy").stage(
        con, staff, "slow", since=None
    )

    # Four staff rows in batches of three: two batches either way.
    assert (fast.reader, fast.rows, fast.batches) == ("connectorx", 4, 2)
    assert (slow.reader, slow.rows, slow.batches) == ("sqlalchemy", 4, 2)
    fast_rows = con.execute("select * from fast order by all").fetchall()
    assert fast_rows == con.execute("select * from slow order by all").fetchall()
    # PostgreSQL renders its booleans as text itself.
    assert fast_rows[1] == ("S2", "李四", "T1", "collector", None, None, "false")


def test_postgres_since_filter_reads_the_same_rows_with_either_reader(postgres_url: str) -> None:
    rows = good_rows()
    write_postgres(postgres_url, rows, "marketing", schema="marketing_since")
    con = duckdb.connect()
    customers = TABLES_BY_NAME["customers"]
    since = datetime(2026, 1, 2, 9, 0, 0)
    for stage, reader in (("fast", "auto"), ("slow", "sqlalchemy")):
        DatabaseSource(postgres_url, schema="marketing_since", reader=reader).stage(
            con, customers, stage, since=since
        )

    fast = con.execute("select cust_no, updated_at from fast order by all").fetchall()
    # C1 (2026-01-01 08:00) is older; C2 carries the watermark's very second, C3 is later.
    assert [row[0] for row in fast] == ["C2", "C3"]
    assert fast[0] == ("C2", "2026-01-02 09:00:00")
    assert fast == con.execute("select cust_no, updated_at from slow order by all").fetchall()
