"""Queries against the published warehouse: DataFrames out, nothing recomputed.

The connection is cached per published version, and every query's cache key carries
that version, so a newly published build is picked up on the next rerun while a page
never opens the file read-write (no lock errors). Every figure comes from ``marts.*``;
only the data-quality page reads ``raw.ingest_*``, ``raw.scan_*`` and ``raw.calendar_days``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from ingest.warehouse import connect_published, published_version

logger = logging.getLogger(__name__)

QUERY_TTL_SECONDS = 600
ENV_WAREHOUSE = "DANGAN_WAREHOUSE"


class WarehouseNotPublishedError(FileNotFoundError):
    """No build has been published at the configured warehouse path yet."""


def warehouse_path() -> Path:
    """The warehouse path: ``DANGAN_WAREHOUSE``, else the ``warehouse`` secret, else the default."""
    env = os.environ.get(ENV_WAREHOUSE)
    if env:
        return Path(env)
    try:
        secret = st.secrets.get("warehouse")
    except (FileNotFoundError, KeyError, AttributeError):
        secret = None
    except Exception:  # noqa: BLE001 - streamlit raises its own parse error types for secrets files
        logger.warning("could not read streamlit secrets; using the default warehouse path")
        secret = None
    if secret:
        return Path(str(secret))
    from ingest import settings

    return settings.WAREHOUSE


def warehouse_version() -> str:
    """The published version now; checked on every rerun so a new build is picked up."""
    version = published_version(warehouse_path())
    if version is None:
        raise WarehouseNotPublishedError(f"no published warehouse at {warehouse_path()}")
    return version


@st.cache_resource(max_entries=3, show_spinner=False)
def _connection(path: str, version: str) -> duckdb.DuckDBPyConnection:
    logger.info("opening warehouse %s version %s read-only", path, version)
    return connect_published(Path(path))


@st.cache_data(ttl=QUERY_TTL_SECONDS, max_entries=512, show_spinner=False)
def _fetch(path: str, version: str, sql: str, params: tuple) -> pd.DataFrame:
    cursor = _connection(path, version).cursor()
    try:
        return cursor.execute(sql, list(params)).df()
    finally:
        cursor.close()


def query(sql: str, params: tuple = ()) -> pd.DataFrame:
    """Run a read-only query on the published version (cached per version and parameters)."""
    return _fetch(str(warehouse_path()), warehouse_version(), sql, tuple(params))


def refresh() -> None:
    """Forget cached results, so a refresh click re-reads even within the TTL."""
    _fetch.clear()


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def _catalog(path: str, version: str) -> pd.DataFrame:
    return _fetch(
        path,
        version,
        "select table_schema || '.' || table_name as qualified, column_name "
        "from information_schema.columns order by table_schema, table_name, ordinal_position",
        (),
    )


def has_table(qualified: str) -> bool:
    """Whether ``schema.table`` exists in the published version (marts still being added)."""
    catalog = _catalog(str(warehouse_path()), warehouse_version())
    return bool((catalog["qualified"] == qualified).any())


def columns(qualified: str) -> list[str]:
    catalog = _catalog(str(warehouse_path()), warehouse_version())
    return catalog.loc[catalog["qualified"] == qualified, "column_name"].tolist()


# --- names ------------------------------------------------------------------------------


NAME_SOURCES = (
    ("marts.scorecard_monthly", "entity_id", "entity_name"),
    ("marts.contract_status", "manager_id", "manager_name"),
    ("marts.reminders", "person_id", "person_name"),
    ("marts.sla_monitor", "assignee_id", "assignee_name"),
    ("marts.sla_monitor", "unit_code", "unit_name"),
)


def entity_names() -> dict[str, str]:
    """Display names of units, teams and people, as the marts carry them beside their ids."""
    parts = [
        f"select {key} as entity_id, {name} as entity_name from {table} where {name} is not null"
        for table, key, name in NAME_SOURCES
        if has_table(table) and {key, name} <= set(columns(table))
    ]
    if not parts:
        return {}
    frame = query(
        f"select entity_id, min(entity_name) as entity_name from ({' union all '.join(parts)}) "
        "group by entity_id"
    )
    return dict(zip(frame["entity_id"], frame["entity_name"], strict=True))


# --- monthly indicators and scorecards ----------------------------------------------------


def months() -> pd.DataFrame:
    """Scored months, newest first, with their provisional flag."""
    return query(
        "select month, bool_or(provisional) as provisional "
        "from marts.scorecard_monthly group by month order by month desc"
    )


def kpi(month: dt.date, tiers: tuple[str, ...]) -> pd.DataFrame:
    """The indicator rows of one month for the given tiers."""
    placeholders = ", ".join("?" for _ in tiers)
    return query(
        f"select * from marts.kpi_monthly where month = ? and tier in ({placeholders}) "
        "order by tier, entity_id, indicator",
        (month, *tiers),
    )


def kpi_trend(tier: str, entity_id: str | None, end: dt.date, months_back: int = 12) -> pd.DataFrame:
    """One tier's indicator values over the ``months_back`` months ending at ``end``."""
    start = (pd.Timestamp(end) - pd.DateOffset(months=months_back - 1)).date()
    sql = (
        "select month, entity_id, entity_name, indicator, value, target, meets_target, provisional "
        "from marts.kpi_monthly where tier = ? and month between ? and ?"
    )
    params: tuple = (tier, start, end)
    if entity_id is not None:
        sql += " and entity_id = ?"
        params += (entity_id,)
    return query(sql + " order by month, entity_id, indicator", params)


