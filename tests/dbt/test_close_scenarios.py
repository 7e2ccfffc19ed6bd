"""History and the monthly close over several ``dbt run`` builds into one warehouse
(DOMAIN.md §8, §10, §13): a team move, cancellations either side of a month's cutoff, a
missed close, a rebuild with a past ``as_of`` and a source correction of a frozen month.

The warehouse holds a hand-made supply unit CSU only: teams CTA and CTB, business staff
CX1 (CTA, moves to CTB) and CY1 (CTB, moves to CTA later), collector CC1. Every process is
a TRANSFER of the residential customer CK1 with one archive-producing ACCEPT step done by
its owner, one document two hours after completion and one archive step sent to CC1, so
each process is one step item, one handover item and one audit-sample candidate; TRANSFER
is no business-expansion type and CK1 has no contract, so sla_overdue_rate and
contract_valid_rate are never applicable (0 of 0) for CTA and CTB. Contracts have their
own customer: CK2, non-residential, with a contract valid throughout, managed by CM1 (team
CTC) until 08-12 09:00 and by CM2 (team CTD) after, a change recorded between builds 1
and 2; so the unit's contract_valid_rate is 1 of 1 in every month.

| process | owner | step completed | sent | paper handed over (deadline) | later |
| --- | --- | --- | --- | --- | --- |
| CP1 | CX1 | Mon 07-06 10:00 | 07-07 10:00 (24 h) | 07-08 (07-13) | sent_at corrected to 07-10 after build 4 |
| CP2 | CX1 | Wed 07-15 10:00 | 07-18 10:00 (72 h) | never (07-22) | |
| CP3 | CY1 | Mon 07-20 10:00 | 07-21 09:00 (23 h) | 07-22 (07-27) | cancelled 08-12 09:00 |
| CP4 | CY1 | Wed 07-22 10:00 | 07-23 10:00 (24 h) | 07-24 (07-29) | cancelled 08-18 09:00 |
| CP5 | CX1 | Wed 08-12 10:00 | 08-13 09:00 (23 h) | 08-14 09:00 (08-19) | |
| CP6 | CX1 | Mon 08-17 10:00 | 08-18 09:00 (23 h) | 08-21 09:00 (08-24) | |
| CP7 | CY1 | Wed 08-19 10:00 | 08-19 15:00 (5 h) | never (08-26) | cancelled 09-05 09:00 |
| CP8 | CY1 | Tue 09-08 10:00 | 09-09 09:00 (23 h) | 09-10 09:00 (09-15) | sent_at corrected to 09-12 after build 4 |
| CP9 | CX1 | Tue 10-20 10:00 | 10-23 10:00 (72 h) | 10-22 09:00 (10-27) | |
| CP10 | CY1 | Wed 11-18 10:00 | 11-19 09:00 (23 h) | never (11-25) | |

Audit checks: CA1 on CP1 (07-27, pass), CA2 on CP3 (07-28, fail), CA3 on CP4 (07-29, pass).
Handover deadlines are workday_add(completion date, 5) on the official calendar: the
holidays 09-25 and 10-01..10-07 and the make-up working days 09-20 and 10-10 fall in no
deadline's span, so each is five weekdays on. Close lag 15 days: July closes 08-16 00:00, August 09-16, September 10-16,
October 11-16, November 12-16.

The builds, each a ``dbt run`` of the whole project (raw changes made just before it):

1. as of 08-10 10:00 with CP1-CP4 and the checks (July provisional);
2. as of 08-14 10:00 after CX1 moved from CTA to CTB, CK2's manager changed and CP5
   arrived (July provisional);
3. as of 08-20 10:00 after CP3's and CP4's cancellations and CP6, CP7 arrived: July final;
4. as of 11-20 10:00 after CP6's handover, CP7's cancellation, CP8-CP10 and CY1's move
   to CTA: August, September and October final at once (the close of each was missed);
5. as of 08-20 10:00 again (the past rebuild), raw unchanged since 4;
6. as of 11-25 10:00 after CP1's and CP8's sent_at were corrected (updated_at 11-22).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from ingest.calendar import load_calendar
from ingest.contract import TABLES, create_raw_tables
from tests.dbt.conftest import RESULT_LINE, run_dbt

UNIT, TEAM_A, TEAM_B = "CSU", "CTA", "CTB"
STAFF_X, STAFF_Y, COLLECTOR = "CX1", "CY1", "CC1"
CUSTOMER = "CK1"
# The non-residential customer whose manager changes, and the managers' own teams.
FIRM, MANAGER_1, MANAGER_2, TEAM_C, TEAM_D = "CK2", "CM1", "CM2", "CTC", "CTD"
MANAGER_CHANGED_AT = "2026-08-12 09:00:00"

BUILD_1 = "2026-08-10 10:00:00"
BUILD_2 = "2026-08-14 10:00:00"
BUILD_3 = "2026-08-20 10:00:00"
BUILD_4 = "2026-11-20 10:00:00"
BUILD_6 = "2026-11-25 10:00:00"

JULY, AUGUST, SEPTEMBER, OCTOBER, NOVEMBER = (date(2026, month, 1) for month in (7, 8, 9, 10, 11))

MART_TABLES = ("kpi_monthly", "scorecard_monthly", "audit_sample", "kpi_months")
OPEN_ITEM_TABLES = ("reminders",)
FROZEN_TABLES = ("kpi_monthly", "scorecard_monthly", "audit_sample")

# The indicators of the team and supply-unit tiers (DOMAIN §8), in this order in every
# expected figure below: (numerator, denominator) each.
UNIT_INDICATORS = (
    "completion_rate",
    "timely_filing_rate",
    "handover_timely_rate",
    "sla_overdue_rate",
    "contract_valid_rate",
    "audit_pass_rate",
)
NOT_APPLICABLE = (0, 0)


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass(frozen=True)
class HandMadeProcess:
    """One TRANSFER of CK1: its process, step, archive step, document and handover rows."""

    number: int
    owner: str
    completed_at: str
    sent_at: str
    handed_over_at: str | None

    def rows(self) -> dict[str, list[tuple]]:
        proc_id, step_id = f"CP{self.number}", f"CS{self.number}"
        completed = _ts(self.completed_at)
        started = str(completed - timedelta(hours=1))
        document_at = str(completed + timedelta(hours=2))
        rows: dict[str, list[tuple]] = {
            "processes": [
                (
                    proc_id,
                    "TRANSFER",
                    CUSTOMER,
                    UNIT,
                    self.owner,
                    started,
                    self.completed_at,
                    "completed",
                    self.completed_at,
                ),
            ],
            "process_steps": [
                (
                    step_id,
                    proc_id,
                    1,
                    "ACCEPT",
                    self.owner,
                    started,
                    self.completed_at,
                    True,
                    self.completed_at,
                ),
            ],
            "archive_steps": [
                (
                    f"CAS{self.number}",
                    step_id,
                    proc_id,
                    self.completed_at,
                    document_at,
                    self.sent_at,
                    COLLECTOR,
                    None,
                    None,
                    self.sent_at,
                ),
            ],
            "documents": [
                (
                    f"CD{self.number}",
                    f"DG98{self.number:010d}",
                    CUSTOMER,
                    proc_id,
                    step_id,
                    "APPLICATION",
                    "expansion",
                    1,
                    document_at,
                    self.owner,
                    document_at,
                ),
            ],
            "paper_handovers": [],
        }
        if self.handed_over_at is not None:
            rows["paper_handovers"].append(
                (f"CH{self.number}", proc_id, self.owner, COLLECTOR, self.handed_over_at, 1)
            )
        return rows


ORGANISATION: dict[str, list[tuple]] = {
    "supply_units": [(UNIT, "结账测试供电单位")],
    "teams": [
        (TEAM_A, "结账甲班", UNIT),
        (TEAM_B, "结账乙班", UNIT),
        (TEAM_C, "结账丙班", UNIT),
        (TEAM_D, "结账丁班", UNIT),
    ],
    "staff": [
        (STAFF_X, "业务戊", TEAM_A, "business", None, None, True),
        (STAFF_Y, "业务己", TEAM_B, "business", None, None, True),
        (COLLECTOR, "收集员庚", TEAM_A, "collector", None, None, True),
        (MANAGER_1, "客户经理辛", TEAM_C, "business", None, None, True),
        (MANAGER_2, "客户经理壬", TEAM_D, "business", None, None, True),
    ],
    "customers": [
        (
            CUSTOMER,
            "居民丁",
            "residential",
            "low",
            "single",
            "结账路1号",
            UNIT,
            None,
            "2020-01-01",
            None,
            "2026-06-01 00:00:00",
        ),
        (
            FIRM,
            "企业戊",
            "non_residential",
            "low",
            "single",
            "结账路2号",
            UNIT,
            MANAGER_1,
            "2020-01-01",
            None,
            "2026-06-01 00:00:00",
        ),
    ],
    "contracts": [("CKT2", FIRM, "2026-01-01", "2029-01-01", False, None, "2026-01-01 00:00:00")],
}

JULY_PROCESSES = (
    HandMadeProcess(1, STAFF_X, "2026-07-06 10:00:00", "2026-07-07 10:00:00", "2026-07-08 10:00:00"),
    HandMadeProcess(2, STAFF_X, "2026-07-15 10:00:00", "2026-07-18 10:00:00", None),
    HandMadeProcess(3, STAFF_Y, "2026-07-20 10:00:00", "2026-07-21 09:00:00", "2026-07-22 10:00:00"),
    HandMadeProcess(4, STAFF_Y, "2026-07-22 10:00:00", "2026-07-23 10:00:00", "2026-07-24 10:00:00"),
)
JULY_CHECKS = [
    ("CA1", "CP1", COLLECTOR, "2026-07-27 10:00:00", "pass"),
    ("CA2", "CP3", COLLECTOR, "2026-07-28 10:00:00", "fail"),
    ("CA3", "CP4", COLLECTOR, "2026-07-29 10:00:00", "pass"),
]
CP5 = HandMadeProcess(5, STAFF_X, "2026-08-12 10:00:00", "2026-08-13 09:00:00", "2026-08-14 09:00:00")
CP6 = HandMadeProcess(6, STAFF_X, "2026-08-17 10:00:00", "2026-08-18 09:00:00", None)
CP7 = HandMadeProcess(7, STAFF_Y, "2026-08-19 10:00:00", "2026-08-19 15:00:00", None)
LATER_PROCESSES = (
    HandMadeProcess(8, STAFF_Y, "2026-09-08 10:00:00", "2026-09-09 09:00:00", "2026-09-10 09:00:00"),
    HandMadeProcess(9, STAFF_X, "2026-10-20 10:00:00", "2026-10-23 10:00:00", "2026-10-22 09:00:00"),
    HandMadeProcess(10, STAFF_Y, "2026-11-18 10:00:00", "2026-11-19 09:00:00", None),
)


@dataclass(frozen=True)
class Table:
    """A table as read after a build: column names and every row, sorted."""

    columns: tuple[str, ...]
    rows: tuple[tuple, ...]

    def records(self) -> list[dict]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Snapshot:
    """What one build left: the marts under test and the frozen tables (None: no such table)."""

    as_of: str
    marts: dict[str, Table | None]
    frozen: dict[str, Table | None]

    def mart(self, name: str) -> Table:
        table = self.marts[name]
        assert table is not None, f"marts.{name} does not exist after the build as of {self.as_of}"
        return table

    def frozen_table(self, name: str) -> Table:
        table = self.frozen[name]
        assert table is not None, f"frozen.{name} does not exist after the build as of {self.as_of}"
        return table


@dataclass(frozen=True)
class CloseScenario:
    database: Path
    build_1: Snapshot
    build_2: Snapshot
    build_3: Snapshot
    build_4: Snapshot
    past_rebuild: Snapshot
    build_6: Snapshot


def _read(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> Table | None:
    try:
        cursor = con.execute(f"select * from {schema}.{name} order by all")
    except duckdb.CatalogException:
        return None
    columns = tuple(column[0] for column in cursor.description)
    return Table(columns, tuple(cursor.fetchall()))


def _insert(database: Path, tables: dict[str, list[tuple]]) -> None:
    columns = {table.name: table.column_names for table in TABLES}
    with duckdb.connect(str(database)) as con:
        for name, rows in tables.items():
            for row in rows:
                marks = ", ".join("?" for _ in row)
                con.execute(
                    f"insert into raw.{name} ({', '.join(columns[name])}) values ({marks})", list(row)
                )


def _execute(database: Path, *statements: str) -> None:
    with duckdb.connect(str(database)) as con:
        for statement in statements:
            con.execute(statement)


def _build(database: Path, as_of: str) -> Snapshot:
    run_dbt(database, "run", "--vars", json.dumps({"as_of": as_of}))
    with duckdb.connect(str(database), read_only=True) as con:
        return Snapshot(
            as_of=as_of,
            marts={name: _read(con, "marts", name) for name in (*MART_TABLES, *OPEN_ITEM_TABLES)},
            frozen={name: _read(con, "frozen", name) for name in FROZEN_TABLES},
        )


def _process_rows(*processes: HandMadeProcess) -> dict[str, list[tuple]]:
    merged: dict[str, list[tuple]] = {}
    for process in processes:
        for name, rows in process.rows().items():
            merged.setdefault(name, []).extend(rows)
    return merged


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> CloseScenario:
    """The six builds of the module docstring, into one warehouse, in order."""
    database = tmp_path_factory.mktemp("close_scenarios") / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:
        create_raw_tables(con)
        load_calendar(con, _ts(BUILD_6))
    _insert(database, ORGANISATION)
    _insert(database, _process_rows(*JULY_PROCESSES))
    _insert(database, {"audit_checks": JULY_CHECKS})
    run_dbt(database, "seed")
    build_1 = _build(database, BUILD_1)

    _execute(
        database,
        f"update raw.staff set team_code = '{TEAM_B}' where staff_id = '{STAFF_X}'",
        f"update raw.customers set manager_id = '{MANAGER_2}', updated_at = '{MANAGER_CHANGED_AT}'"
        f" where cust_no = '{FIRM}'",
    )
    _insert(database, _process_rows(CP5))
    build_2 = _build(database, BUILD_2)

    _execute(
        database,
        "update raw.processes set status = 'cancelled', updated_at = '2026-08-12 09:00:00' where proc_id = 'CP3'",
        "update raw.processes set status = 'cancelled', updated_at = '2026-08-18 09:00:00' where proc_id = 'CP4'",
    )
    _insert(database, _process_rows(CP6, CP7))
    build_3 = _build(database, BUILD_3)

    _insert(database, {"paper_handovers": [("CH6", "CP6", STAFF_X, COLLECTOR, "2026-08-21 09:00:00", 1)]})
    _execute(
        database,
        "update raw.processes set status = 'cancelled', updated_at = '2026-09-05 09:00:00' where proc_id = 'CP7'",
        f"update raw.staff set team_code = '{TEAM_A}' where staff_id = '{STAFF_Y}'",
    )
    _insert(database, _process_rows(*LATER_PROCESSES))
    build_4 = _build(database, BUILD_4)

    past_rebuild = _build(database, BUILD_3)

    _execute(
        database,
        "update raw.archive_steps set sent_at = '2026-07-10 10:00:00', updated_at = '2026-11-22 09:00:00' "
        "where arch_step_id = 'CAS1'",
        "update raw.archive_steps set sent_at = '2026-09-12 10:00:00', updated_at = '2026-11-22 09:00:00' "
        "where arch_step_id = 'CAS8'",
    )
    build_6 = _build(database, BUILD_6)
    return CloseScenario(database, build_1, build_2, build_3, build_4, past_rebuild, build_6)


def _figures(snapshot: Snapshot, month: date, tier: str, entity: str) -> tuple | None:
    """(numerator, denominator) of each tier indicator, in UNIT_INDICATORS order; None when
    the entity has no row in the month (no applicable indicator)."""
    found = {
        record["indicator"]: (record["numerator"], record["denominator"])
        for record in snapshot.mart("kpi_monthly").records()
        if record["month"] == month and record["tier"] == tier and record["entity_id"] == entity
    }
    if not found:
        return None
    return tuple(found.get(indicator) for indicator in UNIT_INDICATORS)


def _pending(snapshot: Snapshot, month: date, tier: str, entity: str, indicator: str) -> int:
    pending = [
        record["pending_count"]
        for record in snapshot.mart("kpi_monthly").records()
        if (record["month"], record["tier"], record["entity_id"], record["indicator"])
        == (month, tier, entity, indicator)
    ]
    assert len(pending) == 1, (month, tier, entity, indicator, pending)
    return pending[0]


def _freeze_times(table: Table) -> list[tuple]:
    """Distinct (month, frozen_at) of a table, as the freeze stamped them."""
    return sorted({(record["month"], record["frozen_at"]) for record in table.records()})


def _months_of(table: Table, months: tuple[date, ...]) -> list[dict]:
    return [record for record in table.records() if record["month"] in months]


def _project(records: list[dict], columns: list[str]) -> list[tuple]:
    return sorted((tuple(record[column] for column in columns) for record in records), key=repr)


# ---- 1. a team move between builds -------------------------------------------------

# July as of builds 1 and 2, before any cancellation: CX1's CP1 and CP2 for CTA (CS1
# timely, CS2 72 h; CP1 handed over, CP2 never; CA1 passed), CY1's CP3 and CP4 for CTB
# (both timely and handed over; CA2 failed, CA3 passed).
JULY_BEFORE_CANCELLATIONS = {
    TEAM_A: ((2, 2), (1, 2), (1, 2), NOT_APPLICABLE, NOT_APPLICABLE, (1, 1)),
    TEAM_B: ((2, 2), (2, 2), (2, 2), NOT_APPLICABLE, NOT_APPLICABLE, (1, 2)),
    UNIT: ((4, 4), (3, 4), (3, 4), NOT_APPLICABLE, (1, 1), (2, 3)),
}


def test_team_figures_of_a_provisional_month_stay_where_they_were_after_a_team_move(
    scenario: CloseScenario,
) -> None:
    """GIVEN CX1 in CTA when build 1 (08-10) counts July, and in CTB from build 2 (08-14)
    WHEN build 2 counts July again, still provisional
    THEN CX1's July steps and processes stay with CTA and CTB keeps only CY1's."""
    for snapshot in (scenario.build_1, scenario.build_2):
        for tier, entity in (("team", TEAM_A), ("team", TEAM_B), ("supply_unit", UNIT)):
            assert _figures(snapshot, JULY, tier, entity) == JULY_BEFORE_CANCELLATIONS[entity], (
                snapshot.as_of,
                entity,
            )


def test_step_completed_before_the_build_that_saw_the_move_counts_for_the_old_team(
    scenario: CloseScenario,
) -> None:
    """CS5 (08-12) was completed before build 2's as_of, the moment the move is known from
    (staff has no updated_at): it is CTA's. CTB has no August item at all in build 2."""
    assert _figures(scenario.build_2, AUGUST, "team", TEAM_A) == (
        (1, 1),
        (1, 1),
        (1, 1),
        NOT_APPLICABLE,
        NOT_APPLICABLE,
        NOT_APPLICABLE,
    )
    assert _figures(scenario.build_2, AUGUST, "team", TEAM_B) is None


