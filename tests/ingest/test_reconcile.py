"""The periodic key reconciliation finds what incremental loads cannot see: a row
committed later than the overlap window, a row deleted at the source."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from ingest.contract import SYSTEMS
from ingest.limits import read_limits
from ingest.load import load_system
from ingest.reconcile import due, reconcile_keys
from ingest.sources import FolderSource
from tests.ingest.conftest import _rows, good_rows, write_csv


def test_reconciliation_counts_keys_missing_from_raw_and_keys_gone_from_the_source(tmp_path: Path) -> None:
    rows = good_rows()
    rows["processes"] += _rows(
        "processes",
        (
            "P9",
            "new_install",
            "C404",
            "U1",
            "S1",
            "2026-01-05 09:00:00",
            None,
            "in_progress",
            "2026-01-05 09:00:00",
        ),
    )
    con = duckdb.connect()
    for system in SYSTEMS:
        load_system(con, system, FolderSource(write_csv(tmp_path / "day1", rows)), run_id="day-1")
    later = copy.deepcopy(rows)
    # P4 committed late with an updated_at older than the window and than the rejected P9
    # (the load reads back to P9's 2026-01-05): no load sees it. C3 deleted at the source.
    # P9 stays rejected (no customer C404).
    later["processes"] += _rows(
        "processes",
        (
            "P4",
            "new_install",
            "C1",
            "U1",
            "S1",
            "2026-01-04 09:00:00",
            None,
            "in_progress",
            "2026-01-04 09:00:00",
        ),
    )
    later["customers"] = later["customers"][:2]
    source = FolderSource(write_csv(tmp_path / "day2", later))
    load_system(con, "marketing", source, run_id="day-2")

    assert con.execute("select count(*) from raw.processes where proc_id = 'P4'").fetchone()[0] == 0
    assert due(con, "marketing", timedelta(hours=24), datetime(2026, 1, 10))
    results = {drift.table: drift for drift in reconcile_keys(con, "marketing", source)}

    assert (results["processes"].source_keys, results["processes"].raw_keys) == (4, 2)
    assert (results["processes"].rejected_keys, results["processes"].missing_keys) == (1, 1)
    assert (results["customers"].status, results["customers"].extra_keys) == ("drift", 1)
    assert results["staff"].status == "ok"
    stored = con.execute(
        "select table_name, status, missing_keys, extra_keys from raw.key_reconciliations "
        "where status <> 'ok' order by table_name"
    ).fetchall()
    assert stored == [("customers", "drift", 0, 1), ("processes", "drift", 1, 0)]
    assert not due(con, "marketing", read_limits().key_reconcile, datetime.now())
