"""The working-day calendar behind every working-day rule, written to ``raw.calendar_days``.

The official Chinese calendar (holidays and make-up working days) comes from the
``chinese_calendar`` package, which only knows the years published when it was released.
For later years Monday to Friday are working days (corrected in dbt by the editable
``calendar_overrides`` seed), and the build warns: deadlines computed on a guessed calendar
can be off by the length of a holiday.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import duckdb
import pyarrow as pa
from chinese_calendar import constants as calendar_constants

from ingest.contract import RAW_SCHEMA, create_raw_tables

logger = logging.getLogger(__name__)

FIRST_DATE = date(2015, 1, 1)
CALENDAR_TABLE = "calendar_days"


@dataclass(frozen=True)
class CalendarCoverage:
    """Which years the official calendar covers, and what the build should warn about.

    ``first_uncovered_year`` is the first year from 2015 on without official data (None when
    every written year is covered); ``warnings`` are human-readable messages."""

    first_uncovered_year: int | None
    warnings: list[str] = field(default_factory=list)


def _covered_years() -> set[int]:
    """Years for which chinese_calendar has official holiday data."""
    return {day.year for day in calendar_constants.holidays} | {
        day.year for day in calendar_constants.workdays
    }


def _is_workday(day: date, official: bool) -> bool:
    """chinese_calendar.is_workday's rule, read from its tables directly (one call per day
    through its public function costs seconds over twelve years)."""
    if official:
        if day in calendar_constants.workdays:
            return True
        return day.weekday() < 5 and day not in calendar_constants.holidays
    return day.weekday() < 5


def load_calendar(con: duckdb.DuckDBPyConnection, as_of: datetime) -> CalendarCoverage:
    """Replace ``raw.calendar_days`` with 2015-01-01 .. 31 Dec of the year after ``as_of``.

    Warns loudly when ``as_of`` itself falls in an uncovered year (every working-day rule of
    the build then rests on Mon–Fri) and, from December on, when next year is missing.
    """
    create_raw_tables(con)
    covered = _covered_years()
    last = date(as_of.year + 1, 12, 31)
    rows: list[tuple[date, bool, bool]] = []
    day = FIRST_DATE
    while day <= last:
        official = day.year in covered
        rows.append((day, _is_workday(day, official), official))
        day += timedelta(days=1)

    uncovered = sorted({row[0].year for row in rows if not row[2]})
    first_uncovered = uncovered[0] if uncovered else None
    warnings: list[str] = []
    if as_of.year not in covered:
        warnings.append(
            f"WORKING-DAY CALENDAR MISSING for {as_of.year}: chinese_calendar has no official data "
            f"for the as_of year, so raw.{CALENDAR_TABLE} treats Monday-Friday as working days; "
            "holidays and make-up days are wrong until the chinesecalendar package is upgraded "
            "or dbt/seeds/calendar_overrides.csv is filled in"
        )
    elif as_of.month == 12 and (as_of.year + 1) not in covered:
        warnings.append(
            f"working-day calendar for {as_of.year + 1} is not published in chinese_calendar yet: "
            f"deadlines running into {as_of.year + 1} use Monday-Friday; upgrade the chinesecalendar "
            "package or fill in dbt/seeds/calendar_overrides.csv"
        )
    for message in warnings:
        logger.warning(message)

    con.execute("begin transaction")
    try:
        con.execute(f"delete from {RAW_SCHEMA}.{CALENDAR_TABLE}")
        # One Arrow insert: row-by-row executemany takes seconds for ~4,700 days.
        days = pa.table(
            {
                "calendar_date": [row[0] for row in rows],
                "is_workday": [row[1] for row in rows],
                "is_official": [row[2] for row in rows],
            }
        )
        con.register("calendar_days_new", days)
        try:
            con.execute(
                f"insert into {RAW_SCHEMA}.{CALENDAR_TABLE} (calendar_date, is_workday, is_official) "
                "select calendar_date, is_workday, is_official from calendar_days_new"
            )
        finally:
            con.unregister("calendar_days_new")
        con.execute("commit")
    except duckdb.Error:
        con.execute("rollback")
        raise
    logger.info(
        "raw.%s: %d days %s .. %s, first uncovered year %s",
        CALENDAR_TABLE,
        len(rows),
        FIRST_DATE,
        last,
        first_uncovered,
    )
    return CalendarCoverage(first_uncovered_year=first_uncovered, warnings=warnings)