def test_steps_completed_after_the_move_count_for_the_new_team(scenario: CloseScenario) -> None:
    """Build 3 (08-20): CS6 (08-17) and CS7 (08-19), completed after build 2's as_of, are
    CTB's (CX1's CS6 and CY1's CS7); CS5 stays CTA's. CP6's and CP7's paper deadlines (08-24,
    08-26) are after the cutoff's date: both pending, so CTB's handover is 0 of 0."""
    assert _figures(scenario.build_3, AUGUST, "team", TEAM_A) == (
        (1, 1),
        (1, 1),
        (1, 1),
        NOT_APPLICABLE,
        NOT_APPLICABLE,
        NOT_APPLICABLE,
    )
    assert _figures(scenario.build_3, AUGUST, "team", TEAM_B) == (
        (2, 2),
        (2, 2),
        NOT_APPLICABLE,
        NOT_APPLICABLE,
        NOT_APPLICABLE,
        NOT_APPLICABLE,
    )
    assert _pending(scenario.build_3, AUGUST, "team", TEAM_B, "handover_timely_rate") == 2


# ---- 2. cancellations either side of the cutoff ------------------------------------

# July as of build 3 (cutoff 08-16 00:00): CP3, cancelled 08-12 09:00, is out (its step,
# its handover and CA2); CP4, cancelled 08-18 09:00 after the cutoff, still counts.
JULY_FINAL = {
    TEAM_A: ((2, 2), (1, 2), (1, 2), NOT_APPLICABLE, NOT_APPLICABLE, (1, 1)),
    TEAM_B: ((1, 1), (1, 1), (1, 1), NOT_APPLICABLE, NOT_APPLICABLE, (1, 1)),
    UNIT: ((3, 3), (2, 3), (2, 3), NOT_APPLICABLE, (1, 1), (2, 2)),
}


