"""The monthly close: freeze a final month's indicators and scorecard.

A month M is final once ``as_of`` is past ``first day of M+1 + close lag``; from then on
its figures must never change, even when source systems correct old records. The close
copies the month's rows of ``marts.kpi_monthly`` and ``marts.scorecard_monthly`` into
``frozen.*`` (plus ``frozen_at``) exactly once; the dbt marts take frozen months from there.

The close lag is the seed ``thresholds.close_lag_days`` (table ``staging.thresholds`` of
the warehouse being built), the same value dbt's cutoff uses; it is read here, never
configured a second time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb

logger = logging.getLogger(__name__)

FROZEN_TABLES = ("kpi_monthly", "scorecard_monthly")
THRESHOLDS_TABLE = "staging.thresholds"
CLOSE_LAG = "close_lag_days"


class MonthNotClosedError(RuntimeError):
    """The month still has provisional rows, so freezing it would freeze moving figures."""


class ThresholdError(LookupError):
    """A threshold the close needs is missing from the warehouse or not a number."""


@dataclass(frozen=True)
class FreezeResult:
    month: date
    rows: dict[str, int]
    already_frozen: bool


@dataclass(frozen=True)
class CloseDecision:
    """What the close does as of a moment: ``month`` to freeze, or None (nothing to do)."""

    close_lag_days: int
    final_month: date
    month: date | None


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def closed_month(as_of: datetime, close_lag_days: int) -> date:
    """The latest month whose cutoff (first day of the next month + lag) has passed."""
    month = month_start(as_of.date())
    while datetime.combine(next_month(month), datetime.min.time()) + timedelta(days=close_lag_days) > as_of:
        month = previous_month(month)
    return month


def read_close_lag_days(con: duckdb.DuckDBPyConnection) -> int:
    """The close lag of the seed, as materialised in the warehouse this close works on."""
    try:
        rows = con.execute(f"select value from {THRESHOLDS_TABLE} where name = ?", [CLOSE_LAG]).fetchall()
    except duckdb.CatalogException as error:
        raise ThresholdError(
            f"{THRESHOLDS_TABLE} does not exist; build the dbt seeds before the monthly close"
        ) from error
    if len(rows) != 1:
        raise ThresholdError(f"{THRESHOLDS_TABLE} has {len(rows)} rows named {CLOSE_LAG!r}, expected 1")
    value = str(rows[0][0]).strip()
    try:
        return int(value)
    except ValueError as error:
        raise ThresholdError(
            f"{THRESHOLDS_TABLE} row {CLOSE_LAG!r} has value {value!r}, not a whole number of days"
        ) from error


def is_frozen(con: duckdb.DuckDBPyConnection, month: date) -> bool:
    """True when every frozen table holds rows of the month."""
    for table in FROZEN_TABLES:
        if not _columns(con, "frozen", table):
            return False
        if not con.execute(f"select count(*) from frozen.{table} where month = ?", [month]).fetchone()[0]:
            return False
    return True


def decide_close(con: duckdb.DuckDBPyConnection, as_of: datetime) -> CloseDecision:
    """The latest month final as of ``as_of`` under the warehouse's close lag, unless frozen.

    The close is looked at every day; on most days the latest final month is frozen
    already and there is nothing to do. (Catching up several missed months would return
    each final month not yet frozen, oldest first.)
    """
    lag = read_close_lag_days(con)
    final = closed_month(as_of, lag)
    return CloseDecision(
        close_lag_days=lag, final_month=final, month=None if is_frozen(con, final) else final
    )


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    rows = con.execute(
        "select column_name from information_schema.columns"
        " where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    return [row[0] for row in rows]


def freeze_month(con: duckdb.DuckDBPyConnection, month: date, frozen_at: datetime) -> FreezeResult:
    """Copy one closed month into ``frozen.*`` unless it is there already (never rewritten)."""
    con.execute("create schema if not exists frozen")
    for table in FROZEN_TABLES:
        if not _columns(con, "marts", table):
            raise LookupError(f"marts.{table} does not exist; build the marts before the monthly close")
        con.execute(
            f"create table if not exists frozen.{table} as"
            f" select *, cast(null as timestamp) as frozen_at from marts.{table} where false"
        )
    present = {
        table: con.execute(f"select count(*) from frozen.{table} where month = ?", [month]).fetchone()[0]
        for table in FROZEN_TABLES
    }
    if all(present.values()):
        logger.info("month %s is frozen already; leaving it unchanged", month)
        return FreezeResult(month, present, already_frozen=True)
    rows: dict[str, int] = {}
    con.execute("begin transaction")
    try:
        for table in FROZEN_TABLES:
            if present[table]:
                rows[table] = present[table]
                continue
            provisional = con.execute(
                f"select count(*) from marts.{table} where month = ? and provisional", [month]
            ).fetchone()[0]
            if provisional:
                raise MonthNotClosedError(
                    f"marts.{table} still has {provisional} provisional rows for {month:%Y-%m};"
                    " build with an as_of past the close lag before closing the month"
                )
            mart_columns = set(_columns(con, "marts", table))
            columns = [c for c in _columns(con, "frozen", table) if c in mart_columns]
            column_list = ", ".join(columns)
            con.execute(
                f"insert into frozen.{table} ({column_list}, frozen_at)"
                f" select {column_list}, ? from marts.{table} where month = ?",
                [frozen_at, month],
            )
            rows[table] = con.execute(
                f"select count(*) from frozen.{table} where month = ?", [month]
            ).fetchone()[0]
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    logger.info("froze %s: %s", month, rows)
    return FreezeResult(month, rows, already_frozen=False)
