"""Queries against the published warehouse: DataFrames out, nothing recomputed.

The connection is cached per published version, and every query's cache key carries
that version, so a newly published build is picked up on the next rerun while a page
never opens the file read-write (no lock errors). Every figure comes from ``marts.*``
as the marts carry it: functions here filter, sort, page and count rows, never compute a
business figure. Only the data-quality page reads ``raw.ingest_*`` and ``raw.scan_*``, and
the reminders page ``delivery.outbox``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from dashboard.auth import scope, session
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
    """Run a read-only query on the published version for the logged-in user: every table
    it names is narrowed to the user's scope and masked for their role
    (:func:`dashboard.auth.scope.scoped_sql`), so no page can read past it. Cached per
    version, scoped SQL and parameters, so two users never share a result. Without a
    logged-in user only the public tables (labels, months, the build) can be read."""
    user = session.logged_in_user()
    return _fetch(str(warehouse_path()), warehouse_version(), scope.scoped_sql(sql, user), tuple(params))


def refresh() -> None:
    """Forget cached results, so a refresh click re-reads even within the TTL."""
    _fetch.clear()


# --- labels, names and the build ---------------------------------------------------------


def warm_up() -> None:
    """Open the connection and read the public tables (labels, months, the build) while the
    login form is on screen, so the first page after the login runs only its own queries."""
    try:
        warehouse_version()
    except WarehouseNotPublishedError:
        return
    code_labels()
    months()
    build_info()


def code_labels() -> pd.DataFrame:
    """Every code's Chinese and English name in display order (``marts.code_labels``, one cached select)."""
    return query("select kind, code, zh, en from marts.code_labels order by kind, sort_order")


def org_names() -> dict[str, str]:
    """Display names of supply units, teams and people by id (``marts.org_entities``)."""
    frame = query("select entity_id, entity_name from marts.org_entities where entity_name is not null")
    return dict(zip(frame["entity_id"], frame["entity_name"], strict=True))


def short_names() -> dict[str, str]:
    """The names charts show on their axes (a supply unit's short name, ``marts.org_entities``);
    none from a warehouse built before the column existed (charts then show full names)."""
    present = query(
        "select count(*) as n from information_schema.columns "
        "where table_schema = 'marts' and table_name = 'org_entities' and column_name = 'short_name'"
    )
    if not int(present["n"].iloc[0]):
        return {}
    frame = query("select entity_id, short_name from marts.org_entities where short_name is not null")
    return dict(zip(frame["entity_id"], frame["short_name"], strict=True))


def build_info() -> pd.Series:
    """The build's one row: ``as_of``, build time, versions and calendar coverage."""
    frame = query("select * from marts.build_info")
    if len(frame) != 1:
        raise ValueError(f"marts.build_info has {len(frame)} rows; a build writes exactly one")
    return frame.iloc[0]


# --- monthly indicators and scorecards ----------------------------------------------------


# Each scored month, final or provisional, with its close and freeze times as the
# warehouse states them (marts.kpi_months): pages label months from this and decide
# nothing about finality.
SCORED_MONTHS = "select month, status, is_final, close_at, cutoff_at, frozen_at from marts.kpi_months"


def months() -> pd.DataFrame:
    """Scored months, newest first: month, status, is_final, close_at, cutoff_at, frozen_at."""
    return query(f"select * from ({SCORED_MONTHS}) order by month desc")


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


def unit_extreme(month: dt.date, indicator: str, *, highest: bool) -> pd.DataFrame:
    """The supply unit with the lowest (or highest) value of one indicator in the month."""
    direction = "desc" if highest else "asc"
    return query(
        "select entity_id, entity_name, value, target from marts.kpi_monthly "
        "where month = ? and tier = 'supply_unit' and indicator = ? and value is not null "
        f"order by value {direction}, entity_id limit 1",
        (month, indicator),
    )


def scorecard(month: dt.date, tier: str) -> pd.DataFrame:
    """The month's scorecard of one tier, with the rank and score changes the mart carries."""
    return query(
        "select * from marts.scorecard_monthly where month = ? and tier = ? order by rank, entity_id",
        (month, tier),
    )


