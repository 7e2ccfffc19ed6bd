"""Loading hand-made sources: good rows land typed, every bad row is rejected with a reason
naming table, row and column, counts reconcile, and every kind of source agrees."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from ingest.contract import SYSTEMS, TABLES
from ingest.load import TableLoad, load_system
from ingest.sources import DatabaseSource, FolderSource
from tests.ingest.conftest import (
    BAD_ROWS,
    bad_rows,
    expected_rejects,
    good_rows,
    raw_row_of,
    raw_snapshot,
    rejects_of,
    write_csv,
    write_parquet,
    write_sqlite,
)


def load_all(con: duckdb.DuckDBPyConnection, source_for, run_id: str, **kwargs) -> list[TableLoad]:
    loads = []
    for system in SYSTEMS:
        loads += load_system(con, system, source_for(system), run_id=run_id, **kwargs)
    return loads


def folder(path: Path):
    return lambda system: FolderSource(path)


def sqlite(base: Path, rows):
    urls = {system: write_sqlite(base / f"{system}.sqlite", rows, system) for system in SYSTEMS}
    return lambda system: DatabaseSource(urls[system])


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    yield connection
    connection.close()


def test_good_csv_loads_every_table_typed_with_nothing_rejected(tmp_path: Path, con) -> None:
    rows = good_rows()
    loads = load_all(con, folder(write_csv(tmp_path, rows)), "run-1")

    assert [(load.table, load.status) for load in loads] == [(t.name, "ok") for t in TABLES]
    for load in loads:
        assert load.loaded_rows == len(rows[load.table]) == load.source_rows
        assert load.rejected_rows == 0
    assert con.execute("select active from raw.staff order by staff_id").fetchall() == [
        (True,),
        (False,),
        (True,),
        (True,),
    ]
    assert con.execute("select opened_on, closed_on from raw.customers where cust_no = 'C3'").fetchone() == (
        date(2019, 7, 7),
        date(2025, 12, 31),
    )
    assert con.execute(
        "select started_at, completed_at, seq, produces_archive from raw.process_steps where step_id = 'ST3'"
    ).fetchone() == (datetime(2026, 1, 6, 10), None, 1, True)
    # Empty CSV fields are nulls, not empty strings.
    assert con.execute("select mobile, email from raw.staff where staff_id = 'S2'").fetchone() == (None, None)
    assert rejects_of(con) == []


def test_bad_csv_rows_are_rejected_with_reasons_and_good_rows_load(tmp_path: Path, con) -> None:
    rows = bad_rows()
    loads = load_all(con, folder(write_csv(tmp_path, rows)), "run-bad")

    assert rejects_of(con, "run-bad") == sorted([(t, k, c) for t, _, reasons in BAD_ROWS for k, c in reasons])
    rejected_keys = {(t, k) for t, k, _ in expected_rejects()}
    for load in loads:
        assert load.status == "ok"
        assert load.source_rows == len(rows[load.table]) == load.loaded_rows + load.rejected_rows
        keys = [r[TABLES_KEY[load.table]] for r in rows[load.table]]
        expected_loaded = [k for k in keys if (load.table, k) not in rejected_keys]
        loaded = [
            k for (k,) in con.execute(f"select {TABLES_KEY[load.table]} from raw.{load.table}").fetchall()
        ]
        assert sorted(loaded) == sorted(expected_loaded)
    runs = con.execute(
        "select table_name, source_rows, loaded_rows, rejected_rows, status, mode from raw.ingest_runs "
        "where run_id = 'run-bad' order by table_name"
    ).fetchall()
    assert sorted(
        (load.table, load.source_rows, load.loaded_rows, load.rejected_rows, "ok") for load in loads
    ) == [run[:5] for run in runs]


TABLES_KEY = {table.name: table.primary_key for table in TABLES}


def test_reject_reason_names_table_row_and_column_and_keeps_the_row_as_read(tmp_path: Path, con) -> None:
    load_all(con, folder(write_csv(tmp_path, bad_rows())), "run-bad")

    reason, row_number = con.execute(
        "select reason, row_number from raw.ingest_rejects where table_name = 'staff' and row_key = 'S9'"
    ).fetchone()
    # S9 is the fifth data row of staff.csv.
    assert row_number == 5
    assert reason.startswith("marketing.staff row 5 (staff_id=S9): column active:")
    assert "maybe" in reason
    assert "bool" in reason
    raw_row = raw_row_of(con, "staff", "S9")
    assert raw_row["active"] == "maybe"
    assert raw_row["legacy_note"] == "legacy, with comma"
    duplicate = con.execute(
        "select reason from raw.ingest_rejects where table_name = 'process_steps' and row_key = 'ST3' limit 1"
    ).fetchone()[0]
    assert "appears 2 times" in duplicate
    dangling = con.execute("select reason from raw.ingest_rejects where row_key = 'K9'").fetchone()[0]
    assert "C404" in dangling
    assert "customers.cust_no" in dangling


def test_missing_required_column_fails_only_that_table(tmp_path: Path, con) -> None:
    write_csv(tmp_path, good_rows(), drop={"paper_handovers": "doc_count"})
    lines: list[str] = []
    loads = load_all(con, folder(tmp_path), "run-missing", progress=lines.append)

    failed = [load for load in loads if load.status != "ok"]
    assert [load.table for load in failed] == ["paper_handovers"]
    assert "archive.paper_handovers" in failed[0].error
    assert "doc_count" in failed[0].error
    status, error = con.execute(
        "select status, error from raw.ingest_runs where table_name = 'paper_handovers'"
    ).fetchone()
    assert status == "failed"
    assert "doc_count" in error
    assert con.execute("select count(*) from raw.dossiers").fetchone()[0] == 2
    assert any(line.startswith("archive.paper_handovers: failed") for line in lines)


def test_failed_table_keeps_what_an_earlier_load_put_in_raw(tmp_path: Path, con) -> None:
    good = write_csv(tmp_path / "good", good_rows())
    load_all(con, folder(good), "run-1")
    broken = write_csv(tmp_path / "broken", good_rows(), drop={"dossiers": "barcode"})
    load_all(con, folder(broken), "run-2")

    assert con.execute("select count(*) from raw.dossiers").fetchone()[0] == 2


def test_progress_reports_rows_loaded_and_rejected_per_table(tmp_path: Path, con) -> None:
    lines: list[str] = []
    load_all(con, folder(write_csv(tmp_path, bad_rows())), "run-p", progress=lines.append)

    assert "marketing.staff: 4 rows loaded, 1 rejected (full)" in lines
    assert "marketing.process_steps: 2 rows loaded, 3 rejected (incremental)" in lines


def test_parquet_and_sqlite_sources_give_the_same_raw_tables_as_csv(tmp_path: Path) -> None:
    rows = good_rows()
    snapshots = {}
    sources = {
        "csv": folder(write_csv(tmp_path / "csv", rows)),
        "parquet": folder(write_parquet(tmp_path / "parquet", rows)),
        "sqlite": sqlite(tmp_path, rows),
    }
    for name, source_for in sources.items():
        con = duckdb.connect()
        loads = load_all(con, source_for, name)
        assert all(load.status == "ok" and load.rejected_rows == 0 for load in loads), loads
        snapshots[name] = raw_snapshot(con)
        con.close()

    assert snapshots["parquet"] == snapshots["csv"]
    assert snapshots["sqlite"] == snapshots["csv"]
    assert sum(len(v) for v in snapshots["csv"].values()) == sum(len(v) for v in rows.values())


def test_sqlite_source_rejects_the_same_rows_as_csv(tmp_path: Path) -> None:
    rows = bad_rows()
    results = {}
    for name, source_for in {
        "csv": folder(write_csv(tmp_path / "csv", rows)),
        "sqlite": sqlite(tmp_path, rows),
    }.items():
        con = duckdb.connect()
        load_all(con, source_for, name)
        results[name] = (rejects_of(con), raw_snapshot(con))
        con.close()

    assert results["sqlite"] == results["csv"]
    assert set(results["sqlite"][0]) == expected_rejects()


def test_csv_with_or_without_bom_and_extra_column_loads_the_same(tmp_path: Path) -> None:
    rows = good_rows()
    snapshots = []
    for name, options in {
        "bom": {"bom": True, "extra_column": True},
        "plain": {"bom": False, "extra_column": False},
    }.items():
        con = duckdb.connect()
        loads = load_all(con, folder(write_csv(tmp_path / name, rows, **options)), name)
        assert all(load.status == "ok" for load in loads)
        snapshots.append(raw_snapshot(con))
    assert (tmp_path / "bom" / "marketing" / "staff.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert snapshots[0] == snapshots[1]
    assert len(snapshots[0]["staff"]) == 4


def test_malformed_csv_lines_are_rejected_and_the_rest_of_the_file_loads(tmp_path: Path, con) -> None:
    write_csv(tmp_path, good_rows(), extra_column=False)
    staff = tmp_path / "marketing" / "staff.csv"
    with staff.open("a", encoding="utf-8", newline="") as handle:
        handle.write("S7,too few fields\r\n")
        handle.write("S8,多一列,T1,business,,,true,surplus\r\n")
    loads = load_all(con, folder(tmp_path), "run-malformed")

    staff_load = next(load for load in loads if load.table == "staff")
    assert (staff_load.status, staff_load.source_rows, staff_load.loaded_rows, staff_load.rejected_rows) == (
        "ok",
        6,
        4,
        2,
    )
    rejects = con.execute(
        "select row_number, reason, raw_row from raw.ingest_rejects where table_name = 'staff' order by row_number"
    ).fetchall()
    assert [row[0] for row in rejects] == [5, 6]
    assert rejects[0][1].startswith("marketing.staff line 6 of the CSV file: malformed line")
    assert "S8,多一列" in rejects[1][2]
