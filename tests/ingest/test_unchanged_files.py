"""A source file that has not changed since the load that last read it is not read again:
the hourly build on an unchanged export skips it, and nothing of what the earlier load
left (its rows, its rejects waiting to be retried) is lost by skipping."""

from __future__ import annotations

import copy
from pathlib import Path

import duckdb

from ingest.contract import SYSTEMS, UNCHANGED
from ingest.load import load_system
from ingest.sources import FolderSource
from tests.ingest.conftest import Rows, bad_rows, good_rows, raw_snapshot, write_csv


def load(con: duckdb.DuckDBPyConnection, folder: Path, run_id: str, **kwargs) -> dict:
    source = FolderSource(folder)
    loads = {}
    for system in SYSTEMS:
        for item in load_system(con, system, source, run_id=run_id, **kwargs):
            assert item.status == "ok", item.error
            loads[item.table] = item
    return loads


def modes(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, str]:
    return dict(
        con.execute("select table_name, mode from raw.ingest_runs where run_id = ?", [run_id]).fetchall()
    )


def test_a_second_load_of_the_same_files_reads_nothing_and_keeps_every_row(tmp_path: Path) -> None:
    """GIVEN a folder loaded once WHEN it is loaded again without any file changing
    THEN every table is recorded unchanged with no rows read, and raw is as it was."""
    folder = write_csv(tmp_path / "source", good_rows())
    con = duckdb.connect()
    first = load(con, folder, "run-1")
    before = raw_snapshot(con)

    second = load(con, folder, "run-2")

    assert all(item.unchanged and item.source_rows == 0 for item in second.values())
    assert set(modes(con, "run-2").values()) == {UNCHANGED}
    assert raw_snapshot(con) == before
    assert sum(item.loaded_rows for item in first.values()) > 0


def test_a_changed_file_is_read_and_a_rewritten_identical_one_is_not(tmp_path: Path) -> None:
    """GIVEN a folder loaded once WHEN every file is written again, one table's with one
    more row THEN that table is read again (its new row loaded); the others, rewritten with
    the same content, are unchanged."""
    rows = good_rows()
    folder = write_csv(tmp_path / "source", rows)
    con = duckdb.connect()
    load(con, folder, "run-1")
    more: Rows = copy.deepcopy(rows)
    extra = dict(more["supply_units"][0], unit_code="U9", unit_name="新增单位")
    more["supply_units"].append(extra)
    # Every file is written again; only supply_units' content differs.
    write_csv(tmp_path / "source", more)

    second = load(con, folder, "run-2")

    assert not second["supply_units"].unchanged
    assert second["supply_units"].loaded_rows == len(more["supply_units"])
    assert {table for table, item in second.items() if not item.unchanged} == {"supply_units"}
    assert con.execute("select count(*) from raw.supply_units where unit_code = 'U9'").fetchone()[0] == 1


def test_a_full_refresh_reads_unchanged_files(tmp_path: Path) -> None:
    """GIVEN a folder loaded once WHEN it is loaded again with full_refresh
    THEN every table is read whole again."""
    folder = write_csv(tmp_path / "source", good_rows())
    con = duckdb.connect()
    load(con, folder, "run-1")

    again = load(con, folder, "run-2", full_refresh=True)

    assert not any(item.unchanged for item in again.values())
    assert set(modes(con, "run-2").values()) == {"full"}


def test_rejects_of_the_last_reading_load_are_still_retried_after_unchanged_runs(tmp_path: Path) -> None:
    """GIVEN a load that rejected rows, then a run on the same unchanged files
    WHEN the files change later THEN the load reads back to the rejected rows again: the
    unchanged run did not hide them (it is not "the last load" of the table)."""
    rows = bad_rows()
    folder = write_csv(tmp_path / "source", rows)
    con = duckdb.connect()
    first = load(con, folder, "run-1")
    rejected_tables = {table for table, item in first.items() if item.rejected_rows}
    assert rejected_tables

    load(con, folder, "run-2")
    write_csv(tmp_path / "source", rows, bom=False)
    third = load(con, folder, "run-3")

    for table in rejected_tables:
        assert not third[table].unchanged
        assert third[table].rejected_rows == first[table].rejected_rows, table
