"""A full refresh after incremental loads, through ``dangan build`` (DOMAIN.md §13): the
same sources and the same ``as_of`` give the same marts whichever way the raw tables were
loaded, and a full refresh keeps the history and the frozen months.

Three builds into one warehouse:

- A: the shared tiny warehouse (the generated tiny set as of its manifest, which makes
  July to October final and freezes them);
- B: the next day, incremental, after the sources changed as an operator would see: a
  business staff member moved team (staff has no updated_at), a November process was
  cancelled, a July archive step's sent_at was corrected (a frozen month), and a second
  archive step appeared for a marketing step that already has one (a duplicate key within
  the archive system) — every changed row with a new updated_at;
- C: ``--full-refresh`` at B's as_of with the sources unchanged since B.
"""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from dagster_project.build import run_build
from ingest import warehouse as wh
from ingest.clock import format_as_of, parse_as_of
from ingest.contract import TABLES

FROZEN_TABLES = ("kpi_monthly", "scorecard_monthly", "audit_sample")
HISTORY_TABLES = ("staff", "customers", "processes")
SCHEMAS = ("marts", "frozen", "history", "raw")


@dataclass(frozen=True)
class Changes:
    """What was changed in the sources between builds A and B."""

    staff_id: str
    new_team: str
    cancelled_proc_id: str
    corrected_arch_step_id: str
    duplicated_step_id: str
    updated_at: str


@dataclass(frozen=True)
class Build:
    """Every table of the schemas under test after one build: name → sorted rows."""

    as_of: str
    tables: dict[str, list[tuple]]
    frozen_months: list[tuple]

    def schema(self, schema: str) -> dict[str, list[tuple]]:
        return {name: rows for name, rows in self.tables.items() if name.startswith(f"{schema}.")}


@dataclass(frozen=True)
class RefreshScenario:
    changes: Changes
    build_a: Build
    build_b: Build
    build_c: Build


def _read(warehouse: Path, as_of: str) -> Build:
    con = wh.connect_published(warehouse)
    try:
        names = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
            " where table_schema in (select unnest(?)) order by 1",
            [list(SCHEMAS)],
        ).fetchall()
        tables = {
            name: con.execute(f"select * from {name} order by all").fetchall()
            for (name,) in names
            if name != "marts.build_info"
        }
        frozen_months = (
            con.execute("select distinct month, frozen_at from frozen.kpi_monthly order by all").fetchall()
            if "frozen.kpi_monthly" in tables
            else []
        )
    finally:
        con.close()
    return Build(as_of, tables, frozen_months)


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def _change_sources(source: Path, warehouse: Path, updated_at: str) -> Changes:
    """Edit the CSV sources of ``source`` as described in the module docstring, choosing the
    rows from what build A loaded."""
    con = wh.connect_published(warehouse)
    try:
        staff_id, new_team = con.execute(
            "select staff.staff_id, other.team_code from raw.staff as staff"
            " inner join raw.teams as other on other.team_code <> staff.team_code"
            " where staff.post = 'business' order by staff.staff_id, other.team_code limit 1"
        ).fetchone()
        (cancelled,) = con.execute(
            "select proc_id from raw.processes where status = 'in_progress'"
            " and accepted_at >= '2026-11-01' order by proc_id limit 1"
        ).fetchone()
        (corrected,) = con.execute(
            "select arch_step_id from raw.archive_steps where sent_at >= '2026-07-01'"
            " and sent_at < '2026-08-01' order by arch_step_id limit 1"
        ).fetchone()
        # A completed process's step, sent to the collector: its figures show in the marts.
        duplicated = con.execute(
            "select archive_steps.* from raw.archive_steps as archive_steps"
            " inner join raw.processes as processes on archive_steps.proc_id = processes.proc_id"
            " where processes.status = 'completed' and archive_steps.created_at >= '2026-11-01'"
            " and archive_steps.sent_at is not null order by archive_steps.arch_step_id limit 1"
        ).fetchone()
        columns = [column[0] for column in con.description]
    finally:
        con.close()

    fields, staff = _rows(source / "marketing" / "staff.csv")
    for row in staff:
        if row["staff_id"] == staff_id:
            row["team_code"] = new_team
    _write(source / "marketing" / "staff.csv", fields, staff)

    fields, processes = _rows(source / "marketing" / "processes.csv")
    for row in processes:
        if row["proc_id"] == cancelled:
            row.update(status="cancelled", updated_at=updated_at)
    _write(source / "marketing" / "processes.csv", fields, processes)

    fields, archive_steps = _rows(source / "archive" / "archive_steps.csv")
    for row in archive_steps:
        if row["arch_step_id"] == corrected:
            sent = parse_as_of(row["sent_at"])
            row.update(sent_at=format_as_of(sent + timedelta(days=3)), updated_at=updated_at)
    copy = dict(zip(columns, duplicated, strict=True))
    twin = {field: "" if copy.get(field) is None else str(copy[field]) for field in fields}
    twin.update(arch_step_id=f"{copy['arch_step_id']}-B", updated_at=updated_at)
    archive_steps.append(twin)
    _write(source / "archive" / "archive_steps.csv", fields, archive_steps)
    return Changes(staff_id, new_team, cancelled, corrected, copy["step_id"], updated_at)


def _build(source: Path, scans: Path, warehouse: Path, as_of: str, *, full_refresh: bool) -> Build:
    code = run_build(source, None, None, scans, warehouse, as_of, full_refresh)
    assert code == 0, f"dangan build as of {as_of} (full_refresh={full_refresh}) failed with exit code {code}"
    return _read(warehouse, as_of)


