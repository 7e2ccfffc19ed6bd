"""ingest.calendar.load_calendar: the working-day calendar in raw.calendar_days."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest
from chinese_calendar import constants as calendar_constants

from ingest.calendar import load_calendar


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    with duckdb.connect() as connection:
        yield connection


def _day(con: duckdb.DuckDBPyConnection, day: str) -> tuple[bool, bool]:
    return con.execute(
        "select is_workday, is_official from raw.calendar_days where calendar_date = ?",
        [date.fromisoformat(day)],
    ).fetchone()


def test_calendar_runs_from_2015_to_the_end_of_next_year(con: duckdb.DuckDBPyConnection) -> None:
    load_calendar(con, datetime(2026, 5, 4, 12, 0))
    first, last, days = con.execute(
        "select min(calendar_date), max(calendar_date), count(*) from raw.calendar_days"
    ).fetchone()
    assert (first, last) == (date(2015, 1, 1), date(2027, 12, 31))
    assert days == (last - first).days + 1


def test_national_day_2026_and_its_make_up_days_follow_the_official_calendar(
    con: duckdb.DuckDBPyConnection,
) -> None:
    load_calendar(con, datetime(2026, 11, 27))
    assert _day(con, "2026-10-01") == (False, True)
    assert _day(con, "2026-10-07") == (False, True)
    assert _day(con, "2026-10-08") == (True, True)
    # Make-up working days on a weekend (chinese_calendar: Sat 2026-10-10, Sun 2026-09-20).
    assert _day(con, "2026-10-10") == (True, True)
    assert _day(con, "2026-09-20") == (True, True)
    assert _day(con, "2026-10-11") == (False, True)


def test_uncovered_years_fall_back_to_monday_to_friday_and_warn_loudly(
    con: duckdb.DuckDBPyConnection,
) -> None:
    coverage = load_calendar(con, datetime(2031, 3, 2))
    assert coverage.first_uncovered_year is not None and coverage.first_uncovered_year <= 2031
    assert any("2031" in warning and "MISSING" in warning for warning in coverage.warnings)
    assert _day(con, "2031-10-01") == (True, False)  # a Wednesday: no holiday known
    assert _day(con, "2031-10-04") == (False, False)  # Saturday


def test_december_warns_when_next_year_is_not_published(con: duckdb.DuckDBPyConnection) -> None:
    covered_last = max(day.year for day in calendar_constants.holidays)
    november = load_calendar(con, datetime(covered_last, 11, 30))
    december = load_calendar(con, datetime(covered_last, 12, 1))
    assert november.warnings == []
    assert any(str(covered_last + 1) in warning for warning in december.warnings)
    assert december.first_uncovered_year == covered_last + 1


def test_reloading_replaces_the_calendar(con: duckdb.DuckDBPyConnection) -> None:
    load_calendar(con, datetime(2030, 1, 1))
    load_calendar(con, datetime(2026, 1, 1))
    assert con.execute("select max(calendar_date) from raw.calendar_days").fetchone()[0] == date(2027, 12, 31)
