"""Incremental loads that cannot miss: a row committed late with an older updated_at is
read within the overlap window, and a rejected row is read again on every load until it
loads, so incremental loads end where a full reload of the same source does."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from ingest.contract import SYSTEMS, TABLES_BY_NAME
from ingest.limits import read_limits
from ingest.load import load_system, read_since
from ingest.sources import FolderSource
from tests.ingest.conftest import Rows, _rows, good_rows, raw_snapshot, write_csv

# The newest process in the good rows is P2, updated 2026-01-09 17:00 (P1's completion).
STEP_FOR_P3 = ("ST7", "P3", "1", "accept", "S1", "2026-01-02 09:00:00", None, "true", "2026-01-02 09:00:00")
P3 = (
    "P3",
    "new_install",
    "C3",
    "U1",
    "S1",
    "2026-01-02 09:00:00",
    None,
    "in_progress",
    "2026-02-10 09:00:00",
)


def load(con: duckdb.DuckDBPyConnection, rows: Rows, folder: Path, run_id: str, **kwargs) -> dict:
    source = FolderSource(write_csv(folder, rows))
    loads = {}
    for system in SYSTEMS:
        for item in load_system(con, system, source, run_id=run_id, **kwargs):
            assert item.status == "ok", item.error
            loads[item.table] = item
    return loads


def test_seed_overlap_window_is_a_day() -> None:
    assert read_limits().overlap == timedelta(hours=24)


def test_row_committed_late_with_an_older_updated_at_is_read_within_the_window(tmp_path: Path) -> None:
    first = good_rows()
    later = copy.deepcopy(first)
    # Stamped 2026-01-09 08:00, nine hours before the newest process already loaded
    # (2026-01-09 17:00), committed after that load ran.
    later["processes"] += _rows(
        "processes",
        (
            "P4",
            "new_install",
            "C1",
            "U1",
            "S1",
            "2026-01-09 08:00:00",
            None,
            "in_progress",
            "2026-01-09 08:00:00",
        ),
    )
    incremental = duckdb.connect()
    load(incremental, first, tmp_path / "day1", "day-1")
    assert read_since(incremental, TABLES_BY_NAME["processes"], timedelta(hours=24)) == datetime(
        2026, 1, 8, 17
    )
    loads = load(incremental, later, tmp_path / "day2", "day-2")
    full = duckdb.connect()
    load(full, later, tmp_path / "full", "full", full_refresh=True)

    assert incremental.execute("select proc_id from raw.processes order by proc_id").fetchall() == [
        ("P1",),
        ("P2",),
        ("P4",),
    ]
    # P1 (updated 2026-01-09 17:00), P2 (2026-01-06 10:00 is outside the window) and P4:
    # the window reads P1 again and P4 for the first time.
    assert loads["processes"].source_rows == 2
    assert raw_snapshot(incremental) == raw_snapshot(full)


def test_row_rejected_for_a_missing_parent_is_retried_until_the_parent_arrives(tmp_path: Path) -> None:
    """GIVEN a step of process P3 loaded before P3 exists (rejected), its updated_at far
    older than the window, WHEN P3 arrives in a later load, THEN the step loads too."""
    first = good_rows()
    first["process_steps"] += _rows("process_steps", STEP_FOR_P3)
    second = copy.deepcopy(first)
    # Another load in between: the step is rejected again (still no P3), not forgotten.
    second["customers"][0].update(updated_at="2026-02-05 08:00:00")
    third = copy.deepcopy(second)
    third["processes"] += _rows("processes", P3)
    con = duckdb.connect()
    day1 = load(con, first, tmp_path / "day1", "day-1")
    day2 = load(con, second, tmp_path / "day2", "day-2")
    day3 = load(con, third, tmp_path / "day3", "day-3")
    full = duckdb.connect()
    load(full, third, tmp_path / "full", "full", full_refresh=True)

    assert (day1["process_steps"].rejected_rows, day2["process_steps"].rejected_rows) == (1, 1)
    assert (day3["process_steps"].rejected_rows, day3["processes"].loaded_rows) == (0, 2)
    assert con.execute("select proc_id from raw.process_steps where step_id = 'ST7'").fetchall() == [("P3",)]
    assert raw_snapshot(con) == raw_snapshot(full)