def test_process_cancelled_before_the_cutoff_leaves_the_month_and_one_cancelled_after_it_stays(
    scenario: CloseScenario,
) -> None:
    """GIVEN CP3 cancelled 08-12 and CP4 cancelled 08-18, both recorded after build 2
    WHEN build 3 (08-20) counts July, final since 08-16 00:00
    THEN CP3 is left out of July and CP4 is counted."""
    for tier, entity in (("team", TEAM_A), ("team", TEAM_B), ("supply_unit", UNIT)):
        assert _figures(scenario.build_3, JULY, tier, entity) == JULY_FINAL[entity], entity


def test_frozen_july_holds_the_figures_as_of_its_cutoff(scenario: CloseScenario) -> None:
    for snapshot in (scenario.build_3, scenario.build_4, scenario.build_6):
        for tier, entity in (("team", TEAM_A), ("team", TEAM_B), ("supply_unit", UNIT)):
            assert _figures(snapshot, JULY, tier, entity) == JULY_FINAL[entity], (snapshot.as_of, entity)


def test_cancellation_after_the_cutoff_of_a_provisional_month_is_left_to_the_cutoff(
    scenario: CloseScenario,
) -> None:
    """CP7 (completed 08-19, cancelled 09-05 before August's cutoff 09-16) counts in
    August as of build 3 and is out of the final August of build 4, where CP6's paper,
    handed over 08-21 by its deadline 08-24, is now timely."""
    assert _figures(scenario.build_4, AUGUST, "team", TEAM_B) == (
        (1, 1),
        (1, 1),
        (1, 1),
        NOT_APPLICABLE,
        NOT_APPLICABLE,
        NOT_APPLICABLE,
    )
    assert _figures(scenario.build_4, AUGUST, "supply_unit", UNIT) == (
        (2, 2),
        (2, 2),
        (2, 2),
        NOT_APPLICABLE,
        (1, 1),
        NOT_APPLICABLE,
    )