def scorecard(month: dt.date, tier: str) -> pd.DataFrame:
    """The month's scorecard of one tier with last month's rank and score beside it."""
    return query(
        "select cur.*, prev.rank as prev_rank, prev.total_score as prev_score "
        "from marts.scorecard_monthly as cur "
        "left join marts.scorecard_monthly as prev "
        "on prev.tier = cur.tier and prev.entity_id = cur.entity_id "
        "and prev.month = cur.month - interval 1 month "
        "where cur.month = ? and cur.tier = ? order by cur.rank, cur.entity_id",
        (month, tier),
    )


def scorecard_indicators(month: dt.date, tier: str) -> pd.DataFrame:
    """Each entity's indicators of the month, with the points lost (weight minus score)."""
    return query(
        "select entity_id, entity_name, indicator, value, target, meets_target, weight, score, "
        "weight - score as points_lost from marts.kpi_monthly "
        "where month = ? and tier = ? order by entity_id, indicator",
        (month, tier),
    )


# --- time limits, reminders, contracts -----------------------------------------------------


def sla_monitor() -> pd.DataFrame:
    return query("select * from marts.sla_monitor order by remaining_workdays, step_id")


REMINDER_GROUPS = ("unit_code", "team_code", "person_id")


def reminder_units() -> list[str]:
    frame = query("select distinct unit_code from marts.reminders where unit_code is not null order by 1")
    return frame["unit_code"].tolist()


def reminder_levels(unit_code: str | None) -> pd.DataFrame:
    """Open reminders per category and level (counted in SQL: the mart can be large)."""
    where, params = ("where unit_code = ?", (unit_code,)) if unit_code else ("", ())
    return query(
        f"select category, level, count(*) as count from marts.reminders {where} group by all", params
    )


def reminder_groups(group: str, unit_code: str | None) -> pd.DataFrame:
    """Reminders per unit, team or person with a column per level, most overdue first."""
    if group not in REMINDER_GROUPS:
        raise ValueError(f"marts.reminders cannot be grouped by {group!r}")
    where, params = ("where unit_code = ?", (unit_code,)) if unit_code else ("", ())
    return query(
        f"select {group}, count(*) filter (where level = 'overdue') as overdue, "
        "count(*) filter (where level = 'warning') as warning, "
        "count(*) filter (where level = 'reminder') as reminder "
        f"from marts.reminders {where} group by {group} "
        f"order by overdue desc, warning desc, reminder desc, {group}",
        params,
    )


