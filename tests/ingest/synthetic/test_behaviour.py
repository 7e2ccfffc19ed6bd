"""The generated systems behave like the real ones: causality, process shapes, calendar,
and company-level indicators near the article's figures with a spread between units."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chinese_calendar
import duckdb
import pytest

from ingest.synthetic import reference as ref

END = "timestamp '2026-11-27 17:30:00'"

TIMESTAMP_COLUMNS = {
    "customers": ["updated_at"],
    "processes": ["accepted_at", "completed_at", "updated_at"],
    "process_steps": ["started_at", "completed_at", "updated_at"],
    "contracts": ["updated_at"],
    "archive_steps": ["created_at", "first_doc_at", "sent_at", "reviewed_at", "updated_at"],
    "documents": ["added_at", "updated_at"],
    "paper_handovers": ["handed_over_at"],
    "dossiers": ["created_at", "transferred_at"],
    "borrowings": ["requested_at", "approved_at", "borrowed_at", "returned_at"],
    "audit_checks": ["checked_at"],
    "audit_findings": ["rectified_at"],
}

# Each query lists rows that break causality; all must be empty.
CAUSALITY = {
    "step completes before it starts": "select step_id from process_steps where completed_at < started_at",
    "process completes before acceptance": "select proc_id from processes where completed_at < accepted_at",
    "step outside its process span": """
        select s.step_id from process_steps as s join processes as p using (proc_id)
        where s.started_at < p.accepted_at or s.completed_at > p.completed_at""",
    "next step starts before the previous completes": """
        select b.step_id from process_steps as a join process_steps as b
            on a.proc_id = b.proc_id and b.seq = a.seq + 1
        where a.completed_at is null or b.started_at < a.completed_at""",
    "completed process with an open step": """
        select s.step_id from process_steps as s join processes as p using (proc_id)
        where p.status = 'completed' and s.completed_at is null""",
    "archive step before its step completes": """
        select a.arch_step_id from archive_steps as a join process_steps as s using (step_id)
        where s.completed_at is null or a.created_at < s.completed_at""",
    "sent before documents or before completion": """
        select a.arch_step_id from archive_steps as a join process_steps as s using (step_id)
        where a.sent_at is not null and (a.first_doc_at is null or a.sent_at < a.first_doc_at
            or a.sent_at <= s.completed_at)""",
    "reviewed before sent": """
        select arch_step_id from archive_steps
        where reviewed_at is not null and (sent_at is null or reviewed_at <= sent_at)
            or (reviewed_at is null) <> (review_result is null)""",
    "document added before its archive step": """
        select d.doc_id from documents as d join archive_steps as a using (step_id)
        where d.added_at < a.first_doc_at or (a.sent_at is not null and d.added_at > a.sent_at)""",
    "handover before completion": """
        select h.handover_id from paper_handovers as h join processes as p using (proc_id)
        where p.completed_at is null or h.handed_over_at <= p.completed_at""",
    "dossier transferred before created": "select dossier_id from dossiers where transferred_at < created_at",
    "borrowing out of order": """
        select borrow_id from borrowings
        where approved_at < requested_at or borrowed_at < approved_at or returned_at < borrowed_at
            or (borrowed_at is not null and approved_at is null)""",
    "audit before completion": """
        select c.check_id from audit_checks as c join processes as p using (proc_id)
        where p.completed_at is null or c.checked_at <= p.completed_at""",
    "rectified before checked": """
        select f.finding_id from audit_findings as f join audit_checks as c using (check_id)
        where f.rectified_at < c.checked_at""",
    "contract signed after expiry or customer closed before opening": """
        select contract_id from contracts where expires_on <= signed_on
        union all select cust_no from customers where closed_on < opened_on""",
}


@pytest.mark.parametrize("rule", list(CAUSALITY))
def test_causality_holds(con: duckdb.DuckDBPyConnection, rule: str) -> None:
    rows = con.execute(CAUSALITY[rule]).fetchall()
    assert rows == [], f"{rule}: {rows[:5]}"


@pytest.mark.parametrize("table", list(TIMESTAMP_COLUMNS))
def test_nothing_is_timestamped_after_end(con: duckdb.DuckDBPyConnection, table: str) -> None:
    for column in TIMESTAMP_COLUMNS[table]:
        late = con.execute(f"select count(*) from {table} where {column} > {END}").fetchone()[0]
        assert late == 0, f"{table}.{column}: {late} rows after end"
    dates = {"customers": ["opened_on", "closed_on"], "contracts": ["signed_on", "terminated_on"]}
    for column in dates.get(table, []):
        late = con.execute(f"select count(*) from {table} where {column} > {END}::date").fetchone()[0]
        assert late == 0, f"{table}.{column}: {late} rows after end"


def test_steps_follow_the_node_sequence_of_their_process_type(con: duckdb.DuckDBPyConnection) -> None:
    sequences = {}
    for variant in ref.VARIANTS:
        sequences.setdefault(variant.proc_type, set()).add(variant.nodes)
    rows = con.execute(
        """select p.proc_type, p.status, list(s.node_code order by s.seq), list(s.seq order by s.seq)
        from processes as p join process_steps as s using (proc_id)
        group by p.proc_id, p.proc_type, p.status"""
    ).fetchall()
    for proc_type, status, nodes, seqs in rows:
        assert seqs == list(range(1, len(seqs) + 1))
        full = [seq for seq in sequences[proc_type] if list(seq[: len(nodes)]) == nodes]
        assert full, f"{proc_type}: {nodes}"
        if status == "completed":
            assert any(len(seq) == len(nodes) for seq in full), f"completed {proc_type} with {nodes}"
    produces = con.execute(
        "select count(*) from process_steps where produces_archive = (node_code = 'FILING')"
    ).fetchone()[0]
    assert produces == 0


def test_every_process_type_and_status_occurs_with_rotation_and_residential_dominant(
    con: duckdb.DuckDBPyConnection,
) -> None:
    counts = dict(con.execute("select proc_type, count(*) from processes group by 1").fetchall())
    assert set(counts) == {v.proc_type for v in ref.VARIANTS}
    top_two = sorted(counts, key=counts.get, reverse=True)[:2]
    assert set(top_two) == {"METER_ROTATION", "LV_RES_NEW"}
    statuses = dict(con.execute("select status, count(*) from processes group by 1").fetchall())
    assert set(statuses) == {"completed", "in_progress", "cancelled"}
    assert 0.005 <= statuses["cancelled"] / sum(statuses.values()) <= 0.06


def test_step_times_fall_in_office_hours_on_official_working_days(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        "select started_at from process_steps union all select completed_at from process_steps "
        "where completed_at is not null"
    ).fetchall()
    for (moment,) in rows:
        assert chinese_calendar.is_workday(moment.date()), moment
        assert dt.time(8, 30) <= moment.time() <= dt.time(17, 30, 59), moment


def test_tiny_crosses_national_day_and_spans_august_to_november(con: duckdb.DuckDBPyConnection) -> None:
    first, last = con.execute("select min(accepted_at), max(accepted_at) from processes").fetchone()
    assert first <= dt.datetime(2026, 8, 1)
    assert last >= dt.datetime(2026, 11, 20)
    holiday = con.execute(
        "select count(*) from process_steps where started_at::date between date '2026-10-01' and date '2026-10-07'"
    ).fetchone()[0]
    assert holiday == 0


def _unit_filing(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int, float, float]]:
    return con.execute(
        f"""
        with population as (
            select s.step_id, s.completed_at, p.unit_code, a.sent_at
            from process_steps as s
            inner join processes as p using (proc_id)
            left join archive_steps as a on a.step_id = s.step_id
            where s.produces_archive and s.completed_at is not null and p.status <> 'cancelled'
                and not (a.sent_at is null and s.completed_at > {END} - interval 48 hour)
        )
        select
            coalesce(unit_code, 'all') as unit_code,
            count(*) as steps,
            avg(case when sent_at <= completed_at + interval 48 hour then 1.0 else 0.0 end) as timely,
            avg(case when sent_at is not null then 1.0 else 0.0 end) as completion
        from population
        group by rollup (unit_code)
        """
    ).fetchall()


def test_company_timely_filing_and_completion_near_the_article(con: duckdb.DuckDBPyConnection) -> None:
    company = next(row for row in _unit_filing(con) if row[0] == "all")
    assert 0.90 <= company[2] <= 0.99, company
    assert 0.95 <= company[3] <= 1.0, company


def test_one_unit_files_clearly_worse_than_the_best(con: duckdb.DuckDBPyConnection) -> None:
    units = [row for row in _unit_filing(con) if row[0] != "all"]
    timely = [row[2] for row in units]
    assert len(units) == 7
    assert max(timely) - min(timely) >= 0.03, units


def _workday_index(con: duckdb.DuckDBPyConnection) -> None:
    day, rows, index = dt.date(2025, 1, 1), [], 0
    while day <= dt.date(2027, 12, 31):
        try:
            working = chinese_calendar.is_workday(day)
        except NotImplementedError:
            working = day.weekday() < 5
        index += int(working)
        rows.append((day, index))
        day += dt.timedelta(days=1)
    con.execute("create or replace temp table workday_index (calendar_date date, idx bigint)")
    con.executemany("insert into workday_index values (?, ?)", rows)


def test_overdue_business_expansion_ratio_is_small(con: duckdb.DuckDBPyConnection) -> None:
    _workday_index(con)
    con.execute("create or replace temp table limits (node_code varchar, cls varchar, lim bigint)")
    rows = []
    for node_index, node in enumerate(ref.NODES):
        for cls_index, cls in enumerate(ref.CLASSES):
            limit = int(ref.TIME_LIMITS[node_index, cls_index])
            if limit > 0:
                rows.append((node, cls, limit))
    con.executemany("insert into limits values (?, ?, ?)", rows)
    total, red = con.execute(
        """
        with expansion as (
            select p.proc_id,
                case when c.cust_class = 'residential' then 'res'
                     when c.voltage_class = 'low' then 'lv_nonres'
                     when c.supply_mode = 'dual' then 'hv_dual' else 'hv_single' end as cls
            from processes as p inner join customers as c using (cust_no)
            where p.status = 'completed'
                and p.proc_type in ('LV_RES_NEW', 'LV_NONRES_NEW', 'HV_NEW', 'CAP_INC', 'CAP_DEC')
        ),
        steps as (
            select e.proc_id, (done.idx - began.idx) > l.lim as is_red
            from expansion as e
            inner join process_steps as s using (proc_id)
            inner join limits as l on l.node_code = s.node_code and l.cls = e.cls
            inner join workday_index as began on began.calendar_date = s.started_at::date
            inner join workday_index as done on done.calendar_date = s.completed_at::date
        )
        select count(distinct proc_id), count(distinct case when is_red then proc_id end) from steps
        """
    ).fetchone()
    assert total > 50
    assert red / total <= 0.05


def test_contracts_of_active_non_residential_customers_are_almost_all_valid(
    con: duckdb.DuckDBPyConnection,
) -> None:
    customers, valid = con.execute(
        f"""
        with active as (
            select cust_no from customers
            where cust_class = 'non_residential' and opened_on <= {END}::date
                and (closed_on is null or closed_on > {END}::date)
        ),
        checked as (
            select a.cust_no,
                coalesce(bool_or(k.signed_on <= {END}::date
                    and (k.terminated_on is null or k.terminated_on > {END}::date)
                    and (k.expires_on >= {END}::date or k.auto_renew)), false) as is_valid
            from active as a left join contracts as k using (cust_no)
            group by a.cust_no
        )
        select count(*), count(*) filter (where is_valid) from checked
        """
    ).fetchone()
    assert customers > 100
    assert 0.95 <= valid / customers < 1.0


def test_contract_terms_are_three_years_for_high_and_five_for_low_voltage(
    con: duckdb.DuckDBPyConnection,
) -> None:
    rows = con.execute(
        """select c.voltage_class, median(datediff('day', k.signed_on, k.expires_on))
        from contracts as k join customers as c using (cust_no) group by 1"""
    ).fetchall()
    terms = dict(rows)
    assert 1090 <= terms["high"] <= 1100
    assert 1820 <= terms["low"] <= 1830


def test_archive_follow_up_has_tails_and_gaps(con: duckdb.DuckDBPyConnection, tiny: Path) -> None:
    late_handover = con.execute(
        """select count(*) from paper_handovers as h join processes as p using (proc_id)
        where h.handed_over_at::date > p.completed_at::date + interval 7 day"""
    ).fetchone()[0]
    assert late_handover > 0
    assert con.execute("select count(*) from dossiers where transferred_at is null").fetchone()[0] > 0
    assert (
        con.execute("select count(*) from archive_steps where review_result = 'returned'").fetchone()[0] > 0
    )
    assert con.execute("select count(*) from audit_checks where result = 'fail'").fetchone()[0] > 0
    categories = {row[0] for row in con.execute("select distinct category from documents").fetchall()}
    assert categories == {"expansion", "inspection", "metering", "billing", "other"}


def test_node_gate_holds_for_most_steps_with_a_few_violations(con: duckdb.DuckDBPyConnection) -> None:
    steps, violations = con.execute(
        """
        with later as (
            select s.step_id, s.proc_id, s.seq, s.started_at from process_steps as s where s.seq > 1
        ),
        blocked as (
            select later.step_id
            from later
            inner join process_steps as earlier
                on earlier.proc_id = later.proc_id and earlier.seq < later.seq and earlier.produces_archive
            left join archive_steps as a on a.step_id = earlier.step_id
            where a.sent_at is null or a.sent_at > later.started_at
            group by later.step_id
        )
        select (select count(*) from later), (select count(*) from blocked)
        """
    ).fetchone()
    assert steps > 500
    assert 0 < violations / steps <= 0.08