def _sample(snapshot: Snapshot) -> list[tuple]:
    return sorted(
        (record["month"], record["proc_id"], record["population"], record["sample_size"])
        for record in snapshot.mart("audit_sample").records()
        if record["unit_code"] == UNIT
    )


def test_audit_sample_leaves_out_processes_cancelled_by_the_months_cutoff(scenario: CloseScenario) -> None:
    """Every population is below the sample minimum of 5, so the whole population is the
    sample. July as of build 2: CP1-CP4. As of build 3 and later (final): CP3 is out,
    CP4 (cancelled after the cutoff) stays. August as of build 3: CP5-CP7 with documents
    by 08-20; final as of build 4: CP7 out. Later months: one process each."""
    assert [row for row in _sample(scenario.build_2) if row[0] == JULY] == [
        (JULY, f"CP{number}", 4, 4) for number in (1, 2, 3, 4)
    ]
    assert _sample(scenario.build_3) == [
        *((JULY, f"CP{number}", 3, 3) for number in (1, 2, 4)),
        *((AUGUST, f"CP{number}", 3, 3) for number in (5, 6, 7)),
    ]
    assert _sample(scenario.build_4) == [
        *((JULY, f"CP{number}", 3, 3) for number in (1, 2, 4)),
        *((AUGUST, f"CP{number}", 2, 2) for number in (5, 6)),
        (SEPTEMBER, "CP8", 1, 1),
        (OCTOBER, "CP9", 1, 1),
        (NOVEMBER, "CP10", 1, 1),
    ]