def scorecard_indicators(month: dt.date, tier: str) -> pd.DataFrame:
    """Each entity's indicators of the month, with the points lost the mart carries."""
    return query(
        "select entity_id, entity_name, indicator, value, target, meets_target, weight, score, "
        "points_lost from marts.kpi_monthly "
        "where month = ? and tier = ? order by entity_id, indicator",
        (month, tier),
    )


# --- time limits, reminders, contracts -----------------------------------------------------


SLA_FILTERS = ("unit_code", "team_code", "node_code")


def _sla_where(selected: dict[str, list[str]]) -> tuple[str, tuple]:
    """A where clause keeping the open steps whose unit, team and node are among those
    selected (an empty selection keeps all)."""
    clauses: list[str] = []
    params: tuple = ()
    for column, values in selected.items():
        if column not in SLA_FILTERS:
            raise ValueError(f"marts.sla_monitor cannot be filtered by {column!r}")
        if values:
            clauses.append(f"{column} in ({', '.join('?' for _ in values)})")
            params += tuple(values)
    return ("where " + " and ".join(clauses) if clauses else ""), params


def sla_options(column: str, selected: dict[str, list[str]]) -> list[str]:
    """The values of ``column`` among the open steps kept by the other filters."""
    if column not in SLA_FILTERS:
        raise ValueError(f"marts.sla_monitor cannot be filtered by {column!r}")
    where, params = _sla_where(selected)
    where = f"{where} and {column} is not null" if where else f"where {column} is not null"
    frame = query(f"select distinct {column} from marts.sla_monitor {where} order by 1", params)
    return frame[column].tolist()


def sla_status_counts(selected: dict[str, list[str]]) -> dict[str, int]:
    """Open time-limited steps per traffic-light status."""
    where, params = _sla_where(selected)
    frame = query(f"select status, count(*) as count from marts.sla_monitor {where} group by status", params)
    return dict(zip(frame["status"], frame["count"].astype(int), strict=True))


def sla_group_counts(group: str, selected: dict[str, list[str]]) -> pd.DataFrame:
    """Open steps per unit or team and status, for the traffic-light chart."""
    if group not in ("unit_code", "team_code"):
        raise ValueError(f"marts.sla_monitor cannot be grouped by {group!r}")
    where, params = _sla_where(selected)
    where = f"{where} and {group} is not null" if where else f"where {group} is not null"
    return query(
        f"select {group}, status, count(*) as count from marts.sla_monitor {where} "
        f"group by {group}, status order by {group}, status",
        params,
    )


def sla_steps(selected: dict[str, list[str]], statuses: tuple[str, ...]) -> pd.DataFrame:
    """The open steps of the given statuses, least time left first."""
    where, params = _sla_where(selected)
    rule = f"status in ({', '.join('?' for _ in statuses)})"
    where = f"{where} and {rule}" if where else f"where {rule}"
    return query(
        f"select * from marts.sla_monitor {where} order by remaining_workdays, step_id",
        (*params, *statuses),
    )


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


def reminder_categories(unit_code: str | None) -> list[str]:
    """Every reminder category of code_labels, those with the most open reminders first."""
    on_unit, params = ("and reminders.unit_code = ?", (unit_code,)) if unit_code else ("", ())
    frame = query(
        "select labels.code as category from marts.code_labels as labels "
        f"left join marts.reminders as reminders on reminders.category = labels.code {on_unit} "
        "where labels.kind = 'reminder_category' "
        "group by labels.code order by count(reminders.category) desc, labels.code",
        params,
    )
    return frame["category"].tolist()


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


def staff_team_history(staff_id: str) -> pd.DataFrame:
    """Every recorded version of a person's team, newest first (``marts.staff_team_history``)."""
    return query(
        "select * from marts.staff_team_history where staff_id = ? order by valid_from desc", (staff_id,)
    )


