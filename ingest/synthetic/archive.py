"""The archive system: archive steps, documents, paper handovers, dossiers and borrowings.

Archive steps mirror the completed steps that produce documents; how fast documents are
added and sent, how often a collector returns them, whether the paper is handed over and
the dossier transferred in time all depend on the unit, team and person factors, so the
archive indicators differ between them as in the article.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest.synthetic import reference as ref
from ingest.synthetic.arrays import NAT, days, ids, join, padded, secs, take
from ingest.synthetic.clock import DAY_MINUTES

if TYPE_CHECKING:
    from ingest.synthetic.processes import Chunk
    from ingest.synthetic.world import World

# Base rates; each is multiplied by the unit, team and person factor.
P_NO_ARCH_STEP = 0.003  # the archive system never got the step
P_MISSING_DOC = 0.003  # a mandatory document is missing
P_SLOW_REVIEW = 0.04
P_RETURNED = 0.04
P_HANDOVER_LATE = 0.03
P_HANDOVER_NEVER = 0.008
P_TRANSFER_LATE = 0.04
P_TRANSFER_NEVER = 0.012


@dataclass(frozen=True)
class ArchiveSteps:
    """The archive steps of a chunk: the step each mirrors and when documents were first added."""

    step: np.ndarray  # position in the chunk's steps
    first_doc: np.ndarray


@dataclass(frozen=True)
class StepDocuments:
    """The documents of a chunk's archive steps, by process and type."""

    process: np.ndarray
    doc_type: np.ndarray
    per_process: np.ndarray  # documents of each process, none counted for cancelled ones


@dataclass(frozen=True)
class Handovers:
    """Paper handed over to the archive: which processes, when, received by which collector."""

    process: np.ndarray
    handed_at: np.ndarray
    receiver: np.ndarray


@dataclass(frozen=True)
class Dossiers:
    """Dossiers made up from handed-over paper: their process and transfer to the archive room."""

    process: np.ndarray
    dossier_id: pa.Array
    transferred: np.ndarray


def write_loose_documents(
    world: World, rng: np.random.Generator, cust_no: pa.Array, unit: np.ndarray
) -> None:
    """Billing agreements and loose images: documents without a process."""
    n = len(unit)
    r = rng.random(n)
    billing = r < 0.06
    other = (r >= 0.06) & (r < 0.08)
    pick = np.flatnonzero(billing | other)
    if len(pick) == 0:
        return
    doc_type = np.where(
        billing[pick],
        np.where(rng.random(len(pick)) < 0.6, ref.D["ELEC_SETTLEMENT"], ref.D["DEBIT_AUTH"]),
        ref.D["OTHER_IMAGE"],
    )
    added = world.when(rng, rng.integers(world.start_wm, world.end_wm, len(pick)))
    added = np.minimum(added, world.end)
    collector = world.org.unit_collectors.pick(rng, unit[pick])
    write_documents(
        world,
        rng,
        cust_no=cust_no.take(pa.array(pick)),
        proc_id=pa.nulls(len(pick), pa.string()),
        step_id=pa.nulls(len(pick), pa.string()),
        doc_type=doc_type,
        category=np.where(billing[pick], "billing", "other"),
        added_at=added,
        added_by=world.org.staff_id[collector],
        unit=unit[pick],
    )


def write_documents(
    world: World,
    rng: np.random.Generator,
    *,
    cust_no: pa.Array,
    proc_id: pa.Array,
    step_id: pa.Array,
    doc_type: np.ndarray,
    category: np.ndarray,
    added_at: np.ndarray,
    added_by: np.ndarray,
    unit: np.ndarray,
) -> None:
    """Documents with running ids, barcodes and page counts; offered to the scan choice."""
    n = len(doc_type)
    numbers = world.numbers("document", n)
    lo, hi = ref.DOC_PAGES[doc_type, 0], ref.DOC_PAGES[doc_type, 1]
    pages = lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64)
    barcode = ids("DG33", numbers, 10)
    world.sinks.write(
        "documents",
        {
            "doc_id": ids("D", numbers, 11),
            "barcode": barcode,
            "cust_no": cust_no,
            "proc_id": proc_id,
            "step_id": step_id,
            "doc_type": ref.DOC_CODE[doc_type],
            "category": category,
            "pages": pages,
            "added_at": added_at,
            "added_by": added_by,
            "updated_at": added_at,
        },
    )
    world.scans.offer_documents(barcode, ref.DOC_NAME[doc_type], pages, added_at, unit)


