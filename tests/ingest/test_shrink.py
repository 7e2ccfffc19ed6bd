"""A table replaced whole is not emptied by a truncated export: a load that would remove
more than the seed's share of its rows fails that table and keeps its rows, unless the
run allows that table to shrink."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from ingest.contract import SYSTEMS, TABLES_BY_NAME
from ingest.limits import read_limits
from ingest.load import load_system, load_table
from ingest.sources import FolderSource
from tests.ingest.conftest import good_rows, write_csv


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[duckdb.DuckDBPyConnection, Path]:
    """Every table loaded once from the good rows (4 staff, 3 customers)."""
    folder = write_csv(tmp_path / "source", good_rows())
    con = duckdb.connect()
    for system in SYSTEMS:
        assert {load.status for load in load_system(con, system, FolderSource(folder), run_id="r1")} == {"ok"}
    yield con, folder
    con.close()


def _keep_rows(path: Path, keep: int) -> None:
    """Cut a CSV file down to its header and first ``keep`` rows."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows[: keep + 1])


def test_seed_allows_a_load_to_remove_a_tenth_of_a_table() -> None:
    assert read_limits().shrink_max_share == 0.10


def test_header_only_export_of_a_replaced_table_fails_and_keeps_its_rows(loaded) -> None:
    con, folder = loaded
    _keep_rows(folder / "marketing" / "staff.csv", 0)

    load = load_table(con, TABLES_BY_NAME["staff"], FolderSource(folder), run_id="r2")

    assert load.status == "failed"
    assert load.error == (
        "marketing.staff: this load would remove 4 of the 4 rows of raw.staff (100%), more than the 10% a "
        "load may remove (seed ingest_limits.shrink_max_share); the table keeps its previous rows. If the "
        "source really holds fewer rows now, build again with --allow-shrink staff"
    )
    assert con.execute("select count(*) from raw.staff").fetchone()[0] == 4
    assert con.execute(
        "select status, source_rows from raw.ingest_runs where run_id = 'r2' and table_name = 'staff'"
    ).fetchone() == ("failed", 0)


def test_losing_one_of_four_rows_is_refused_but_allowed_when_named(loaded) -> None:
    con, folder = loaded
    _keep_rows(folder / "marketing" / "staff.csv", 3)
    staff = TABLES_BY_NAME["staff"]

    refused = load_table(con, staff, FolderSource(folder), run_id="r2")
    allowed = load_table(con, staff, FolderSource(folder), run_id="r3", allow_shrink={"staff"})

    assert refused.status == "failed"
    assert "remove 1 of the 4 rows of raw.staff (25%)" in refused.error
    assert (allowed.status, allowed.loaded_rows) == ("ok", 3)
    assert con.execute("select staff_id from raw.staff order by staff_id").fetchall() == [
        ("S1",),
        ("S2",),
        ("S3",),
    ]


def test_full_refresh_of_a_truncated_incremental_table_is_refused(loaded) -> None:
    con, folder = loaded
    _keep_rows(folder / "marketing" / "customers.csv", 1)

    load = load_table(con, TABLES_BY_NAME["customers"], FolderSource(folder), run_id="r2", full_refresh=True)
    incremental = load_table(con, TABLES_BY_NAME["customers"], FolderSource(folder), run_id="r3")

    assert load.status == "failed"
    assert "remove 2 of the 3 rows of raw.customers (67%)" in load.error
    # An incremental load removes nothing: the rows not read stay.
    assert incremental.status == "ok"
    assert con.execute("select count(*) from raw.customers").fetchone()[0] == 3


def test_a_replaced_table_that_keeps_every_key_loads(loaded) -> None:
    con, folder = loaded
    # full_refresh: an unchanged file would not be read again at all (ingest.load).
    load = load_table(con, TABLES_BY_NAME["staff"], FolderSource(folder), run_id="r2", full_refresh=True)
    assert (load.status, load.loaded_rows) == ("ok", 4)