def find_people(text: str, limit: int = 50) -> pd.DataFrame:
    """People whose staff id or name contains ``text``, the exact id first (a person picker
    that accepts a name as well as a staff number)."""
    pattern = like_contains(text.strip())
    return query(
        "select entity_id, entity_name, unit_code, team_code from marts.org_entities "
        "where entity_kind = 'person' and (entity_id ilike ? escape '\\' or entity_name ilike ? escape '\\') "
        f"order by entity_id = ? desc, entity_name, entity_id limit {int(limit)}",
        (pattern, pattern, text.strip()),
    )


def person_reminders(person_id: str) -> pd.DataFrame:
    return query(
        "select * from marts.reminders where person_id = ? "
        "order by case level when 'overdue' then 0 when 'warning' then 1 else 2 end, due_at, object_id",
        (person_id,),
    )


def reminder_digest(unit_code: str | None) -> pd.DataFrame:
    """The per-person urge digest (subject and body as they will be sent), for one unit or all."""
    where, params = ("where unit_code = ?", (unit_code,)) if unit_code else ("", ())
    return query(
        f"select * from marts.reminder_digest {where} "
        "order by overdue_count desc, total_count desc, person_id",
        params,
    )


def outbox_messages() -> pd.DataFrame | None:
    """Digests exactly as composed for sending (subject and body), or None before any was queued.

    ``delivery.outbox`` is no mart: the delivery assets create it the first time they queue a
    digest, and a warehouse refreshed only by the schedules' refresh job has none."""
    exists = query(
        "select count(*) as n from information_schema.tables "
        "where table_schema = 'delivery' and table_name = 'outbox'"
    )
    if not int(exists["n"].iloc[0]):
        return None
    return query(
        "select person_id, channel, address, subject, body, status, attempts, last_error, created_at, sent_at "
        "from delivery.outbox order by created_at desc, person_id, channel"
    )


# The page's four filters over the mart's exclusive contract_group: "within a month"
# includes the week, "no valid contract" includes the expired. Filters run in SQL because
# the mart has one row per customer (over a million at prefecture scale).
CONTRACT_FILTERS: dict[str, tuple[str, ...]] = {
    "expiring_month": ("expiring_week", "expiring_month"),
    "expiring_week": ("expiring_week",),
    "expired": ("expired",),
    "no_contract": ("no_contract", "expired"),
    # Not a group: a contract of any group may run longer than its voltage class's norm.
    "term_exceeded": (),
}


def _contract_filter(name: str) -> tuple[str, tuple[str, ...]]:
    if name == "term_exceeded":
        return "term_exceeded", ()
    groups = CONTRACT_FILTERS[name]
    return f"contract_group in ({', '.join('?' for _ in groups)})", groups


def contract_units() -> list[str]:
    frame = query(
        "select distinct unit_code from marts.contract_status where unit_code is not null order by 1"
    )
    return frame["unit_code"].tolist()


def contract_counts(unit_code: str | None) -> dict[str, int]:
    """Customers behind each of the page's contract filters, for one unit or all."""
    selects: list[str] = []
    params: tuple = ()
    for name in CONTRACT_FILTERS:
        rule, groups = _contract_filter(name)
        selects.append(f"count(*) filter (where {rule}) as {name}")
        params += groups
    where = ""
    if unit_code:
        where, params = "where unit_code = ?", (*params, unit_code)
    frame = query(f"select {', '.join(selects)} from marts.contract_status {where}", params)
    return {name: int(frame[name].iloc[0]) for name in CONTRACT_FILTERS}


def contract_rows(name: str, unit_code: str | None) -> pd.DataFrame:
    """The customers behind one contract filter, soonest expiry first."""
    rule, params = _contract_filter(name)
    sql = f"select * from marts.contract_status where {rule}"
    if unit_code:
        sql += " and unit_code = ?"
        params = (*params, unit_code)
    return query(sql + " order by expires_on nulls first, cust_no", params)


# --- paper to-do list ------------------------------------------------------------------------


def missing_document_units() -> list[str]:
    frame = query(
        "select distinct unit_code from marts.missing_documents where unit_code is not null order by 1"
    )
    return frame["unit_code"].tolist()