# ---- 3. freezing and a missed close --------------------------------------------------


def test_no_month_is_frozen_before_its_close(scenario: CloseScenario) -> None:
    for snapshot in (scenario.build_1, scenario.build_2):
        for name in FROZEN_TABLES:
            assert snapshot.frozen_table(name).rows == (), (snapshot.as_of, name)
        assert {record["frozen_at"] for record in snapshot.mart("kpi_monthly").records()} == {None}


def test_first_build_after_the_close_freezes_the_month_at_its_as_of(scenario: CloseScenario) -> None:
    """Build 3 (08-20 10:00) is the first after July's close (08-16 00:00): July is frozen
    with frozen_at = 08-20 10:00 in every frozen table, and the marts show July from there
    and August computed (frozen_at null)."""
    frozen_at = _ts(BUILD_3)
    for name in FROZEN_TABLES:
        assert _freeze_times(scenario.build_3.frozen_table(name)) == [(JULY, frozen_at)], name
    for name in FROZEN_TABLES:
        assert _freeze_times(scenario.build_3.mart(name)) == [(JULY, frozen_at), (AUGUST, None)], name


def test_frozen_rows_are_the_marts_rows_of_the_month(scenario: CloseScenario) -> None:
    """Every column the frozen table shares with its mart holds the mart's July value."""
    for name in FROZEN_TABLES:
        frozen = scenario.build_3.frozen_table(name)
        mart = scenario.build_3.mart(name)
        shared = [column for column in frozen.columns if column in mart.columns]
        assert {"month", "frozen_at"} <= set(shared), (name, shared)
        assert len(frozen.rows) > 0, name
        assert _project(_months_of(frozen, (JULY,)), shared) == _project(_months_of(mart, (JULY,)), shared), (
            name
        )


