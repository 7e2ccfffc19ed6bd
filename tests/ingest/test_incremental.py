"""Incremental loads by updated_at: the same raw tables as a full reload, and idempotent."""

from __future__ import annotations

import copy
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from ingest.contract import SYSTEMS
from ingest.limits import IngestLimits, read_limits
from ingest.load import load_system
from ingest.sources import DatabaseSource, FolderSource
from tests.ingest.conftest import Rows, _rows, good_rows, raw_snapshot, write_csv, write_sqlite


def changed_rows() -> Rows:
    """The good rows a day later: updates, new rows, and a new customer stamped in the very
    second of the previous load's newest customer (only ``>=`` on the watermark sees it)."""
    rows = copy.deepcopy(good_rows())
    rows["customers"][0].update(cust_name="客户一（更名）", updated_at="2026-02-01 08:00:00")
    rows["customers"] += _rows(
        "customers",
        (
            "C4",
            "客户四",
            "residential",
            "low",
            "single",
            "南湖路4号",
            "U2",
            None,
            "2026-01-03",
            None,
            "2026-01-03 10:00:00",
        ),
    )
    rows["processes"][1].update(
        status="completed", completed_at="2026-02-02 16:00:00", updated_at="2026-02-02 16:00:00"
    )
    rows["processes"] += _rows(
        "processes",
        (
            "P3",
            "new_install",
            "C4",
            "U2",
            "S3",
            "2026-02-03 09:00:00",
            None,
            "in_progress",
            "2026-02-03 09:00:00",
        ),
    )
    rows["process_steps"] += _rows(
        "process_steps",
        ("ST4", "P3", "1", "accept", "S3", "2026-02-03 09:00:00", None, "true", "2026-02-03 09:00:00"),
    )
    rows["dossiers"][1].update(location="柜2-1")
    rows["dossiers"] += _rows(
        "dossiers", ("J3", "JZ0000000003", "C4", "P3", "S2", "2026-02-04 09:00:00", None, None)
    )
    rows["audit_checks"] += _rows("audit_checks", ("Q3", "P3", "S3", "2026-02-05 10:00:00", "pass"))
    return rows


def write(kind: str, base: Path, rows: Rows):
    if kind == "csv":
        path = write_csv(base, rows)
        return lambda system: FolderSource(path)
    base.mkdir(parents=True, exist_ok=True)
    urls = {system: write_sqlite(base / f"{system}.sqlite", rows, system) for system in SYSTEMS}
    return lambda system: DatabaseSource(urls[system])


def load(con: duckdb.DuckDBPyConnection, source_for, run_id: str, **kwargs) -> dict:
    loads = {}
    for system in SYSTEMS:
        for item in load_system(con, system, source_for(system), run_id=run_id, **kwargs):
            assert item.status == "ok", item.error
            loads[item.table] = item
    return loads


@pytest.mark.parametrize("kind", ["csv", "sqlite"])
def test_incremental_loads_give_the_same_raw_tables_as_a_full_reload(tmp_path: Path, kind: str) -> None:
    first = write(kind, tmp_path / "day1", good_rows())
    second = write(kind, tmp_path / "day2", changed_rows())
    incremental = duckdb.connect()
    load(incremental, first, "day-1")
    loads = load(incremental, second, "day-2")
    fresh = duckdb.connect()
    load(fresh, second, "full", full_refresh=True)

    assert raw_snapshot(incremental) == raw_snapshot(fresh)
    # Only rows at or after the watermark were read: C1 (updated), C3 (the watermark's own
    # second, read again) and C4 (stamped in that same second).
    assert loads["customers"].source_rows == 3
    assert loads["customers"].loaded_rows == 3
    assert loads["process_steps"].source_rows == 2
    assert incremental.execute("select cust_name from raw.customers where cust_no = 'C1'").fetchone()[0] == (
        "客户一（更名）"
    )
    # Tables without updated_at are replaced whole.
    assert loads["dossiers"].source_rows == 3
    assert (
        incremental.execute("select location from raw.dossiers where dossier_id = 'J2'").fetchone()[0]
        == "柜2-1"
    )


@pytest.mark.parametrize("kind", ["csv", "sqlite"])
def test_loading_the_same_source_twice_changes_nothing(tmp_path: Path, kind: str) -> None:
    source = write(kind, tmp_path / "day1", good_rows())
    con = duckdb.connect()
    load(con, source, "run-1")
    before = raw_snapshot(con)
    again = load(con, source, "run-2")

    assert raw_snapshot(con) == before
    if kind == "csv":
        # A folder whose files have not changed is not read again (ingest.load).
        assert again["customers"].unchanged and again["customers"].source_rows == 0
    else:
        # Only the rows stamped in the watermark's second come back, and replace themselves.
        assert again["customers"].source_rows == 1
    assert con.execute("select count(*) from raw.ingest_rejects").fetchone()[0] == 0


