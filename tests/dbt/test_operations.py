"""The operational marts (reminders, time limits, contracts, audit sample, archive, scans,
gate, borrowings) on a hand-built scenario, through a real ``dbt build`` on a real DuckDB.

The scenario is evaluated as of 2026-10-13 09:00, just after National Day 2026 (1–7 Oct
off, Saturday 10 Oct a make-up working day), so every working-day figure below is
counted by hand on the official calendar. Expected audit-sample orders are computed here
with hashlib, independently of the SQL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterator

import chinese_calendar
import duckdb
import pytest

from ingest.contract import TABLES_BY_NAME, create_raw_tables
from tests.dbt.conftest import run_dbt

AS_OF = "2026-10-13 09:00:00"
SAMPLE_SEED = "dangan"


def ts(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


SCENARIO: dict[str, list[dict]] = {
    "supply_units": [
        {"unit_code": "U1", "unit_name": "南湖"},
        {"unit_code": "U2", "unit_name": "秀洲"},
    ],
    "teams": [
        {"team_code": "T1", "team_name": "城东供电所", "unit_code": "U1"},
        {"team_code": "T2", "team_name": "新塍供电所", "unit_code": "U2"},
    ],
    "staff": [
        {"staff_id": "A1", "staff_name": "张业务", "team_code": "T1", "post": "business", "active": True},
        {"staff_id": "O1", "staff_name": "李责任", "team_code": "T1", "post": "business", "active": True},
        {"staff_id": "K1", "staff_name": "王收集", "team_code": "T1", "post": "collector", "active": True},
        {"staff_id": "M1", "staff_name": "赵经理", "team_code": "T1", "post": "business", "active": True},
        {"staff_id": "B1", "staff_name": "钱借阅", "team_code": "T2", "post": "business", "active": True},
    ],
    "customers": [
        {"cust_no": "C_RES", "cust_class": "residential", "voltage_class": "low", "supply_mode": "single"},
        {"cust_no": "C_LV", "cust_class": "non_residential", "voltage_class": "low", "supply_mode": "single"},
        {"cust_no": "C_HV", "cust_class": "non_residential", "voltage_class": "high", "supply_mode": "dual"},
        {
            "cust_no": "C_NOCON",
            "cust_class": "non_residential",
            "voltage_class": "low",
            "supply_mode": "single",
        },
        {
            "cust_no": "C_U2",
            "cust_class": "residential",
            "voltage_class": "low",
            "supply_mode": "single",
            "unit_code": "U2",
        },
    ],
    "processes": [
        {
            "proc_id": "P1",
            "proc_type": "LV_NONRES_NEW",
            "cust_no": "C_LV",
            "status": "in_progress",
            "accepted_at": ts("2026-09-28 08:00:00"),
        },
        {
            "proc_id": "P2",
            "proc_type": "HV_NEW",
            "cust_no": "C_HV",
            "status": "in_progress",
            "accepted_at": ts("2026-09-28 08:00:00"),
        },
        {
            "proc_id": "P3",
            "proc_type": "LV_RES_NEW",
            "cust_no": "C_RES",
            "status": "completed",
            "accepted_at": ts("2026-09-28 08:00:00"),
            "completed_at": ts("2026-09-30 16:00:00"),
        },
        {
            "proc_id": "P4",
            "proc_type": "CLOSE",
            "cust_no": "C_LV",
            "status": "cancelled",
            "accepted_at": ts("2026-09-28 08:00:00"),
        },
        {
            "proc_id": "P5",
            "proc_type": "LV_RES_NEW",
            "cust_no": "C_RES",
            "status": "completed",
            "accepted_at": ts("2026-09-20 08:00:00"),
            "completed_at": ts("2026-09-29 10:00:00"),
        },
        {
            "proc_id": "P6",
            "proc_type": "METER_ROTATION",
            "cust_no": "C_U2",
            "status": "completed",
            "unit_code": "U2",
            "accepted_at": ts("2026-10-09 08:00:00"),
            "completed_at": ts("2026-10-12 10:00:00"),
        },
        # completed after as_of: still in progress then, so not in October's audit population
        {
            "proc_id": "P7",
            "proc_type": "LV_RES_NEW",
            "cust_no": "C_RES",
            "status": "completed",
            "accepted_at": ts("2026-10-09 08:00:00"),
            "completed_at": ts("2026-10-13 09:00:01"),
        },
    ],
    "process_steps": [
        # P1: ACCEPT sent the next morning; SURVEY started before that send (gate) and
        # completed exactly 48 h before as_of with no document (to_add, still a reminder).
        {
            "step_id": "P1-1",
            "proc_id": "P1",
            "seq": 1,
            "node_code": "ACCEPT",
            "started_at": ts("2026-09-28 09:00:00"),
            "completed_at": ts("2026-09-28 17:00:00"),
        },
        {
            "step_id": "P1-2",
            "proc_id": "P1",
            "seq": 2,
            "node_code": "SURVEY",
            "started_at": ts("2026-09-28 17:00:00"),
            "completed_at": ts("2026-10-11 09:00:00"),
        },
        # PLAN_REPLY, lv_nonres limit 7: 30 Sep, 8, 9, 10 (make-up), 12, 13 Oct = 6 >= 5.6 → yellow
        {
            "step_id": "P1-3",
            "proc_id": "P1",
            "seq": 3,
            "node_code": "PLAN_REPLY",
            "started_at": ts("2026-09-29 09:00:00"),
        },
        # P2: ACCEPT completed 48 h + 1 s before as_of, document added, not sent → to_send overdue
        {
            "step_id": "P2-1",
            "proc_id": "P2",
            "seq": 1,
            "node_code": "ACCEPT",
            "started_at": ts("2026-09-28 09:00:00"),
            "completed_at": ts("2026-10-11 08:59:59"),
        },
        # MID_CHECK, hv_dual limit 5: 6 elapsed → red
        {
            "step_id": "P2-2",
            "proc_id": "P2",
            "seq": 2,
            "node_code": "MID_CHECK",
            "started_at": ts("2026-09-29 08:00:00"),
        },
        {
            "step_id": "P3-1",
            "proc_id": "P3",
            "seq": 1,
            "node_code": "ACCEPT",
            "started_at": ts("2026-09-28 09:00:00"),
            "completed_at": ts("2026-09-28 12:00:00"),
        },
        {
            "step_id": "P4-1",
            "proc_id": "P4",
            "seq": 1,
            "node_code": "ACCEPT",
            "started_at": ts("2026-09-28 09:00:00"),
            "completed_at": ts("2026-10-01 10:00:00"),
        },
        {
            "step_id": "P4-2",
            "proc_id": "P4",
            "seq": 2,
            "node_code": "SURVEY",
            "started_at": ts("2026-10-01 10:00:00"),
        },
    ],
    "contracts": [
        {
            "contract_id": "HT_LV",
            "cust_no": "C_LV",
            "signed_on": day("2021-10-20"),
            "expires_on": day("2026-10-20"),
            "auto_renew": False,
        },
        {
            "contract_id": "HT_HV_OLD",
            "cust_no": "C_HV",
            "signed_on": day("2023-09-01"),
            "expires_on": day("2026-09-01"),
            "auto_renew": False,
        },
        {
            "contract_id": "HT_HV",
            "cust_no": "C_HV",
            "signed_on": day("2023-11-13"),
            "expires_on": day("2026-11-13"),
            "auto_renew": False,
        },
        {
            "contract_id": "HT_NOCON_END",
            "cust_no": "C_NOCON",
            "signed_on": day("2024-01-01"),
            "expires_on": day("2029-01-01"),
            "auto_renew": True,
            "terminated_on": day("2026-10-01"),
        },
    ],
    "archive_steps": [
        {
            "arch_step_id": "AS-P1-1",
            "step_id": "P1-1",
            "proc_id": "P1",
            "created_at": ts("2026-09-28 17:00:00"),
            "first_doc_at": ts("2026-09-28 18:00:00"),
            "sent_at": ts("2026-09-29 10:00:00"),
            "collector_id": "K1",
        },
        {
            "arch_step_id": "AS-P2-1",
            "step_id": "P2-1",
            "proc_id": "P2",
            "created_at": ts("2026-10-11 08:59:59"),
            "first_doc_at": ts("2026-10-11 09:30:00"),
            "collector_id": "K1",
        },
        {
            "arch_step_id": "AS-P3-1",
            "step_id": "P3-1",
            "proc_id": "P3",
            "created_at": ts("2026-09-28 12:00:00"),
            "first_doc_at": ts("2026-09-28 12:30:00"),
            "sent_at": ts("2026-09-28 13:00:00"),
            "collector_id": "K1",
        },
        {
            "arch_step_id": "AS-P4-1",
            "step_id": "P4-1",
            "proc_id": "P4",
            "created_at": ts("2026-10-01 10:00:00"),
            "collector_id": "K1",
        },
    ],
    "documents": [
        {
            "doc_id": "D1",
            "barcode": "DG000000000001",
            "cust_no": "C_RES",
            "proc_id": "P3",
            "step_id": "P3-1",
            "doc_type": "APPLICATION",
            "category": "expansion",
            "pages": 2,
            "added_at": ts("2026-09-28 12:30:00"),
        },
        {
            "doc_id": "D2",
            "barcode": "DG000000000002",
            "cust_no": "C_HV",
            "proc_id": "P2",
            "step_id": "P2-1",
            "doc_type": "APPLICATION",
            "category": "expansion",
            "pages": 1,
            "added_at": ts("2026-10-11 09:30:00"),
        },
        {
            "doc_id": "D3",
            "barcode": "DG000000000003",
            "cust_no": "C_LV",
            "proc_id": "P4",
            "step_id": "P4-1",
            "doc_type": "APPLICATION",
            "category": "expansion",
            "pages": 1,
            "added_at": ts("2026-10-01 11:00:00"),
        },
        {
            "doc_id": "D4",
            "barcode": "DG000000000004",
            "cust_no": "C_RES",
            "proc_id": "P5",
            "doc_type": "CONTRACT",
            "category": "expansion",
            "pages": 3,
            "added_at": ts("2026-09-29 09:00:00"),
        },
        {
            "doc_id": "D5",
            "barcode": "DG000000000005",
            "cust_no": "C_U2",
            "proc_id": "P6",
            "doc_type": "METERING_ORDER",
            "category": "metering",
            "pages": 1,
            "added_at": ts("2026-10-12 09:00:00"),
        },
        {
            "doc_id": "D6",
            "barcode": "DG000000000006",
            "cust_no": "C_LV",
            "doc_type": "ELEC_SETTLEMENT",
            "category": "billing",
            "pages": 1,
            "added_at": ts("2026-10-10 09:00:00"),
        },
        {
            "doc_id": "D7",
            "barcode": "DG000000000007",
            "cust_no": "C_RES",
            "proc_id": "P7",
            "doc_type": "APPLICATION",
            "category": "expansion",
            "pages": 1,
            "added_at": ts("2026-10-13 09:00:01"),
        },
    ],
    "paper_handovers": [
        {
            "handover_id": "H5",
            "proc_id": "P5",
            "handed_by": "O1",
            "received_by": "K1",
            "handed_over_at": ts("2026-10-09 10:00:00"),
            "doc_count": 1,
        },
        {
            "handover_id": "H3_LATER",
            "proc_id": "P3",
            "handed_by": "O1",
            "received_by": "K1",
            "handed_over_at": ts("2026-10-13 09:00:01"),
            "doc_count": 1,
        },
    ],
    "dossiers": [
        {
            "dossier_id": "JZ1",
            "barcode": "JZ0000000001",
            "cust_no": "C_RES",
            "proc_id": "P3",
            "collector_id": "K1",
            "created_at": ts("2026-09-30 10:00:00"),
        },
        {
            "dossier_id": "JZ2",
            "barcode": "JZ0000000002",
            "cust_no": "C_RES",
            "proc_id": "P5",
            "collector_id": "K1",
            "created_at": ts("2026-09-29 10:00:00"),
        },
        {
            "dossier_id": "JZ3",
            "barcode": "JZ0000000003",
            "cust_no": "C_LV",
            "proc_id": "P4",
            "collector_id": "K1",
            "created_at": ts("2026-09-29 10:00:00"),
        },
    ],
    "borrowings": [
        {
            "borrow_id": "BR_LATE",
            "dossier_id": "JZ2",
            "borrower_id": "B1",
            "reason": "法律纠纷举证",
            "requested_at": ts("2026-10-01 09:00:00"),
            "approved_by": "M1",
            "approved_at": ts("2026-10-02 09:00:00"),
            "borrowed_at": ts("2026-10-02 10:00:00"),
            "due_on": day("2026-10-10"),
        },
        {
            "borrow_id": "BR_ASKED",
            "dossier_id": "JZ1",
            "borrower_id": "B1",
            "reason": "业务核查",
            "requested_at": ts("2026-10-12 09:00:00"),
        },
        {
            "borrow_id": "BR_OUT",
            "dossier_id": "JZ1",
            "borrower_id": "B1",
            "reason": "业务核查",
            "requested_at": ts("2026-10-08 09:00:00"),
            "approved_by": "M1",
            "approved_at": ts("2026-10-08 10:00:00"),
            "borrowed_at": ts("2026-10-08 11:00:00"),
            "due_on": day("2026-10-20"),
            "returned_at": ts("2026-10-14 09:00:00"),
        },
    ],
}

SCAN_FILES = [
    ("sha-a", "scans/a.png", "png", 1, "ok", None),
    ("sha-b", "scans/b.pdf", "pdf", 2, "ok", None),
    ("sha-c", "scans/c.png", "png", 1, "ok", None),
    ("sha-d", "scans/d.tif", "tiff", 0, "error", "truncated file"),
    ("sha-e", "scans/e.pdf", "pdf", 2, "ok", None),
]
SCAN_PAGES = [
    ("sha-a", "scans/a.png", 1, "DG000000000001", "decoded", None),
    ("sha-b", "scans/b.pdf", 1, "JZ0000000001", "decoded", None),
    ("sha-b", "scans/b.pdf", 2, "", "no_barcode", None),
    ("sha-c", "scans/c.png", 1, "DG999999999999", "decoded", None),
    ("sha-d", "scans/d.tif", 0, "", "error", "truncated file"),
    # a document barcode on page 2 does not make that document scanned
    ("sha-e", "scans/e.pdf", 1, "", "no_barcode", None),
    ("sha-e", "scans/e.pdf", 2, "DG000000000006", "decoded", None),
]

DEFAULTS = {
    "customers": {
        "cust_name": "客户",
        "address": "嘉兴",
        "unit_code": "U1",
        "manager_id": "M1",
        "opened_on": day("2020-01-01"),
    },
    "processes": {"unit_code": "U1", "owner_id": "O1"},
    "process_steps": {"assignee_id": "A1"},
    "documents": {"added_by": "A1"},
}


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    columns = [column.name for column in TABLES_BY_NAME[table].columns]
    defaults = DEFAULTS.get(table, {})
    values = []
    for row in rows:
        full = {**defaults, **row}
        if table == "process_steps":
            full.setdefault("produces_archive", full["node_code"] != "FILING")
        full.setdefault("updated_at", ts("2026-10-01 00:00:00"))
        values.append([full.get(column) for column in columns])
    placeholders = ", ".join("?" for _ in columns)
    con.executemany(f"insert into raw.{table} ({', '.join(columns)}) values ({placeholders})", values)


def working_days(first: dt.date, last: dt.date) -> list[tuple[dt.date, bool, bool]]:
    days, current = [], first
    while current <= last:
        days.append((current, chinese_calendar.is_workday(current), True))
        current += dt.timedelta(days=1)
    return days


@pytest.fixture(scope="module")
def operations(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """The scenario loaded into raw.*, then ``dbt build`` of the operational marts and
    everything they depend on (seeds, staging, data tests) as of AS_OF."""
    work = tmp_path_factory.mktemp("dbt_operations")
    database = work / "warehouse.duckdb"
    con = duckdb.connect(str(database))
    create_raw_tables(con)
    for table, rows in SCENARIO.items():
        insert(con, table, rows)
    con.executemany(
        "insert into raw.scan_files values (?, ?, 1000, ?, ?, ?, ?, timestamp '2026-10-12 20:00:00')",
        SCAN_FILES,
    )
    con.executemany(
        "insert into raw.scan_pages (file_sha256, file_path, page_no, width_px, height_px, dpi, barcodes,"
        " raw_barcodes, decoder, decode_status, is_blank, sharpness, error)"
        " values (?, ?, ?, 1654, 2339, 200, ?, '', 'pyzbar', ?, false, 120.0, ?)",
        SCAN_PAGES,
    )
    con.executemany(
        "insert into raw.calendar_days values (?, ?, ?)",
        working_days(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    )
    con.close()

    run_dbt(
        database,
        "build",
        "--select", "+path:models/marts/operations",
        "--exclude-resource-type", "unit_test", "--indirect-selection", "cautious",
        "--vars", f'{{"as_of": "{AS_OF}"}}',
    )  # fmt: skip
    marts = duckdb.connect(str(database), read_only=True)
    yield marts
    marts.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> set[tuple]:
    return set(con.execute(sql).fetchall())


def test_reminders_are_exactly_the_hand_counted_ones(operations: duckdb.DuckDBPyConnection) -> None:
    """GIVEN the scenario as of 2026-10-13 09:00 WHEN the marts are built THEN every category
    fires exactly where DOMAIN §6 says: 48 h exactly is a reminder, 48 h + 1 s overdue; the
    handover deadline is the 5th working day counting the make-up Saturday; nothing for the
    cancelled process; events after as_of have not happened."""
    assert rows(operations, "select category, object_id, person_id, level from marts.reminders") == {
        ("to_add", "P1-2", "A1", "reminder"),
        ("to_send", "P2-1", "A1", "overdue"),
        ("sla", "P1-3", "A1", "warning"),
        ("sla", "P2-2", "A1", "overdue"),
        ("to_hand_over", "P3", "O1", "warning"),
        ("to_hand_over", "P6", "O1", "reminder"),
        ("dossier_to_transfer", "JZ1", "K1", "reminder"),
        ("dossier_to_transfer", "JZ2", "K1", "overdue"),
        ("contract", "HT_LV", "M1", "warning"),
        ("contract", "HT_HV", "M1", "reminder"),
        ("contract", "C_NOCON", "M1", "overdue"),
        # Borrowed 2 Oct, due 10 Oct, not returned: overdue. BR_OUT (due 20 Oct, 7 days
        # ahead) is not yet in the 3-day window.
        ("borrowing_return", "BR_LATE", "B1", "overdue"),
    }


def test_missing_documents_list_every_mandatory_type_a_completed_step_lacks(
    operations: duckdb.DuckDBPyConnection,
) -> None:
    """GIVEN the scenario as of 2026-10-13 09:00 and the shipped catalogue WHEN the to-do
    list is built THEN each completed archive-producing step lists the mandatory types of its
    node its process lacks: new connections' ACCEPT needs a property proof too; P2 and P3
    have their applications (added by as_of), not the rest; nothing for the cancelled P4
    or for steps not completed by as_of (P1-3, P2-2)."""
    assert rows(
        operations, "select step_id, node_code, doc_type, assignee_id, since from marts.missing_documents"
    ) == {
        ("P1-1", "ACCEPT", "APPLICATION", "A1", ts("2026-09-28 17:00:00")),
        ("P1-1", "ACCEPT", "ID_PROOF", "A1", ts("2026-09-28 17:00:00")),
        ("P1-1", "ACCEPT", "PROPERTY_PROOF", "A1", ts("2026-09-28 17:00:00")),
        ("P1-2", "SURVEY", "SURVEY_SHEET", "A1", ts("2026-10-11 09:00:00")),
        ("P2-1", "ACCEPT", "ID_PROOF", "A1", ts("2026-10-11 08:59:59")),
        ("P2-1", "ACCEPT", "PROPERTY_PROOF", "A1", ts("2026-10-11 08:59:59")),
        ("P3-1", "ACCEPT", "ID_PROOF", "A1", ts("2026-09-28 12:00:00")),
        ("P3-1", "ACCEPT", "PROPERTY_PROOF", "A1", ts("2026-09-28 12:00:00")),
    }


def test_reminder_deadlines_are_the_last_on_time_moment(operations: duckdb.DuckDBPyConnection) -> None:
    due = dict(operations.execute("select object_id, due_at from marts.reminders").fetchall())
    assert due["P1-2"] == ts("2026-10-13 09:00:00")
    assert due["P2-1"] == ts("2026-10-13 08:59:59")
    # 30 Sep + 5 working days: 8, 9, 10 (make-up Saturday), 12, 13 Oct
    assert due["P3"] == ts("2026-10-13 23:59:59")
    # 29 Sep + 5: 30 Sep, 8, 9, 10, 12 Oct
    assert due["JZ2"] == ts("2026-10-12 23:59:59")
    assert due["HT_LV"] == ts("2026-10-20 23:59:59")


def test_sla_monitor_lists_open_limited_steps_with_working_day_clock(
    operations: duckdb.DuckDBPyConnection,
) -> None:
    got = rows(
        operations,
        "select step_id, node_code, team_code, limit_workdays, elapsed_workdays, remaining_workdays, status"
        " from marts.sla_monitor",
    )
    assert got == {
        ("P1-3", "PLAN_REPLY", "T1", 7, 6, 1, "yellow"),
        ("P2-2", "MID_CHECK", "T1", 5, 6, -1, "red"),
    }


def test_contract_status_has_one_row_per_active_non_residential_customer(
    operations: duckdb.DuckDBPyConnection,
) -> None:
    got = rows(operations, "select cust_no, contract_id, valid, alert_level from marts.contract_status")
    assert got == {
        ("C_LV", "HT_LV", True, "warning"),
        ("C_HV", "HT_HV", True, "reminder"),
        ("C_NOCON", None, False, "overdue"),
    }


def expected_sample(population: dict[tuple[str, str], list[str]]) -> set[tuple]:
    """DOMAIN §10 computed in Python: md5 hex order, n = min(pop, max(5, ceil(0.05 pop)))."""
    expected = set()
    for (month, unit), procs in population.items():
        ordered = sorted(procs, key=lambda p: hashlib.md5(f"{SAMPLE_SEED}|{month}|{p}".encode()).hexdigest())
        size = min(len(procs), max(5, math.ceil(0.05 * len(procs))))
        for rank, proc_id in enumerate(ordered[:size], start=1):
            expected.add((f"{month}-01", unit, proc_id, rank, len(procs), size))
    return expected


def test_audit_sample_follows_the_md5_order_of_the_population(operations: duckdb.DuckDBPyConnection) -> None:
    got = rows(
        operations,
        "select strftime(month, '%Y-%m-%d'), unit_code, proc_id, sample_rank, population, sample_size"
        " from marts.audit_sample",
    )
    # P4 cancelled, P1/P2 open, P7 completed after as_of: not in any population.
    assert got == expected_sample({("2026-09", "U1"): ["P3", "P5"], ("2026-10", "U2"): ["P6"]})
    assert rows(operations, "select distinct sample_seed from marts.audit_sample") == {(SAMPLE_SEED,)}


def test_customer_documents_are_scanned_only_through_a_page_one_barcode(
    operations: duckdb.DuckDBPyConnection,
) -> None:
    got = rows(operations, "select doc_id, scanned, scan_file, category_zh from marts.customer_documents")
    assert got == {
        ("D1", True, "scans/a.png", "业扩档案"),
        ("D2", False, None, "业扩档案"),
        ("D3", False, None, "业扩档案"),
        ("D4", False, None, "业扩档案"),
        ("D5", False, None, "计量档案"),
        ("D6", False, None, "电费档案"),
    }


def test_scan_pages_link_documents_and_dossier_covers(operations: duckdb.DuckDBPyConnection) -> None:
    got = rows(
        operations, "select file_path, page_no, doc_id, dossier_id, decode_status from marts.scan_pages"
    )
    assert got == {
        ("scans/a.png", 1, "D1", None, "decoded"),
        ("scans/b.pdf", 1, None, "JZ1", "decoded"),
        ("scans/b.pdf", 2, None, None, "no_barcode"),
        ("scans/c.png", 1, None, None, "decoded"),
        ("scans/d.tif", 0, None, None, "error"),
        ("scans/e.pdf", 1, None, None, "no_barcode"),
        ("scans/e.pdf", 2, None, None, "decoded"),
    }
    assert rows(operations, "select barcode, file_path from marts.unmatched_barcodes") == {
        ("DG999999999999", "scans/c.png")
    }


def test_gate_violations_name_the_earliest_unsent_archive_step(operations: duckdb.DuckDBPyConnection) -> None:
    got = rows(
        operations, "select step_id, blocking_step_id, unit_code, team_code from marts.gate_violations"
    )
    assert got == {
        ("P1-2", "P1-1", "U1", "T1"),
        ("P1-3", "P1-1", "U1", "T1"),
        ("P2-2", "P2-1", "U1", "T1"),
    }
    monthly = rows(
        operations,
        "select strftime(month, '%Y-%m'), team_code, steps_started, violations from marts.gate_violations_monthly",
    )
    assert ("2026-09", "T1", 6, 3) in monthly


def test_borrowings_show_their_status_as_of_and_overdue_returns(
    operations: duckdb.DuckDBPyConnection,
) -> None:
    got = rows(operations, "select borrow_id, status, is_overdue, days_overdue from marts.borrowing_report")
    assert got == {
        ("BR_LATE", "borrowed", True, 3),
        ("BR_ASKED", "requested", False, 0),
        ("BR_OUT", "borrowed", False, 0),
    }


def test_reminder_digest_puts_overdue_first_and_counts_by_level(
    operations: duckdb.DuckDBPyConnection,
) -> None:
    digest = operations.execute(
        "select total_count, overdue_count, warning_count, reminder_count, sla_count, has_urge, body"
        " from marts.reminder_digest where person_id = 'A1'"
    ).fetchone()
    assert digest[:6] == (4, 2, 1, 1, 2, True)
    lines = digest[6].splitlines()
    assert lines[0].startswith("张业务，截至 2026-10-13 09:00 您有 4 条待办：超期 2，预警 1，提醒 1。")
    objects = [line.split("] ")[1].split(" ")[1].split("（")[0] for line in lines[1:]]
    # overdue first, earliest deadline first: P2-2 due 12 Oct (end of day), P2-1 due 13 Oct 08:59:59
    assert objects == ["P2-2", "P2-1", "P1-3", "P1-2"]
    assert lines[1].startswith("- [超期] 业扩时限预警信息 P2-2")