def missing_document_people(unit_code: str | None) -> pd.DataFrame:
    """Everyone with paper still to add: how many documents, of how many processes, since
    when — the most first (counted in SQL: the list can be long)."""
    where, params = ("where unit_code = ?", (unit_code,)) if unit_code else ("", ())
    return query(
        "select assignee_id, unit_code, count(*) as missing_count, count(distinct proc_id) as process_count, "
        f"min(since) as oldest_since from marts.missing_documents {where} "
        "group by assignee_id, unit_code order by missing_count desc, assignee_id",
        params,
    )


def missing_documents(unit_code: str | None, assignee_id: str | None) -> pd.DataFrame:
    """The to-do list, one row per missing document type, by person, process and node."""
    conditions = [
        (column, value) for column, value in (("unit_code", unit_code), ("assignee_id", assignee_id)) if value
    ]
    where = " and ".join(f"{column} = ?" for column, _ in conditions)
    return query(
        "select * from marts.missing_documents"
        + (f" where {where}" if where else "")
        + " order by assignee_id, proc_id, since, step_id, doc_type",
        tuple(value for _, value in conditions),
    )


# --- audit ---------------------------------------------------------------------------------


def audit_months() -> pd.DataFrame:
    """The months with an audit sample, newest first, with the columns of :func:`months`
    (null status for a sampled month that is not scored)."""
    return query(
        "select samples.month, scored.* exclude (month) "
        "from (select distinct month from marts.audit_sample) as samples "
        f"left join ({SCORED_MONTHS}) as scored on samples.month = scored.month "
        "order by samples.month desc"
    )


def audit_sample(month: dt.date) -> pd.DataFrame:
    return query("select * from marts.audit_sample where month = ? order by unit_code, sample_rank", (month,))


def audit_sample_customers(month: dt.date) -> pd.DataFrame:
    """The month's sample with each customer's name and address, masked as the reader's
    role must see them (``raw.customers``' masks), for the audit centre's workbook."""
    return query(
        "select sample.*, customers.cust_name, customers.address from marts.audit_sample as sample "
        "left join raw.customers as customers on customers.cust_no = sample.cust_no "
        "where sample.month = ? order by sample.unit_code, sample.sample_rank",
        (month,),
    )


def audit_sizes(month: dt.date) -> pd.DataFrame:
    """Each unit's population and sample size of the month (the same on every sampled row)."""
    return query(
        "select distinct unit_code, population, sample_size from marts.audit_sample "
        "where month = ? order by unit_code",
        (month,),
    )


def quality_points(month: dt.date) -> pd.DataFrame:
    """Business staff and collectors with quality points deducted in the month, most first."""
    return query(
        "select tier, entity_id, entity_name, value from marts.kpi_monthly "
        "where month = ? and tier in ('staff', 'collector') and indicator = 'quality_points' "
        "and value > 0 order by value desc, entity_id",
        (month,),
    )


# --- customer archive ------------------------------------------------------------------------


def like_contains(text: str) -> str:
    """An ``ilike ? escape '\\'`` pattern matching ``text`` anywhere, its own ``%`` and ``_``
    taken literally (a search for ``%`` must not list every customer)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# A customer matches by number, name or address (marts.customers, masked where the role
# reads them masked) or by the barcode of one of its documents or dossiers. The exact
# number comes first, always, then an exact barcode, then everything else by number: a
# number that other numbers or barcodes contain must still open its own customer.
CUSTOMER_SEARCH_SQL = """
with barcodes as (
    select cust_no, barcode from marts.customer_documents
    union all
    select cust_no, barcode from marts.dossier_lookup
),
matched_barcodes as (
    select cust_no, max(barcode = ?) as is_exact from barcodes
    where barcode ilike ? escape '\\' group by cust_no
)
select customers.cust_no, customers.cust_name,
    case when customers.cust_no = ? then 0 when matched_barcodes.is_exact then 1 else 2 end as match_rank