def person_reminders(person_id: str) -> pd.DataFrame:
    return query(
        "select * from marts.reminders where person_id = ? "
        "order by case level when 'overdue' then 0 when 'warning' then 1 else 2 end, due_at, object_id",
        (person_id,),
    )


def reminder_digest() -> pd.DataFrame | None:
    """The per-person urge digest (subject and body as they will be sent), once the mart exists."""
    if not has_table("marts.reminder_digest"):
        return None
    return query(
        "select * from marts.reminder_digest order by overdue_count desc, total_count desc, person_id"
    )


def outbox_messages() -> pd.DataFrame | None:
    """Digests exactly as composed for sending (subject and body), once delivery has run."""
    if not has_table("delivery.outbox"):
        return None
    return query(
        "select person_id, channel, address, subject, body, status, attempts, last_error, created_at, sent_at "
        "from delivery.outbox order by created_at desc, person_id, channel"
    )


# The mart's alert level already encodes the rule: reminder = within a month, warning =
# within 7 days, overdue = expired or no current contract. Filters run in SQL because the
# mart has one row per customer (over a million at prefecture scale).
CONTRACT_GROUPS = {
    "expiring_month": "alert_level in ('reminder', 'warning')",
    "expiring_week": "alert_level = 'warning'",
    "expired": "alert_level = 'overdue' and contract_id is not null",
    "no_contract": "not coalesce(valid, false)",
}


def contract_units() -> list[str]:
    frame = query(
        "select distinct unit_code from marts.contract_status where unit_code is not null order by 1"
    )
    return frame["unit_code"].tolist()


def contract_counts(unit_code: str | None) -> dict[str, int]:
    """Customers in each contract group, for one unit or all."""
    selects = ", ".join(
        f"count(*) filter (where {rule}) as {group}" for group, rule in CONTRACT_GROUPS.items()
    )
    where, params = ("where unit_code = ?", (unit_code,)) if unit_code else ("", ())
    frame = query(f"select {selects} from marts.contract_status {where}", params)
    return {group: int(frame[group].iloc[0]) for group in CONTRACT_GROUPS}


def contract_rows(group: str, unit_code: str | None) -> pd.DataFrame:
    """The customers of one contract group, soonest expiry first."""
    sql = f"select * from marts.contract_status where ({CONTRACT_GROUPS[group]})"
    params: tuple = ()
    if unit_code:
        sql += " and unit_code = ?"
        params = (unit_code,)
    return query(sql + " order by expires_on nulls first, cust_no", params)


# --- audit ---------------------------------------------------------------------------------


def audit_months() -> list[dt.date]:
    frame = query("select distinct month from marts.audit_sample order by month desc")
    return [pd.Timestamp(value).date() for value in frame["month"]]


def audit_sample(month: dt.date) -> pd.DataFrame:
    return query("select * from marts.audit_sample where month = ? order by unit_code, sample_rank", (month,))


# --- customer archive ------------------------------------------------------------------------


def search_customers(text: str, limit: int = 200) -> pd.DataFrame:
    """Customers whose number, name, address or a document's barcode contains ``text``
    (name and address wherever a mart carries them)."""
    pattern = f"%{text.strip()}%"
    parts: list[str] = []
    params: list = []
    for table, fields in (
        ("marts.customers", ("cust_no", "cust_name", "address")),
        ("marts.customer_documents", ("cust_no", "cust_name", "barcode")),
        ("marts.contract_status", ("cust_no", "cust_name")),
    ):
        if not has_table(table):
            continue
        present = [name for name in fields if name in columns(table)]
        name_column = "cust_name" if "cust_name" in present else "cast(null as varchar)"
        clauses = " or ".join(f"{name} ilike ?" for name in present)
        parts.append(f"select cust_no, {name_column} as cust_name from {table} where {clauses}")
        params += [pattern] * len(present)
    sql = (
        f"select cust_no, max(cust_name) as cust_name from ({' union all '.join(parts)}) "
        f"group by cust_no order by cust_no limit {int(limit)}"
    )
    return query(sql, tuple(params))