def test_missed_close_freezes_every_final_month_at_once_at_the_builds_as_of(scenario: CloseScenario) -> None:
    """GIVEN no build between 08-20 and 11-20
    WHEN build 4 runs as of 11-20 10:00, after the closes of August (09-16), September
    (10-16) and October (11-16)
    THEN the three months are frozen by that one build with frozen_at = its as_of, July
    keeps its own freeze time and November is computed."""
    july_at, caught_up_at = _ts(BUILD_3), _ts(BUILD_4)
    expected = [(JULY, july_at), (AUGUST, caught_up_at), (SEPTEMBER, caught_up_at), (OCTOBER, caught_up_at)]
    for name in FROZEN_TABLES:
        assert _freeze_times(scenario.build_4.frozen_table(name)) == expected, name
        assert _freeze_times(scenario.build_4.mart(name)) == [*expected, (NOVEMBER, None)], name


def test_months_frozen_after_a_missed_close_hold_each_months_figures(scenario: CloseScenario) -> None:
    """September: CY1's CS8 (CTB until 11-20). October: CX1's CS9, late (72 h). November
    (provisional, cutoff 11-20 10:00): CY1's CS10 of 11-18, before CY1's move became known,
    stays CTB's; CP10's paper deadline 11-25 is not past, so handover is pending."""
    for month, figures in (
        (SEPTEMBER, ((1, 1), (1, 1), (1, 1), NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE)),
        (OCTOBER, ((1, 1), (0, 1), (1, 1), NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE)),
        (NOVEMBER, ((1, 1), (1, 1), NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE)),
    ):
        assert _figures(scenario.build_4, month, "team", TEAM_B) == figures, month
        assert _figures(scenario.build_4, month, "team", TEAM_A) is None, month
        # The unit also counts CK2's valid contract.
        assert _figures(scenario.build_4, month, "supply_unit", UNIT) == (*figures[:4], (1, 1), figures[5]), (
            month
        )
    assert _pending(scenario.build_4, NOVEMBER, "team", TEAM_B, "handover_timely_rate") == 1


