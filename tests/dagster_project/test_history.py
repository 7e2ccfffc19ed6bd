"""History through ``dangan build``: schema ``history`` of the published warehouse is carried
from build to build (each build starts from a copy of the published version), grows by a
version when a tracked value changes, and is kept by a full refresh."""

from __future__ import annotations

import csv
import shutil
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from dagster_project.build import run_build
from ingest import warehouse as wh
from ingest.clock import format_as_of, parse_as_of

BEGINNING = "1900-01-01 00:00:00"


def _rows(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = wh.connect_published(warehouse)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _move_staff(source: Path, staff_id: str, team_code: str) -> None:
    """Rewrite the marketing system's staff table of ``source`` with ``staff_id`` in ``team_code``."""
    csv_file, parquet_file = source / "marketing" / "staff.csv", source / "marketing" / "staff.parquet"
    if csv_file.exists():
        with csv_file.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        fields = list(rows[0])
        for row in rows:
            if row["staff_id"] == staff_id:
                row["team_code"] = team_code
        with csv_file.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
    elif parquet_file.exists():
        moved = parquet_file.with_name("staff.moved.parquet")
        with duckdb.connect() as con:
            con.execute(
                f"copy (select * replace (case when staff_id = $id then $team else team_code end as team_code) "
                f"from read_parquet('{parquet_file}')) to '{moved}' (format parquet)",
                {"id": staff_id, "team": team_code},
            )
        moved.replace(parquet_file)
    else:
        pytest.fail(f"no staff table in {source / 'marketing'}")


def _build(source: Path, scans: Path, warehouse: Path, as_of: str, *, full_refresh: bool) -> None:
    code = run_build(source, None, None, scans, warehouse, as_of, full_refresh)
    assert code == 0, f"dangan build as of {as_of} (full_refresh={full_refresh}) failed with exit code {code}"


def _staff_versions(warehouse: Path, staff_id: str) -> list[tuple]:
    return [
        (team, str(valid_from), None if valid_to is None else str(valid_to))
        for team, valid_from, valid_to in _rows(
            warehouse,
            "select team_code, valid_from, valid_to from history.staff where staff_id = ? order by valid_from",
            [staff_id],
        )
    ]


def test_first_build_records_every_source_row_once_from_the_beginning(tiny_warehouse: Path) -> None:
    for table, key in (("staff", "staff_id"), ("customers", "cust_no"), ("processes", "proc_id")):
        raw_count = _rows(tiny_warehouse, f"select count(*) from raw.{table}")[0][0]
        assert raw_count > 0
        assert _rows(
            tiny_warehouse,
            f"select count(*), count(distinct {key}), min(valid_from), max(valid_from), count(valid_to) "
            f"from history.{table}",
        ) == [(raw_count, raw_count, parse_as_of(BEGINNING), parse_as_of(BEGINNING), 0)]


def test_team_move_survives_publish_and_a_full_refresh_keeps_the_history(
    tiny_source: Path, tiny_as_of: str, tiny_warehouse: Path, tmp_path: Path
) -> None:
    """GIVEN the published tiny warehouse
    WHEN a staff member moves team and the next day's build runs, then a full refresh
    THEN the move is two versions closed at the second build's as_of, and the full
    refresh leaves them as they were."""
    warehouse = tmp_path / "w" / "warehouse.duckdb"
    copy = wh.build_dir(warehouse) / "seed-copy.duckdb"
    copy.parent.mkdir(parents=True)
    copy.write_bytes(wh.published_file(tiny_warehouse).read_bytes())
    wh.publish(copy, warehouse)
    staff_id, old_team, new_team = _rows(
        warehouse,
        "select staff.staff_id, staff.team_code, other.team_code from raw.staff as staff "
        "inner join raw.teams as other on other.team_code <> staff.team_code "
        "order by staff.staff_id, other.team_code limit 1",
    )[0]
    source = tmp_path / "source"
    shutil.copytree(tiny_source, source, ignore=shutil.ignore_patterns("scans"))
    _move_staff(source, staff_id, new_team)
    second_as_of = format_as_of(parse_as_of(tiny_as_of) + timedelta(days=1))

    _build(source, tiny_source / "scans", warehouse, second_as_of, full_refresh=False)
    moved = [(old_team, BEGINNING, second_as_of), (new_team, second_as_of, None)]
    assert _staff_versions(warehouse, staff_id) == moved
    history_before = _rows(warehouse, "select * from history.staff order by all")
    assert len(history_before) == _rows(warehouse, "select count(*) from raw.staff")[0][0] + 1

    third_as_of = format_as_of(parse_as_of(tiny_as_of) + timedelta(days=2))
    _build(source, tiny_source / "scans", warehouse, third_as_of, full_refresh=True)
    assert _staff_versions(warehouse, staff_id) == moved
    assert _rows(warehouse, "select * from history.staff order by all") == history_before