def customer_documents(cust_no: str) -> pd.DataFrame:
    return query(
        "select * from marts.customer_documents where cust_no = ? order by category, added_at, doc_id",
        (cust_no,),
    )


def customer_contract(cust_no: str) -> pd.DataFrame:
    return query("select * from marts.contract_status where cust_no = ?", (cust_no,))


def customer_open_steps(cust_no: str) -> pd.DataFrame:
    return query("select * from marts.sla_monitor where cust_no = ? order by started_at", (cust_no,))


def customer_audits(cust_no: str) -> pd.DataFrame:
    return query("select * from marts.audit_sample where cust_no = ? order by month desc", (cust_no,))


def customer_borrowings(cust_no: str) -> pd.DataFrame | None:
    if not has_table("marts.borrowing_report"):
        return None
    return query(
        "select * from marts.borrowing_report where cust_no = ? order by requested_at desc", (cust_no,)
    )


def scan_pages_for(file_path: str) -> pd.DataFrame:
    return query("select * from marts.scan_pages where file_path = ? order by page_no", (file_path,))


# --- data quality ------------------------------------------------------------------------


def ingest_runs() -> pd.DataFrame:
    """Every table's load in the newest run (the last build's loads)."""
    return query(
        "select * from raw.ingest_runs where run_id = ("
        "select run_id from raw.ingest_runs order by finished_at desc nulls last limit 1) "
        "order by system, table_name"
    )


def ingest_rejects() -> pd.DataFrame:
    return query(
        "select system, table_name, column_name, reason, count(*) as count "
        "from raw.ingest_rejects group by all order by count desc, system, table_name"
    )


def ingest_reject_rows(limit: int = 1000) -> pd.DataFrame:
    return query(
        "select system, table_name, row_key, row_number, column_name, reason, raw_row "
        f"from raw.ingest_rejects order by rejected_at desc limit {int(limit)}"
    )


def scan_decode_summary() -> pd.DataFrame:
    return query(
        "select decode_status, count(*) as count from marts.scan_pages group by decode_status order by count desc"
    )


def unreadable_scans() -> pd.DataFrame:
    return query(
        "select file_path, file_format, file_size, error, read_at from raw.scan_files "
        "where status <> 'ok' order by file_path"
    )


def unmatched_barcodes() -> pd.DataFrame | None:
    if not has_table("marts.unmatched_barcodes"):
        return None
    return query("select * from marts.unmatched_barcodes")


def gate_violations_monthly() -> pd.DataFrame | None:
    if not has_table("marts.gate_violations_monthly"):
        return None
    return query(
        "select * from marts.gate_violations_monthly order by month desc, violations desc, unit_code, team_code"
    )


def gate_violations() -> pd.DataFrame:
    return query("select * from marts.gate_violations order by started_at desc, step_id")


def evaluation_moment() -> pd.Timestamp | None:
    """The build's ``as_of``: the cutoff of the newest month, which is ``as_of`` itself while
    that month is provisional (None when the mart has no cutoff column)."""
    if "cutoff_at" not in columns("marts.kpi_monthly"):
        return None
    frame = query("select max(cutoff_at) as as_of from marts.kpi_monthly")
    value = frame["as_of"].iloc[0]
    return None if pd.isna(value) else pd.Timestamp(value)


def uncovered_calendar_years() -> list[int]:
    """Years where working days fall back to Monday–Friday (no official calendar)."""
    if not has_table("raw.calendar_days"):
        return []
    frame = query(
        "select distinct year(calendar_date) as year from raw.calendar_days "
        "where not is_official order by year"
    )
    return [int(value) for value in frame["year"]]
