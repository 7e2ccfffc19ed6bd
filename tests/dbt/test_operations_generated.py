"""The operational marts on the generated tiny set (plus the hand-made unit), checked row for
row against the rules recomputed here in Python straight from the raw tables — hashlib for
the audit sample, chinese_calendar for working days — so the SQL is compared with a second,
independent implementation on realistic data rather than with itself."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import math
from collections import defaultdict

import chinese_calendar
import pytest

from tests.dbt.conftest import DbtWarehouse

SAMPLE_SEED = "dangan"
FILING_HOURS = 48
YELLOW_RATIO = 0.8


def as_of(warehouse: DbtWarehouse) -> dt.datetime:
    return dt.datetime.fromisoformat(warehouse.as_of)


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar month arithmetic, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def elapsed_workdays(start: dt.datetime, end: dt.datetime) -> int:
    """Working days w with date(start) < w <= date(end), on the official calendar."""
    count, current = 0, start.date() + dt.timedelta(days=1)
    while current <= end.date():
        count += chinese_calendar.is_workday(current)
        current += dt.timedelta(days=1)
    return count


def test_audit_sample_equals_the_md5_order_recomputed_with_hashlib(dbt_warehouse: DbtWarehouse) -> None:
    moment = as_of(dbt_warehouse)
    documented = {
        proc_id
        for (proc_id,) in dbt_warehouse.rows(
            "select distinct proc_id from raw.documents where proc_id is not null and added_at <= ?", [moment]
        )
    }
    population: dict[tuple[str, str], list[str]] = defaultdict(list)
    for proc_id, unit_code, completed_at in dbt_warehouse.rows(
        "select proc_id, unit_code, completed_at from raw.processes"
        " where status = 'completed' and completed_at <= ?",
        [moment],
    ):
        if proc_id in documented:
            population[(completed_at.strftime("%Y-%m"), unit_code)].append(proc_id)
    expected = set()
    for (month, unit_code), procs in population.items():
        ordered = sorted(procs, key=lambda p: hashlib.md5(f"{SAMPLE_SEED}|{month}|{p}".encode()).hexdigest())
        size = min(len(procs), max(5, math.ceil(0.05 * len(procs))))
        expected |= {
            (f"{month}-01", unit_code, proc_id, rank, len(procs), size)
            for rank, proc_id in enumerate(ordered[:size], start=1)
        }
    got = set(
        dbt_warehouse.rows(
            "select strftime(month, '%Y-%m-%d'), unit_code, proc_id, sample_rank, population, sample_size"
            " from marts.audit_sample"
        )
    )
    assert len(expected) > 20
    assert got == expected


def test_contract_status_matches_the_rules_recomputed_per_customer(dbt_warehouse: DbtWarehouse) -> None:
    today = as_of(dbt_warehouse).date()
    active = {
        cust_no
        for cust_no, opened_on, closed_on in dbt_warehouse.rows(
            "select cust_no, opened_on, closed_on from raw.customers where cust_class = 'non_residential'"
        )
        if opened_on <= today and (closed_on is None or closed_on > today)
    }
    current: dict[str, tuple] = {}
    for contract_id, cust_no, signed_on, expires_on, auto_renew, terminated_on in dbt_warehouse.rows(
        "select contract_id, cust_no, signed_on, expires_on, auto_renew, terminated_on from raw.contracts"
    ):
        if signed_on > today or (terminated_on is not None and terminated_on <= today):
            continue
        key = (expires_on, signed_on, contract_id)
        if cust_no not in current or key > current[cust_no][0]:
            current[cust_no] = (key, contract_id, expires_on, bool(auto_renew))
    expected = set()
    for cust_no in active:
        if cust_no not in current:
            expected.add((cust_no, None, False, "overdue"))
            continue
        _, contract_id, expires_on, auto_renew = current[cust_no]
        if auto_renew:
            level = None
        elif expires_on < today:
            level = "overdue"
        elif expires_on <= today + dt.timedelta(days=7):
            level = "warning"
        elif expires_on <= add_months(today, 1):
            level = "reminder"
        else:
            level = None
        expected.add((cust_no, contract_id, expires_on >= today or auto_renew, level))
    got = dbt_warehouse.rows("select cust_no, contract_id, valid, alert_level from marts.contract_status")
    assert len(got) == len({row[0] for row in got}), "contract_status must have one row per customer"
    assert set(got) == expected


def test_sla_monitor_clock_matches_the_official_calendar(dbt_warehouse: DbtWarehouse) -> None:
    moment = as_of(dbt_warehouse)
    limits = {
        (node, klass): limit
        for node, klass, limit in dbt_warehouse.rows(
            "select node_code, customer_class, limit_workdays from staging.time_limits"
        )
    }
    open_steps = dbt_warehouse.rows(
        """
        select s.step_id, s.node_code, s.started_at,
               case when c.cust_class = 'residential' then 'res' when c.voltage_class = 'low' then 'lv_nonres'
                    when c.supply_mode = 'dual' then 'hv_dual' else 'hv_single' end
        from raw.process_steps as s
        join raw.processes as p using (proc_id)
        join raw.customers as c on c.cust_no = p.cust_no
        where p.proc_type in ('LV_RES_NEW', 'LV_NONRES_NEW', 'HV_NEW', 'CAP_INC', 'CAP_DEC')
          and p.status <> 'cancelled' and p.accepted_at <= ?
          and (p.completed_at is null or p.completed_at > ?)
          and s.started_at <= ? and (s.completed_at is null or s.completed_at > ?)
        """,
        [moment] * 4,
    )
    expected = set()
    for step_id, node_code, started_at, klass in open_steps:
        if (node_code, klass) not in limits:
            continue
        limit = limits[(node_code, klass)]
        elapsed = elapsed_workdays(started_at, moment)
        status = "red" if elapsed > limit else "yellow" if elapsed >= YELLOW_RATIO * limit else "green"
        expected.add((step_id, limit, elapsed, limit - elapsed, status))
    got = set(
        dbt_warehouse.rows(
            "select step_id, limit_workdays, elapsed_workdays, remaining_workdays, status from marts.sla_monitor"
        )
    )
    assert expected, "the generated set should have open time-limited steps"
    assert got == expected


@pytest.mark.parametrize("category", ["to_add", "to_send"])
def test_filing_reminders_match_the_48_hour_rule_recomputed(
    dbt_warehouse: DbtWarehouse, category: str
) -> None:
    moment = as_of(dbt_warehouse)
    steps = dbt_warehouse.rows(
        """
        select s.step_id, s.assignee_id, s.completed_at,
               (a.first_doc_at is not null and a.first_doc_at <= ?)
               or exists (select 1 from raw.documents as d where d.step_id = s.step_id and d.added_at <= ?)
        from raw.process_steps as s
        join raw.processes as p using (proc_id)
        left join raw.archive_steps as a on a.step_id = s.step_id
        where s.produces_archive and p.status <> 'cancelled' and p.accepted_at <= ?
          and s.completed_at <= ? and (a.sent_at is null or a.sent_at > ?)
        """,
        [moment] * 5,
    )
    expected = set()
    for step_id, assignee_id, completed_at, has_document in steps:
        if (category == "to_send") != bool(has_document):
            continue
        late = (moment - completed_at).total_seconds() > FILING_HOURS * 3600
        expected.add((step_id, assignee_id, "overdue" if late else "reminder"))
    got = set(
        dbt_warehouse.rows(
            "select object_id, person_id, level from marts.reminders where category = ?", [category]
        )
    )
    assert expected, f"the generated set should have open {category} reminders"
    assert got == expected