@pytest.fixture(scope="module")
def scenario(
    tiny_source: Path, tiny_as_of: str, tiny_warehouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> RefreshScenario:
    work = tmp_path_factory.mktemp("close_scenarios")
    warehouse = work / "w" / "warehouse.duckdb"
    copy = wh.build_dir(warehouse) / "seed-copy.duckdb"
    copy.parent.mkdir(parents=True)
    copy.write_bytes(wh.published_file(tiny_warehouse).read_bytes())
    wh.publish(copy, warehouse)
    build_a = _read(warehouse, tiny_as_of)

    con = wh.connect_published(warehouse)
    try:
        watermark = max(
            con.execute(f"select max(updated_at) from raw.{table.name}").fetchone()[0]
            for table in TABLES
            if table.has_updated_at
        )
    finally:
        con.close()
    # Every change must be newer than anything loaded, or no incremental load would see it.
    updated_at = format_as_of(max(watermark, parse_as_of(tiny_as_of)) + timedelta(hours=1))
    as_of = format_as_of(parse_as_of(updated_at) + timedelta(days=1))

    source = work / "source"
    shutil.copytree(tiny_source, source, ignore=shutil.ignore_patterns("scans"))
    changes = _change_sources(source, warehouse, updated_at)
    build_b = _build(source, tiny_source / "scans", warehouse, as_of, full_refresh=False)
    build_c = _build(source, tiny_source / "scans", warehouse, as_of, full_refresh=True)
    return RefreshScenario(changes, build_a, build_b, build_c)


def _differences(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> dict[str, tuple[int, int]]:
    """Per table that differs: (rows only before, rows only after); a missing table is (-1, -1)."""
    differing = {}
    for name in sorted(set(before) | set(after)):
        if name not in before or name not in after:
            differing[name] = (-1, -1)
            continue
        only_before = [row for row in before[name] if row not in after[name]]
        only_after = [row for row in after[name] if row not in before[name]]
        if only_before or only_after:
            differing[name] = (len(only_before), len(only_after))
    return differing


def test_full_refresh_after_incremental_loads_gives_identical_marts(scenario: RefreshScenario) -> None:
    marts = scenario.build_b.schema("marts")
    assert _differences(marts, scenario.build_c.schema("marts")) == {}
    assert {"marts.kpi_monthly", "marts.scorecard_monthly", "marts.audit_sample", "marts.kpi_months"} <= set(
        marts
    )


def test_full_refresh_after_incremental_loads_gives_identical_source_tables(
    scenario: RefreshScenario,
) -> None:
    """The raw copy of every contract table, the duplicate archive step resolved alike."""
    contract = {f"raw.{table.name}" for table in TABLES}
    before = {name: rows for name, rows in scenario.build_b.schema("raw").items() if name in contract}
    after = {name: rows for name, rows in scenario.build_c.schema("raw").items() if name in contract}
    assert set(before) == contract
    assert _differences(before, after) == {}


def test_full_refresh_keeps_the_frozen_months(scenario: RefreshScenario) -> None:
    """July to October were frozen by build A at its as_of; neither the incremental build
    (which also corrected a July send) nor the full refresh changes a frozen row."""
    frozen = scenario.build_a.schema("frozen")
    assert {f"frozen.{name}" for name in FROZEN_TABLES} <= set(frozen)
    frozen_at = parse_as_of(scenario.build_a.as_of)
    assert scenario.build_a.frozen_months == [(date(2026, month, 1), frozen_at) for month in (7, 8, 9, 10)]
    assert _differences(frozen, scenario.build_b.schema("frozen")) == {}
    assert _differences(frozen, scenario.build_c.schema("frozen")) == {}


def test_frozen_months_of_the_marts_are_unchanged_by_the_correction(scenario: RefreshScenario) -> None:
    """The July correction reaches the raw table but not July's kpi_monthly rows."""
    corrected = [
        row
        for row in scenario.build_c.tables["raw.archive_steps"]
        if row[0] == scenario.changes.corrected_arch_step_id
    ]
    assert len(corrected) == 1 and str(corrected[0][-1]) == scenario.changes.updated_at

    def july(build: Build) -> list[tuple]:
        return [row for row in build.tables["marts.kpi_monthly"] if str(row[0]) == "2026-07-01"]

    assert july(scenario.build_a)
    assert july(scenario.build_b) == july(scenario.build_a)
    assert july(scenario.build_c) == july(scenario.build_a)


def test_full_refresh_keeps_the_history_written_by_the_incremental_build(scenario: RefreshScenario) -> None:
    changes = scenario.changes
    history = scenario.build_b.schema("history")
    assert {f"history.{name}" for name in HISTORY_TABLES} <= set(history)
    moved = [row for row in history["history.staff"] if row[0] == changes.staff_id]
    assert [(row[1], str(row[-2])) for row in sorted(moved, key=lambda row: row[-2])][-1] == (
        changes.new_team,
        scenario.build_b.as_of,
    )
    cancelled = [row for row in history["history.processes"] if row[0] == changes.cancelled_proc_id]
    assert [(row[1], str(row[-2])) for row in sorted(cancelled, key=lambda row: row[-2])][-1] == (
        "cancelled",
        changes.updated_at,
    )
    assert _differences(history, scenario.build_c.schema("history")) == {}