def _kpi_months(snapshot: Snapshot) -> list[tuple]:
    return [
        (
            record["month"],
            record["status"],
            record["is_final"],
            record["close_at"],
            record["cutoff_at"],
            record["frozen_at"],
        )
        for record in snapshot.mart("kpi_months").records()
    ]


def test_kpi_months_lists_each_months_status_close_cutoff_and_freeze_time(scenario: CloseScenario) -> None:
    def close(month: str) -> datetime:
        return _ts(f"2026-{month} 00:00:00")

    assert _kpi_months(scenario.build_2) == [
        (JULY, "provisional", False, close("08-16"), _ts(BUILD_2), None),
        (AUGUST, "provisional", False, close("09-16"), _ts(BUILD_2), None),
    ]
    assert _kpi_months(scenario.build_4) == [
        (JULY, "final", True, close("08-16"), close("08-16"), _ts(BUILD_3)),
        (AUGUST, "final", True, close("09-16"), close("09-16"), _ts(BUILD_4)),
        (SEPTEMBER, "final", True, close("10-16"), close("10-16"), _ts(BUILD_4)),
        (OCTOBER, "final", True, close("11-16"), close("11-16"), _ts(BUILD_4)),
        (NOVEMBER, "provisional", False, close("12-16"), _ts(BUILD_4), None),
    ]


# ---- contracts: the manager's team at the evaluation date ------------------------------

CONTRACT_ONLY = (NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE, (1, 1), NOT_APPLICABLE)


def test_contract_counts_for_the_team_of_the_manager_at_the_evaluation_date(scenario: CloseScenario) -> None:
    """CK2's valid contract counts for its manager's team at min(as_of, end of e), e =
    min(as_of date, last day of M). CM1 (CTC) is CK2's manager until 08-12 09:00 (recorded
    after build 1), CM2 (CTD) from then on. July (e = 07-31) is CTC's in every build;
    August is CTC's as of build 1 (08-10) and CTD's from build 2 (08-14) on."""
    assert _figures(scenario.build_1, JULY, "team", TEAM_C) == CONTRACT_ONLY
    assert _figures(scenario.build_1, AUGUST, "team", TEAM_C) == CONTRACT_ONLY
    assert _figures(scenario.build_1, AUGUST, "team", TEAM_D) is None
    for snapshot in (scenario.build_2, scenario.build_3, scenario.build_4, scenario.past_rebuild):
        assert _figures(snapshot, JULY, "team", TEAM_C) == CONTRACT_ONLY, snapshot.as_of
        assert _figures(snapshot, JULY, "team", TEAM_D) is None, snapshot.as_of
        assert _figures(snapshot, AUGUST, "team", TEAM_D) == CONTRACT_ONLY, snapshot.as_of
        assert _figures(snapshot, AUGUST, "team", TEAM_C) is None, snapshot.as_of
    for month in (SEPTEMBER, OCTOBER, NOVEMBER):
        assert _figures(scenario.build_4, month, "team", TEAM_D) == CONTRACT_ONLY, month