def test_full_refresh_on_an_incrementally_loaded_warehouse_changes_nothing(tmp_path: Path) -> None:
    first = write("csv", tmp_path / "day1", good_rows())
    second = write("csv", tmp_path / "day2", changed_rows())
    con = duckdb.connect()
    load(con, first, "day-1")
    load(con, second, "day-2")
    incremental = raw_snapshot(con)
    loads = load(con, second, "refresh", full_refresh=True)

    assert raw_snapshot(con) == incremental
    assert loads["customers"].source_rows == len(changed_rows()["customers"])
    modes = dict(
        con.execute("select table_name, mode from raw.ingest_runs where run_id = 'refresh'").fetchall()
    )
    assert set(modes.values()) == {"full"}


def test_rows_deleted_at_the_source_leave_raw_only_on_a_full_refresh(tmp_path: Path) -> None:
    """No deletion feed exists: an incremental load keeps a vanished row, a refresh drops it."""
    rows = good_rows()
    first = write("csv", tmp_path / "day1", rows)
    rows["contracts"] = rows["contracts"][:1]
    second = write("csv", tmp_path / "day2", rows)
    con = duckdb.connect()
    load(con, first, "day-1")
    load(con, second, "day-2")
    assert con.execute("select count(*) from raw.contracts").fetchone()[0] == 2
    # Half the contracts go: beyond the shrink limit, so the refresh must be told.
    load(con, second, "refresh", full_refresh=True, allow_shrink={"contracts"})
    assert con.execute("select count(*) from raw.contracts").fetchone()[0] == 1


def test_incremental_rows_are_checked_against_rows_loaded_earlier(tmp_path: Path) -> None:
    """References and unique values reach back to rows of earlier loads not read again."""
    rows = good_rows()
    first = write("csv", tmp_path / "day1", rows)
    rows = copy.deepcopy(rows)
    rows["process_steps"] += _rows(
        "process_steps",
        ("ST5", "P2", "2", "complete", "S3", "2026-03-01 09:00:00", None, "true", "2026-03-01 09:00:00"),
    )
    rows["documents"] += _rows(
        "documents",
        (
            "D3",
            "DG000000000001",
            "C2",
            None,
            None,
            "复印件",
            "other",
            "1",
            "2026-03-01 10:00:00",
            "S3",
            "2026-03-01 10:00:00",
        ),
    )
    second = write("csv", tmp_path / "day2", rows)
    con = duckdb.connect()
    load(con, first, "day-1")
    # Exactly from the watermark: with the overlap window D1 and P2 would be read again.
    exact = IngestLimits(shrink_max_share=read_limits().shrink_max_share, overlap=timedelta(0))
    loads = load(con, second, "day-2", limits=exact)

    # ST5 refers to P2, loaded on day 1 and not read again on day 2.
    assert loads["processes"].source_rows == 1
    assert con.execute("select count(*) from raw.process_steps where step_id = 'ST5'").fetchone()[0] == 1
    # D3 reuses D1's barcode; D1 was not read again but still holds it.
    reason = con.execute(
        "select reason from raw.ingest_rejects where run_id = 'day-2' and row_key = 'D3'"
    ).fetchone()[0]
    assert 'already held in raw.documents by doc_id "D1"' in reason
    assert loads["documents"].rejected_rows == 1


def test_full_refresh_lets_a_new_row_take_a_unique_value_of_a_row_gone_from_the_source(
    tmp_path: Path,
) -> None:
    rows = good_rows()
    first = write("csv", tmp_path / "day1", rows)
    rows = copy.deepcopy(rows)
    rows["documents"][0].update(doc_id="D3", updated_at="2026-03-01 10:00:00")
    second = write("csv", tmp_path / "day2", rows)
    con = duckdb.connect()
    load(con, first, "day-1")
    # D1 leaves the source: half the documents go, beyond the shrink limit, so the refresh is told.
    loads = load(con, second, "refresh", full_refresh=True, allow_shrink={"documents"})

    assert loads["documents"].rejected_rows == 0
    assert con.execute("select doc_id from raw.documents where barcode = 'DG000000000001'").fetchall() == [
        ("D3",)
    ]
