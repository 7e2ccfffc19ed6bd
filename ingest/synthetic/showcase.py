"""A few hand-placed cases that make the small demo show every state at its ``end``.

A few hundred random processes rarely leave a time-limited step yellow or red at the
moment the demo is evaluated, a contract expiring within the week, or a borrowing due
around it: the dashboard's traffic light would never show red. So the scales that ask for
it (``Scale.showcase``, the tiny demo) get, after the random chunks and from a generator of
their own (so the random part stays as it was), one supply unit's:

- three in-flight capacity increases of low-voltage non-residential customers whose
  plan-reply step (7 working days) has run 1, 6 and 9 working days: green, yellow, red;
- those customers' contracts (not auto-renewing) expiring 2 days ago, in 3 days (within the
  week) and in 20 days: the contract reminder's overdue, warning and reminder levels;
- three periodic inspections, completed, spot-checked 12, 10 and 3 working days before
  ``end`` and failed, their findings not rectified: rectification due (10 working days)
  passed, today, ahead;
- a dossier borrowed three times, not returned, due 3 days ago, today and in 2 days:
  borrowing-return overdue, warning and reminder;
- the last of those inspections, completed 5 working days before ``end`` with its
  documents and no paper handed over: the hand-over reminder's warning (due on the 5th).
Ids continue the run's own numbering, so they never collide with the random rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from ingest.synthetic import reference as ref
from ingest.synthetic.arrays import NAT, days, ids, join, secs
from ingest.synthetic.contracts import customer_rows

if TYPE_CHECKING:
    from ingest.synthetic.world import World

# Working days the plan-reply step has run at `end` (limit 7 for LV non-residential):
# green (< 0.8 x 7), yellow (>= 5.6, <= 7), red (> 7).
SLA_ELAPSED = (1, 6, 9)
# Days from `end`'s date to each contract's expiry: overdue, warning (within 7 days), reminder.
CONTRACT_EXPIRY_DAYS = (-2, 3, 20)
# Working days before `end` each finding's check was made (rectification due after 10).
CHECK_WORKDAYS_BEFORE = (12, 10, 3)
# Days from `end`'s date to each borrowing's due date: overdue, warning, reminder (3 days ahead).
BORROW_DUE_DAYS = (-3, 0, 2)
NODES = ("ACCEPT", "SURVEY", "PLAN_REPLY")
# Working days from an inspection's completion to its spot check; the last inspection is
# completed 3 + 2 = 5 working days before `end`: its paper hand-over is due that day.
CHECKED_AFTER = 2
INSPECTION_NODES = ("ACCEPT", "INSPECTION", "FILING")
INSPECTION_DOCS = ("APPLICATION", "INSPECTION_REPORT")


def write_showcase(world: World) -> None:
    """The hand-placed cases above, in the first supply unit with business staff and collectors."""
    rng = np.random.default_rng([world.seed, 10])
    org = world.org
    team = next(
        t
        for t in range(len(org.team_code))
        if org.team_unit[t] == 0 and org.team_business.count[t] and org.team_collectors.count[t]
    )
    unit = org.team_unit[team]
    n = len(SLA_ELAPSED)
    end_day = world.end_day
    workdays = world.clock.workdays
    today = int(np.searchsorted(workdays, end_day, side="right")) - 1

    def workday_before(k: int) -> np.datetime64:
        return workdays[today - k]

    def at(day: np.datetime64, hour: int, minute: int = 0) -> np.datetime64:
        return day.astype("datetime64[s]") + secs(hour * 3600 + minute * 60 + int(rng.integers(0, 60)))

    owner = org.team_business.pick(rng, np.full(n, team))
    collector = org.team_collectors.pick(rng, np.full(n, team))

    # Customers: existing LV non-residential customers of the unit, opened years ago.
    cust_index = world.numbers("customer", n)
    customers = customer_rows(
        world, rng, cust_index, np.full(n, unit), np.full(n, ref.LV_NR), np.zeros(n, bool)
    )
    opened = np.array([end_day - days(2000 + 300 * i) for i in range(n)])
    customers.update(opened_on=opened, closed_on=np.full(n, NAT).astype("datetime64[D]"))
    customers["updated_at"] = opened.astype("datetime64[s]") + secs(9 * 3600)
    world.sinks.write("customers", customers)
    cust_no = customers["cust_no"]

    expires = np.array([end_day + days(d) for d in CONTRACT_EXPIRY_DAYS])
    signed = expires - days(3 * 365)
    world.sinks.write(
        "contracts",
        {
            "contract_id": ids("HT", world.numbers("contract", n), 10),
            "cust_no": cust_no,
            "signed_on": signed,
            "expires_on": expires,
            "auto_renew": np.zeros(n, bool),
            "terminated_on": np.full(n, NAT).astype("datetime64[D]"),
            "updated_at": signed.astype("datetime64[s]") + secs(10 * 3600),
        },
    )

    # Processes: accepted, surveyed (archived and sent in time), plan reply open.
    number = world.numbers("process", n)
    proc_id = ids("P", number, 11)
    plan_start = np.array([at(workday_before(k), 9) for k in SLA_ELAPSED])
    accept_start = np.array([at(workday_before(k + 2), 9) for k in SLA_ELAPSED])
    accept_done = accept_start + secs(3600)
    survey_start = np.array([at(workday_before(k + 1), 9) for k in SLA_ELAPSED])
    survey_done = survey_start + secs(4 * 3600)
    world.sinks.write(
        "processes",
        {
            "proc_id": proc_id,
            "proc_type": np.full(n, "CAP_INC"),
            "cust_no": cust_no,
            "unit_code": np.full(n, org.unit_code[unit]),
            "owner_id": org.staff_id[owner],
            "accepted_at": accept_start,
            "completed_at": np.full(n, NAT),
            "status": np.full(n, "in_progress"),
            "updated_at": plan_start,
        },
    )
    step_proc = np.repeat(np.arange(n), len(NODES))
    seq = np.tile(np.arange(1, len(NODES) + 1), n)
    started = np.stack([accept_start, survey_start, plan_start], axis=1).ravel()
    done = np.stack([accept_done, survey_done, np.full(n, NAT)], axis=1).ravel()
    step_id = join(proc_id.take(pa.array(step_proc)), "-", np.char.zfill(seq.astype(str), 2))
    world.sinks.write(
        "process_steps",
        {
            "step_id": step_id,
            "proc_id": proc_id.take(pa.array(step_proc)),
            "seq": seq,
            "node_code": np.array(NODES)[seq - 1],
            "assignee_id": org.staff_id[owner][step_proc],
            "started_at": started,
            "completed_at": done,
            "produces_archive": np.ones(len(seq), bool),
            "updated_at": np.where(np.isnat(done), started, done),
        },
    )
    closed = ~np.isnat(done)
    archived = np.flatnonzero(closed)
    sent = done[archived] + secs(2 * 3600)
    world.sinks.write(
        "archive_steps",
        {
            "arch_step_id": join("A", step_id.take(pa.array(archived))),
            "step_id": step_id.take(pa.array(archived)),
            "proc_id": proc_id.take(pa.array(step_proc[archived])),
            "created_at": done[archived] + secs(600),
            "first_doc_at": done[archived] + secs(1800),
            "sent_at": sent,
            "collector_id": org.staff_id[collector][step_proc[archived]],
            "reviewed_at": np.full(len(archived), NAT),
            "review_result": pa.nulls(len(archived), pa.string()),
            "updated_at": sent,
        },
    )

    # One transferred dossier of the first customer, borrowed three times and not returned.
    dossier_number = world.numbers("dossier", 1)
    dossier_id = ids("JZD", dossier_number, 9)
    created = end_day - days(200)
    world.sinks.write(
        "dossiers",
        {
            "dossier_id": dossier_id,
            "barcode": ids("JZ33", dossier_number, 8),
            "cust_no": cust_no.slice(0, 1),
            "proc_id": pa.array([None], pa.string()),
            "collector_id": org.staff_id[collector[:1]],
            "created_at": np.array([at(created, 10)]),
            "transferred_at": np.array([at(created + days(3), 10)]),
            "location": np.array([f"{org.unit_short[unit]}档案室A区01排01架"]),
        },
    )
    due = np.array([end_day + days(d) for d in BORROW_DUE_DAYS])
    borrowed = np.array([at(d - days(14), 9) for d in due])
    borrowed = np.minimum(borrowed, at(end_day - days(1), 9))
    approver = org.unit_leaders.pick(rng, np.full(n, unit))
    world.sinks.write(
        "borrowings",
        {
            "borrow_id": join(
                "B", dossier_id.take(pa.array(np.zeros(n, np.int64))), "-", np.arange(1, n + 1)
            ),
            "dossier_id": dossier_id.take(pa.array(np.zeros(n, np.int64))),
            "borrower_id": org.staff_id[owner],
            "reason": np.full(n, "法律纠纷取证"),
            "requested_at": borrowed - secs(2 * 86400),
            "approved_by": org.staff_id[approver],
            "approved_at": borrowed - secs(86400),
            "borrowed_at": borrowed,
            "due_on": due,
            "returned_at": np.full(n, NAT),
        },
    )

    # Periodic inspections completed 14, 12 and 5 working days before `end` (the last
    # one's paper hand-over due today), each spot-checked 2 working days later and failed,
    # its finding not rectified.
    inspected = [
        _write_completed_inspection(
            world, rng, cust_no.slice(i, 1), unit, owner[i], collector[i], workday_before, k + CHECKED_AFTER
        )
        for i, k in enumerate(CHECK_WORKDAYS_BEFORE)
    ]
    number = np.array([inspection[0] for inspection in inspected])
    proc_id = pa.concat_arrays([inspection[1] for inspection in inspected])
    check_id = ids("C", number, 11)
    auditor = org.unit_auditors.pick(rng, np.full(n, unit))
    world.sinks.write(
        "audit_checks",
        {
            "check_id": check_id,
            "proc_id": proc_id,
            "auditor_id": org.staff_id[auditor],
            "checked_at": np.array([at(workday_before(k), 10) for k in CHECK_WORKDAYS_BEFORE]),
            "result": np.full(n, "fail"),
        },
    )
    problem = ref.PROBLEM_TYPES[1 + np.arange(n) % (len(ref.PROBLEM_TYPES) - 1)]
    world.sinks.write(
        "audit_findings",
        {
            "finding_id": join(check_id, "-1"),
            "check_id": check_id,
            "severity": np.array(["important", "general", "general"])[:n],
            "problem_type": problem,
            "responsible_id": org.staff_id[owner],
            "description": np.char.add(problem, "，已通知责任人整改"),
            "rectified_at": np.full(n, NAT),
        },
    )


def _write_completed_inspection(
    world: World,
    rng: np.random.Generator,
    cust_no: pa.Array,
    unit: int,
    owner: int,
    collector: int,
    workday_before: Callable[[int], np.datetime64],
    completed_before: int,
) -> tuple[int, pa.Array]:
    """One periodic inspection completed ``completed_before`` working days before ``end``,
    archived and sent in time, documents added, paper not handed over; its number and id."""
    org = world.org
    number = world.numbers("process", 1)
    proc_id = ids("P", number, 11)
    k = len(INSPECTION_NODES)
    days_before = np.array([completed_before + 2, completed_before + 1, completed_before])
    started = np.array(
        [day.astype("datetime64[s]") + secs(9 * 3600) for day in map(workday_before, days_before)]
    )
    done = started + secs(6 * 3600)
    step_id = join(
        proc_id.take(pa.array(np.zeros(k, np.int64))), "-", np.char.zfill(np.arange(1, k + 1).astype(str), 2)
    )
    produces = np.array([node != "FILING" for node in INSPECTION_NODES])
    world.sinks.write(
        "processes",
        {
            "proc_id": proc_id,
            "proc_type": np.array(["PERIODIC_INSPECTION"]),
            "cust_no": cust_no,
            "unit_code": np.array([org.unit_code[unit]]),
            "owner_id": np.array([org.staff_id[owner]]),
            "accepted_at": started[:1],
            "completed_at": done[-1:],
            "status": np.array(["completed"]),
            "updated_at": done[-1:],
        },
    )
    world.sinks.write(
        "process_steps",
        {
            "step_id": step_id,
            "proc_id": proc_id.take(pa.array(np.zeros(k, np.int64))),
            "seq": np.arange(1, k + 1),
            "node_code": np.array(INSPECTION_NODES),
            "assignee_id": np.full(k, org.staff_id[owner]),
            "started_at": started,
            "completed_at": done,
            "produces_archive": produces,
            "updated_at": done,
        },
    )
    archived = np.flatnonzero(produces)
    sent = done[archived] + secs(2 * 3600)
    world.sinks.write(
        "archive_steps",
        {
            "arch_step_id": join("A", step_id.take(pa.array(archived))),
            "step_id": step_id.take(pa.array(archived)),
            "proc_id": proc_id.take(pa.array(np.zeros(len(archived), np.int64))),
            "created_at": done[archived] + secs(600),
            "first_doc_at": done[archived] + secs(1800),
            "sent_at": sent,
            "collector_id": np.full(len(archived), org.staff_id[collector]),
            "reviewed_at": np.full(len(archived), NAT),
            "review_result": pa.nulls(len(archived), pa.string()),
            "updated_at": sent,
        },
    )
    n_docs = len(INSPECTION_DOCS)
    numbers = world.numbers("document", n_docs)
    added = done[archived[:n_docs]] + secs(1800)
    world.sinks.write(
        "documents",
        {
            "doc_id": ids("D", numbers, 11),
            "barcode": ids("DG33", numbers, 10),
            "cust_no": cust_no.take(pa.array(np.zeros(n_docs, np.int64))),
            "proc_id": proc_id.take(pa.array(np.zeros(n_docs, np.int64))),
            "step_id": step_id.take(pa.array(archived[:n_docs])),
            "doc_type": np.array(INSPECTION_DOCS),
            "category": np.full(n_docs, "inspection"),
            "pages": rng.integers(1, 3, n_docs),
            "added_at": added,
            "added_by": np.full(n_docs, org.staff_id[owner]),
            "updated_at": added,
        },
    )
    return int(number[0]), proc_id