from marts.customers as customers
left join matched_barcodes on customers.cust_no = matched_barcodes.cust_no
where customers.cust_no = ? or customers.cust_no ilike ? escape '\\' or customers.cust_name ilike ? escape '\\'
    or customers.address ilike ? escape '\\' or matched_barcodes.cust_no is not null
order by match_rank, customers.cust_no
"""


def search_customers(text: str, limit: int = 200) -> pd.DataFrame:
    """Customers whose number, name, address or a document's or dossier's barcode contains
    ``text``: the customer with exactly that number first, then one with exactly that
    barcode, then the rest by number (columns cust_no, cust_name, match_rank)."""
    exact = text.strip()
    pattern = like_contains(exact)
    params = (exact, pattern, exact, exact, pattern, pattern, pattern)
    return query(f"{CUSTOMER_SEARCH_SQL} limit {int(limit)}", params)


def customer(cust_no: str) -> pd.Series | None:
    """The customer's header row of ``marts.customers`` (None when out of the user's scope)."""
    frame = query("select * from marts.customers where cust_no = ?", (cust_no,))
    return None if frame.empty else frame.iloc[0]


def customer_document_counts(cust_no: str) -> dict[str, int]:
    """The customer's documents per category, for the tab labels."""
    frame = query(
        "select category, count(*) as count from marts.customer_documents where cust_no = ? group by category",
        (cust_no,),
    )
    return dict(zip(frame["category"], frame["count"].astype(int), strict=True))


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


def customer_processes(cust_no: str) -> pd.DataFrame:
    """The customer's processes with how many documents each has and when they were added."""
    return query(
        "select * from marts.customer_processes where cust_no = ? order by first_added_at, proc_id",
        (cust_no,),
    )


def customer_missing_documents(cust_no: str) -> pd.DataFrame:
    """The paper still to add to the customer's processes (``marts.missing_documents``:
    steps completed, processes not cancelled), oldest first."""
    return query(
        "select * from marts.missing_documents where cust_no = ? order by since, proc_id, step_id, doc_type",
        (cust_no,),
    )


def customer_borrowings(cust_no: str) -> pd.DataFrame:
    return query(
        "select * from marts.borrowing_report where cust_no = ? order by requested_at desc", (cust_no,)
    )


def find_dossiers(text: str) -> pd.DataFrame:
    """The dossiers a scanned or typed code names: a dossier's barcode or number, or a
    document's barcode (the dossiers of that document's process), exact matches only."""
    code = text.strip()
    return query(
        "select * from marts.dossier_lookup where barcode = ? or dossier_id = ? "
        "or proc_id in (select proc_id from marts.customer_documents where barcode = ? and proc_id is not null) "
        "order by dossier_id",
        (code, code, code),
    )


def borrowing_report() -> pd.DataFrame:
    """Every borrowing as of the build, newest request first."""
    return query("select * from marts.borrowing_report order by requested_at desc, borrow_id")


def unapproved_borrowings() -> pd.DataFrame:
    """Borrowings made without prior approval (DOMAIN §6), newest month first, by unit."""
    return query(
        "select * from marts.borrowing_report where is_unapproved "
        "order by borrowed_month desc, unit_code, borrowed_at, borrow_id"
    )


def unapproved_borrowing_counts() -> pd.DataFrame:
    """Unapproved borrowings counted per month borrowed and unit."""
    return query(
        "select borrowed_month, unit_code, count(*) as unapproved_count from marts.borrowing_report "
        "where is_unapproved group by borrowed_month, unit_code order by borrowed_month desc, unit_code"
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


def unmatched_barcodes() -> pd.DataFrame:
    return query("select * from marts.unmatched_barcodes")


def gate_violations_monthly() -> pd.DataFrame:
    """Months, units and teams with at least one gate violation, newest and most first."""
    return query(
        "select * from marts.gate_violations_monthly where violations > 0 "
        "order by month desc, violations desc, unit_code, team_code"
    )


def gate_violations() -> pd.DataFrame:
    return query("select * from marts.gate_violations order by started_at desc, step_id")