def write_archive_steps(world: World, rng: np.random.Generator, chunk: Chunk) -> ArchiveSteps:
    """Archive steps of completed document-producing steps: created, filled, sent, reviewed."""
    steps = chunk.steps
    arch, created, first_doc, sent = _open_archive_steps(world, rng, chunk)
    collector, reviewed, result = _review(world, rng, chunk, arch, sent)
    updated = created
    for col in (first_doc, sent, reviewed):
        updated = np.where(np.isnat(col), updated, np.maximum(updated, col))
    arch_step_id = steps.step_id.take(pa.array(arch))
    world.sinks.write(
        "archive_steps",
        {
            "arch_step_id": join("A", arch_step_id),
            "step_id": arch_step_id,
            "proc_id": chunk.processes.proc_id.take(pa.array(steps.process[arch])),
            "created_at": created,
            "first_doc_at": first_doc,
            "sent_at": sent,
            "collector_id": world.org.staff_id[collector],
            "reviewed_at": reviewed,
            "review_result": result,
            "updated_at": updated,
        },
    )
    return ArchiveSteps(step=arch, first_doc=first_doc)


def _open_archive_steps(
    world: World, rng: np.random.Generator, chunk: Chunk
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Which steps the archive system got, when, and when documents were added and sent."""
    steps, end = chunk.steps, world.end
    arch = np.flatnonzero(steps.kept & steps.produces & ~np.isnat(steps.done))
    arch = arch[rng.random(len(arch)) >= np.clip(P_NO_ARCH_STEP * steps.quality[arch], 0, 0.3)]
    comp = steps.done[arch]
    created = comp + secs(rng.integers(60, 300, len(arch)))
    ok = created <= end
    arch, comp, created = arch[ok], comp[ok], created[ok]
    na = len(arch)
    never, delay = steps.never_sent[arch], steps.send_delay[arch]
    with_docs = ~never | (rng.random(na) < 0.5)
    sent = comp + secs(delay)
    first_doc = created + secs(
        60 + (rng.random(na) * 0.5 * np.maximum(0, (sent - created).astype(np.int64) - 600)).astype(np.int64)
    )
    first_doc = np.where(
        never, created + secs(60 + rng.exponential(2 * 3600, na).astype(np.int64)), first_doc
    )
    first_doc = np.where(with_docs & (first_doc <= end), first_doc, NAT)
    sent = np.where(~never & (sent <= end) & ~np.isnat(first_doc), sent, NAT)
    return arch, created, first_doc, sent


def _review(
    world: World, rng: np.random.Generator, chunk: Chunk, arch: np.ndarray, sent: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The team collector's review of what was sent: who, when, accepted or returned."""
    org, na = world.org, len(arch)
    proc = chunk.steps.process[arch]
    collector = org.team_collectors.pick(rng, chunk.processes.team[proc])
    cf = org.staff_factor[collector] * org.unit_factor[chunk.processes.unit[proc]]
    slow = rng.random(na) < np.clip(P_SLOW_REVIEW * cf, 0, 0.5)
    review_wm = np.where(
        slow,
        rng.integers(2, 7, na) * DAY_MINUTES + rng.integers(0, DAY_MINUTES, na),
        10 + np.minimum(rng.exponential(150, na), 480).astype(np.int64),
    )
    has_sent = ~np.isnat(sent)
    reviewed = np.full(na, NAT)
    if has_sent.any():
        reviewed[has_sent] = world.when(rng, world.clock.from_ts(sent[has_sent]) + review_wm[has_sent])
    reviewed = world.not_after_end(reviewed)
    result = np.where(
        np.isnat(reviewed),
        "",
        np.where(rng.random(na) < np.clip(P_RETURNED * cf, 0, 0.5), "returned", "accepted"),
    )
    return collector, reviewed, result


def write_step_documents(
    world: World, rng: np.random.Generator, chunk: Chunk, archive_steps: ArchiveSteps
) -> StepDocuments:
    """The documents of archive steps that have any: the catalogue's slots, a few missing."""
    procs, steps = chunk.processes, chunk.steps
    var, pidx, k = procs.var, steps.process, steps.position
    src = np.flatnonzero(~np.isnat(archive_steps.first_doc))
    s_step = archive_steps.step[src]
    ns = ref.SLOT_COUNT[var[pidx[s_step]], k[s_step]]
    d_row = np.repeat(np.arange(len(src)), ns)
    d_slot = np.arange(len(d_row)) - np.repeat(np.cumsum(ns) - ns, ns)
    d_step = s_step[d_row]
    d_vk = (var[pidx[d_step]], k[d_step], d_slot)
    d_type = ref.SLOT_TYPE[d_vk]
    r = rng.random(len(d_row))
    d_keep = np.where(
        ref.SLOT_MANDATORY[d_vk],
        r >= np.clip(P_MISSING_DOC * steps.quality[d_step], 0, 0.3),
        r < ref.OPTIONAL_SHARE,
    )
    # Every archive step with documents keeps at least its first slot's.
    per_row = np.bincount(d_row[d_keep], minlength=len(src))
    d_keep |= (d_slot == 0) & (per_row[d_row] == 0)
    d_row, d_slot, d_step, d_type = d_row[d_keep], d_slot[d_keep], d_step[d_keep], d_type[d_keep]
    d_proc = pidx[d_step]
    write_documents(
        world,
        rng,
        cust_no=procs.cust_no.take(pa.array(d_proc)),
        proc_id=procs.proc_id.take(pa.array(d_proc)),
        step_id=steps.step_id.take(pa.array(d_step)),
        doc_type=d_type,
        category=ref.VAR_CATEGORY[var[d_proc]],
        added_at=archive_steps.first_doc[src][d_row] + secs(d_slot * 30),
        added_by=world.org.staff_id[steps.assignee[d_step]],
        unit=procs.unit[d_proc],
    )
    per_process = np.bincount(d_proc[~chunk.cancelled[d_proc]], minlength=procs.count)
    return StepDocuments(process=d_proc, doc_type=d_type, per_process=per_process)


def write_handovers(world: World, rng: np.random.Generator, chunk: Chunk, docs: StepDocuments) -> Handovers:
    """Paper handover of completed processes with documents, counted in working days."""
    org, procs, completed = world.org, chunk.processes, chunk.completed
    hp = np.flatnonzero(~np.isnat(completed) & (docs.per_process > 0))
    nh = len(hp)
    qo = procs.quality[hp] * org.staff_factor[procs.owner[hp]]
    u = rng.random(nh)
    never = u < np.clip(P_HANDOVER_NEVER * qo, 0, 0.3)
    late = ~never & (u < np.clip((P_HANDOVER_NEVER + P_HANDOVER_LATE) * qo, 0, 0.6))
    wd = np.where(
        late, rng.integers(6, 21, nh), rng.choice([1, 2, 3, 4, 5], nh, p=[0.35, 0.3, 0.2, 0.1, 0.05])
    )
    handed = world.work_time_on(rng, world.clock.workday_add(completed[hp].astype("datetime64[D]"), wd))
    ok = ~never & (handed <= world.end)
    hp, handed = hp[ok], handed[ok]
    receiver = org.team_collectors.pick(rng, procs.team[hp])
    world.sinks.write(
        "paper_handovers",
        {
            "handover_id": ids("H", procs.number[hp], 11),
            "proc_id": procs.proc_id.take(pa.array(hp)),
            "handed_by": org.staff_id[procs.owner[hp]],
            "received_by": org.staff_id[receiver],
            "handed_over_at": handed,
            "doc_count": docs.per_process[hp],
        },
    )
    return Handovers(process=hp, handed_at=handed, receiver=receiver)


def write_dossiers(world: World, rng: np.random.Generator, chunk: Chunk, handovers: Handovers) -> Dossiers:
    """Dossiers the receiving collector makes up after the paper arrives, and their transfer."""
    org, procs = world.org, chunk.processes
    created = handovers.handed_at + secs(600 + rng.integers(0, 8 * 3600, len(handovers.process)))
    ok = created <= world.end
    dp, created, collector = handovers.process[ok], created[ok], handovers.receiver[ok]
    nd = len(dp)
    cf = org.staff_factor[collector] * org.unit_factor[procs.unit[dp]]
    u = rng.random(nd)
    never = u < np.clip(P_TRANSFER_NEVER * cf, 0, 0.3)
    late = ~never & (u < np.clip((P_TRANSFER_NEVER + P_TRANSFER_LATE) * cf, 0, 0.6))
    wd = np.where(late, rng.integers(6, 16, nd), rng.integers(1, 6, nd))
    transferred = world.work_time_on(rng, world.clock.workday_add(created.astype("datetime64[D]"), wd))
    transferred = np.where(never, NAT, world.not_after_end(transferred))
    numbers = world.numbers("dossier", nd)
    location = _shelf_locations(rng, org.unit_short[procs.unit[dp]])
    location = pc.if_else(pa.array(np.isnat(transferred)), pa.scalar(None, pa.string()), location)
    dossier_id = ids("JZD", numbers, 9)
    barcode = ids("JZ33", numbers, 8)
    world.sinks.write(
        "dossiers",
        {
            "dossier_id": dossier_id,
            "barcode": barcode,
            "cust_no": procs.cust_no.take(pa.array(dp)),
            "proc_id": procs.proc_id.take(pa.array(dp)),
            "collector_id": org.staff_id[collector],
            "created_at": created,
            "transferred_at": transferred,
            "location": location,
        },
    )
    world.scans.offer_dossiers(barcode, procs.unit[dp])
    return Dossiers(process=dp, dossier_id=dossier_id, transferred=transferred)


def _shelf_locations(rng: np.random.Generator, unit_short: np.ndarray) -> pa.Array:
    """Room, zone, row and shelf in the unit's archive room, e.g. 南湖档案室B区07排03架."""
    n = len(unit_short)
    return join(
        unit_short,
        "档案室",
        take(np.array(list("ABCD")), rng.integers(0, 4, n)),
        "区",
        padded(rng.integers(1, 21, n), 2),
        "排",
        padded(rng.integers(1, 9, n), 2),
        "架",
    )


def write_borrowings(world: World, rng: np.random.Generator, chunk: Chunk, dossiers: Dossiers) -> None:
    """A few transferred dossiers are borrowed: requested, approved, lent for 15 days, returned."""
    org, end = world.org, world.end
    transferred = dossiers.transferred
    pick = np.flatnonzero(~np.isnat(transferred) & (rng.random(len(dossiers.process)) < 0.03))
    requested = world.office_hours(rng, transferred[pick] + secs(rng.integers(86400, 150 * 86400, len(pick))))
    ok = requested <= end
    pick, requested = pick[ok], requested[ok]
    nb = len(pick)
    if nb == 0:
        return
    b_unit = chunk.processes.unit[dossiers.process[pick]]
    r = rng.random(nb)
    approved_at = world.not_after_end(
        world.office_hours(rng, np.where(r < 0.94, requested + secs(rng.integers(1800, 2 * 86400, nb)), NAT))
    )
    approved = ~np.isnat(approved_at)
    approver = np.where(approved, org.staff_id[org.unit_leaders.pick(rng, b_unit)], "")
    borrowed = world.not_after_end(world.office_hours(rng, approved_at + secs(rng.integers(1800, 86400, nb))))
    due = np.where(np.isnat(borrowed), np.datetime64("NaT", "D"), borrowed.astype("datetime64[D]") + days(15))
    r = rng.random(nb)
    returned = np.where(
        r < 0.8,
        borrowed + secs(rng.integers(3600, 14 * 86400, nb)),
        np.where(r < 0.92, due.astype("datetime64[s]") + secs(rng.integers(86400, 25 * 86400, nb)), NAT),
    )
    returned = world.not_after_end(world.office_hours(rng, returned))
    dossier_id = dossiers.dossier_id.take(pa.array(pick))
    world.sinks.write(
        "borrowings",
        {
            "borrow_id": join("B", dossier_id),
            "dossier_id": dossier_id,
            "borrower_id": org.staff_id[org.unit_business.pick(rng, b_unit)],
            "reason": ref.BORROW_REASONS[rng.integers(0, len(ref.BORROW_REASONS), nb)],
            "requested_at": requested,
            "approved_by": approver,
            "approved_at": approved_at,
            "borrowed_at": borrowed,
            "due_on": due,
            "returned_at": returned,
        },
    )
