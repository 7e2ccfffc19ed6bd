"""History (SCD type 2, DOMAIN.md §13) written by successive ``dbt build`` runs into one
warehouse: each scenario changes the raw tables between builds and reads schema ``history``.

Only the history models and the staging views they read are built (``+path:models/history``),
on the hand-made rows of the dbt fixtures: the history depends on nothing else, and four
builds of the whole project would cost minutes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from ingest.contract import TABLES, create_raw_tables
from tests.dbt.conftest import HAND_MADE, run_dbt

BEGINNING = "1900-01-01 00:00:00"
FIRST_AS_OF = "2026-11-01 06:00:00"
SECOND_AS_OF = "2026-11-15 06:00:00"
PAST_AS_OF = "2026-11-05 06:00:00"
MANAGER_CHANGED_AT = "2026-11-10 08:30:00"

HISTORY_TABLES = ("staff", "customers", "processes")


@dataclass(frozen=True)
class HistoryScenario:
    """The history tables after each build of the scenario, table → sorted rows as text."""

    after_first: dict[str, list[tuple]]
    after_second: dict[str, list[tuple]]
    after_past_rebuild: dict[str, list[tuple]]
    after_full_refresh: dict[str, list[tuple]]


def _history(database: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return {
            table: [
                tuple(None if value is None else str(value) for value in row)
                for row in con.execute(f"select * from history.{table} order by all").fetchall()
            ]
            for table in HISTORY_TABLES
        }


def _execute(database: Path, *statements: str) -> None:
    with duckdb.connect(str(database)) as con:
        for statement in statements:
            con.execute(statement)


def _fill_hand_made(database: Path) -> None:
    """The raw tables of a new warehouse holding the hand-made rows of the dbt fixtures."""
    with duckdb.connect(str(database)) as con:
        create_raw_tables(con)
        for table in TABLES:
            for row in HAND_MADE.get(table.name, []):
                marks = ", ".join("?" for _ in row)
                con.execute(
                    f"insert into raw.{table.name} ({', '.join(table.column_names)}) values ({marks})",
                    list(row),
                )


def _build(database: Path, as_of: str, *extra: str) -> None:
    variables = json.dumps({"as_of": as_of})
    run_dbt(database, "run", "--select", "+path:models/history", "--vars", variables, *extra)
    run_dbt(database, "test", "--select", "path:models/history", "--vars", variables)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> HistoryScenario:
    """Four builds into one warehouse:

    1. as of 11-01 on the hand-made rows;
    2. as of 11-15 after TB1 moved from team TESTT to TESTT2, TCUST2's manager changed
       from TB1 to TB2 (updated_at 11-10 08:30), TCUST1's address changed (an untracked
       column, with a new updated_at) and a new staff member TB3 appeared;
    3. as of 11-05 (before the latest recorded version) after TB2 moved team and TP3 was
       cancelled;
    4. ``--full-refresh`` as of 11-15 with the raw tables unchanged since 3.
    """
    database = tmp_path_factory.mktemp("history") / "warehouse.duckdb"
    _fill_hand_made(database)
    _build(database, FIRST_AS_OF)
    after_first = _history(database)

    _execute(
        database,
        "update raw.staff set team_code = 'TESTT2' where staff_id = 'TB1'",
        f"update raw.customers set manager_id = 'TB2', updated_at = '{MANAGER_CHANGED_AT}' where cust_no = 'TCUST2'",
        "update raw.customers set address = '测试路9号', updated_at = '2026-11-12 09:00:00' where cust_no = 'TCUST1'",
        "insert into raw.staff values ('TB3', '业务丁', 'TESTT', 'business', null, null, true)",
    )
    _build(database, SECOND_AS_OF)
    after_second = _history(database)

    _execute(
        database,
        "update raw.staff set team_code = 'TESTT2' where staff_id = 'TB2'",
        "update raw.processes set status = 'cancelled', updated_at = '2026-11-14 10:00:00' where proc_id = 'TP3'",
    )
    _build(database, PAST_AS_OF)
    after_past_rebuild = _history(database)

    _build(database, SECOND_AS_OF, "--full-refresh")
    after_full_refresh = _history(database)
    return HistoryScenario(after_first, after_second, after_past_rebuild, after_full_refresh)


def _versions(rows: list[tuple], key: str) -> list[tuple]:
    """The versions of one row, oldest first (valid_from is the second last column)."""
    return sorted((row for row in rows if row[0] == key), key=lambda row: row[-2])


def test_first_build_records_every_row_once_valid_from_the_beginning(scenario: HistoryScenario) -> None:
    assert scenario.after_first["staff"] == [
        ("TB1", "TESTT", "business", "True", BEGINNING, None),
        ("TB2", "TESTT", "business", "True", BEGINNING, None),
        ("TC1", "TESTT", "collector", "True", BEGINNING, None),
    ]
    assert [(row[0], row[-2], row[-1]) for row in scenario.after_first["customers"]] == [
        ("TCUST1", BEGINNING, None),
        ("TCUST2", BEGINNING, None),
        ("TCUST3", BEGINNING, None),
    ]
    assert scenario.after_first["processes"] == [
        ("TP1", "completed", "TB1", "TESTU", BEGINNING, None),
        ("TP2", "completed", "TB2", "TESTU", BEGINNING, None),
        ("TP3", "in_progress", "TB1", "TESTU", BEGINNING, None),
    ]


def test_team_move_between_builds_closes_the_old_version_at_the_second_builds_as_of(
    scenario: HistoryScenario,
) -> None:
    assert _versions(scenario.after_second["staff"], "TB1") == [
        ("TB1", "TESTT", "business", "True", BEGINNING, SECOND_AS_OF),
        ("TB1", "TESTT2", "business", "True", SECOND_AS_OF, None),
    ]


def test_manager_change_is_a_new_version_valid_from_the_customers_updated_at(
    scenario: HistoryScenario,
) -> None:
    assert _versions(scenario.after_second["customers"], "TCUST2") == [
        ("TCUST2", "TESTU", "non_residential", "low", "single", "TB1", BEGINNING, MANAGER_CHANGED_AT),
        ("TCUST2", "TESTU", "non_residential", "low", "single", "TB2", MANAGER_CHANGED_AT, None),
    ]


def test_unchanged_rows_and_untracked_changes_add_no_version(scenario: HistoryScenario) -> None:
    for table in HISTORY_TABLES:
        for row in scenario.after_first[table]:
            if row[0] not in ("TB1", "TCUST2"):
                assert _versions(scenario.after_second[table], row[0]) == [row], (table, row[0])


def test_row_first_seen_by_a_later_build_is_valid_from_the_beginning(scenario: HistoryScenario) -> None:
    assert _versions(scenario.after_second["staff"], "TB3") == [
        ("TB3", "TESTT", "business", "True", BEGINNING, None)
    ]


def test_build_with_as_of_before_the_latest_version_writes_nothing(scenario: HistoryScenario) -> None:
    assert scenario.after_past_rebuild == scenario.after_second


def test_full_refresh_keeps_history_and_records_changes_as_usual(scenario: HistoryScenario) -> None:
    staff = scenario.after_full_refresh["staff"]
    # Everything recorded before the full refresh is still there, unchanged but for the
    # closing valid_to of the version TB2's move replaces.
    assert [row for row in scenario.after_second["staff"] if row[0] != "TB2"] == [
        row for row in staff if row[0] != "TB2"
    ]
    assert _versions(staff, "TB2") == [
        ("TB2", "TESTT", "business", "True", BEGINNING, SECOND_AS_OF),
        ("TB2", "TESTT2", "business", "True", SECOND_AS_OF, None),
    ]
    assert _versions(scenario.after_full_refresh["processes"], "TP3") == [
        ("TP3", "in_progress", "TB1", "TESTU", BEGINNING, "2026-11-14 10:00:00"),
        ("TP3", "cancelled", "TB1", "TESTU", "2026-11-14 10:00:00", None),
    ]
    assert scenario.after_full_refresh["customers"] == scenario.after_second["customers"]


def test_build_with_a_past_as_of_writes_nothing_even_where_no_version_changed_since(
    tmp_path: Path,
) -> None:
    """GIVEN a build as of 11-15 in which nothing changed (every version valid from the
    beginning) and then a team move of TB2
    WHEN a build as of 11-05 runs, then one as of 11-20
    THEN the past build records nothing (the move was first seen after 11-15, not on 11-05)
    and the later one records the move valid from 11-20."""
    database = tmp_path / "warehouse.duckdb"
    _fill_hand_made(database)
    _build(database, SECOND_AS_OF)
    _execute(database, "update raw.staff set team_code = 'TESTT2' where staff_id = 'TB2'")
    _build(database, PAST_AS_OF)
    assert _versions(_history(database)["staff"], "TB2") == [
        ("TB2", "TESTT", "business", "True", BEGINNING, None)
    ]
    later = "2026-11-20 06:00:00"
    _build(database, later)
    assert _versions(_history(database)["staff"], "TB2") == [
        ("TB2", "TESTT", "business", "True", BEGINNING, later),
        ("TB2", "TESTT2", "business", "True", later, None),
    ]
    with duckdb.connect(str(database), read_only=True) as con:
        builds = [
            str(row[0]) for row in con.execute("select as_of from history.builds order by as_of").fetchall()
        ]
    assert builds == [SECOND_AS_OF, later]