# ---- 4. a rebuild with a past as_of --------------------------------------------------


@pytest.mark.parametrize("name", MART_TABLES)
def test_rebuild_with_a_past_as_of_shows_exactly_what_the_build_then_showed(
    scenario: CloseScenario, name: str
) -> None:
    """GIVEN a warehouse with July to October frozen, and since build 3 only rows
    timestamped after 08-20 10:00 and tracked changes (CY1's move, CP7's cancellation)
    WHEN it is rebuilt as of 08-20 10:00
    THEN every column of every row equals build 3's: July from its freeze, August computed
    with CP7 not yet cancelled and CY1 still in CTB."""
    then, now = scenario.build_3.mart(name), scenario.past_rebuild.mart(name)
    assert now.columns == then.columns
    assert [row for row in now.rows if row not in then.rows] == []
    assert [row for row in then.rows if row not in now.rows] == []


def _paper_reminders(snapshot: Snapshot) -> list[tuple]:
    return sorted(
        (record["object_id"], record["person_id"], record["level"])
        for record in snapshot.mart("reminders").records()
        if record["category"] == "to_hand_over" and record["unit_code"] == UNIT
    )


def test_reminders_leave_out_processes_cancelled_at_the_as_of(scenario: CloseScenario) -> None:
    """Paper not handed over: CP2 (deadline 07-22, overdue) always; as of 08-20 CP6 and
    CP7 (deadlines 08-24, 08-26: reminder), CP3 and CP4 having been handed over; as of
    11-20 CP6 is handed over, CP7 cancelled (09-05) and CP10's deadline 11-25 is ahead.
    The past rebuild as of 08-20 reminds of CP7 again: it was not cancelled then."""
    as_of_08_20 = [("CP2", STAFF_X, "overdue"), ("CP6", STAFF_X, "reminder"), ("CP7", STAFF_Y, "reminder")]
    assert _paper_reminders(scenario.build_3) == as_of_08_20
    assert _paper_reminders(scenario.build_4) == [("CP10", STAFF_Y, "reminder"), ("CP2", STAFF_X, "overdue")]
    assert _paper_reminders(scenario.past_rebuild) == as_of_08_20


def test_rebuild_with_a_past_as_of_freezes_and_changes_nothing(scenario: CloseScenario) -> None:
    for name in FROZEN_TABLES:
        assert scenario.past_rebuild.frozen_table(name) == scenario.build_4.frozen_table(name), name


# ---- 5. frozen rows never change -----------------------------------------------------


def test_source_correction_of_a_frozen_month_leaves_its_figures_as_they_were(scenario: CloseScenario) -> None:
    """GIVEN July and September frozen by builds 3 and 4
    WHEN CS1's send is corrected from 07-07 to 07-10 (late) and CS8's from 09-09 to 09-12
    THEN build 6 shows July to October exactly as build 4 did (CTA's July timely filing
    stays 1 of 2, CTB's September 1 of 1) and the frozen tables are unchanged."""
    for name in FROZEN_TABLES:
        assert scenario.build_6.frozen_table(name) == scenario.build_4.frozen_table(name), name
    final_months = (JULY, AUGUST, SEPTEMBER, OCTOBER)
    for name in FROZEN_TABLES:
        assert _months_of(scenario.build_6.mart(name), final_months) == _months_of(
            scenario.build_4.mart(name), final_months
        ), name
    assert _figures(scenario.build_6, JULY, "team", TEAM_A)[1] == (1, 2)
    assert _figures(scenario.build_6, SEPTEMBER, "team", TEAM_B)[1] == (1, 1)


def test_dbt_tests_pass_on_the_warehouse_after_the_scenario(scenario: CloseScenario) -> None:
    """The data tests of every model, as a production build runs them: unit tests check the
    SQL on fixed fixtures and belong to the fixture warehouse, not to one with frozen months."""
    completed = run_dbt(
        scenario.database,
        "test",
        "--exclude-resource-type",
        "unit_test",
        "--vars",
        json.dumps({"as_of": BUILD_6}),
    )
    outcomes = [
        line.removeprefix(RESULT_LINE).split(" ", 1)
        for line in completed.stdout.splitlines()
        if line.startswith(RESULT_LINE)
    ]
    assert any(unique_id.startswith("test.") for _, unique_id in outcomes), "dbt test ran no data test"
    failed = [(status, unique_id) for status, unique_id in outcomes if status in ("fail", "error")]
    assert not failed, failed
