"""The audit centre's monthly spot checks (稽查) and their findings.

Checks fall early in the month after a process completed; a process that lacks a mandatory
document usually fails, others fail at a small rate that grows with the owner's factor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from ingest.synthetic import reference as ref
from ingest.synthetic.arrays import NAT, days, ids, join, secs

if TYPE_CHECKING:
    from ingest.synthetic.archive import StepDocuments
    from ingest.synthetic.processes import Chunk
    from ingest.synthetic.world import World

P_AUDIT_FAIL = 0.02  # a spot-checked process fails for reasons other than a missing document


def incomplete_processes(chunk: Chunk, docs: StepDocuments) -> np.ndarray:
    """Processes lacking a mandatory document of one of their (kept) steps."""
    var, pidx, k = chunk.processes.var, chunk.steps.process, chunk.steps.position
    n = chunk.processes.count
    steps = np.flatnonzero(chunk.steps.kept)
    ns = ref.SLOT_COUNT[var[pidx[steps]], k[steps]]
    need_step = np.repeat(steps, ns)
    slot = np.arange(len(need_step)) - np.repeat(np.cumsum(ns) - ns, ns)
    mand = ref.SLOT_MANDATORY[var[pidx[need_step]], k[need_step], slot]
    need_step, slot = need_step[mand], slot[mand]
    need_type = ref.SLOT_TYPE[var[pidx[need_step]], k[need_step], slot]
    width = len(ref.DOC_TYPES)
    have = np.zeros(n * width, dtype=bool)
    have[docs.process * width + docs.doc_type] = True
    lacking = ~have[pidx[need_step] * width + need_type]
    return np.bincount(pidx[need_step][lacking], minlength=n) > 0


def write_audits(world: World, rng: np.random.Generator, chunk: Chunk, docs: StepDocuments) -> None:
    """Spot checks of a share of the completed processes with documents, and their findings."""
    procs = chunk.processes
    pick = np.flatnonzero(
        ~np.isnat(chunk.completed)
        & (docs.per_process > 0)
        & (rng.random(procs.count) < world.scale.audit_share)
    )
    month_end = (chunk.completed[pick].astype("datetime64[M]") + np.timedelta64(1, "M")).astype(
        "datetime64[D]"
    ) - days(1)
    checked = world.work_time_on(rng, world.clock.workday_add(month_end, rng.integers(1, 9, len(pick))))
    ok = checked <= world.end
    pick, checked = pick[ok], checked[ok]
    nc = len(pick)
    if nc == 0:
        return
    incomplete = incomplete_processes(chunk, docs)[pick]
    quality = procs.quality[pick] * world.org.staff_factor[procs.owner[pick]]
    fail = (rng.random(nc) < np.clip(P_AUDIT_FAIL * quality, 0, 0.5)) | (incomplete & (rng.random(nc) < 0.7))
    check_id = ids("C", procs.number[pick], 11)
    world.sinks.write(
        "audit_checks",
        {
            "check_id": check_id,
            "proc_id": procs.proc_id.take(pa.array(pick)),
            "auditor_id": world.org.staff_id[world.org.unit_auditors.pick(rng, procs.unit[pick])],
            "checked_at": checked,
            "result": np.where(fail, "fail", "pass"),
        },
    )
    _write_findings(world, rng, chunk, pick, checked, check_id, fail, incomplete)


def _write_findings(
    world: World,
    rng: np.random.Generator,
    chunk: Chunk,
    pick: np.ndarray,
    checked: np.ndarray,
    check_id: pa.Array,
    fail: np.ndarray,
    incomplete: np.ndarray,
) -> None:
    """Findings of the checks: at least one for a failed check, now and then one for a pass.

    The first finding of an incomplete process is the missing document (problem type 0).
    """
    nc = len(pick)
    nf = np.where(fail, 1 + rng.poisson(0.6, nc), (rng.random(nc) < 0.08).astype(np.int64))
    f_row = np.repeat(np.arange(nc), nf)
    f_no = np.arange(len(f_row)) - np.repeat(np.cumsum(nf) - nf, nf)
    n_f = len(f_row)
    if n_f == 0:
        return
    important = fail[f_row] & (f_no == 0) & (rng.random(n_f) < 0.5)
    problem = np.where(incomplete[f_row] & (f_no == 0), 0, rng.integers(1, len(ref.PROBLEM_TYPES), n_f))
    f_proc = pick[f_row]
    responsible = np.where(
        rng.random(n_f) < 0.7,
        chunk.processes.owner[f_proc],
        world.org.team_collectors.pick(rng, chunk.processes.team[f_proc]),
    )
    rectified = np.where(
        rng.random(n_f) < 0.9, checked[f_row] + secs(rng.integers(86400, 12 * 86400, n_f)), NAT
    )
    description = np.where(
        rng.random(n_f) < 0.7, np.char.add(ref.PROBLEM_TYPES[problem], "，已通知责任人整改"), ""
    )
    world.sinks.write(
        "audit_findings",
        {
            "finding_id": join(check_id.take(pa.array(f_row)), "-", pa.array(f_no + 1).cast(pa.string())),
            "check_id": check_id.take(pa.array(f_row)),
            "severity": np.where(important, "important", "general"),
            "problem_type": ref.PROBLEM_TYPES[problem],
            "responsible_id": world.org.staff_id[responsible],
            "description": description,
            "rectified_at": world.not_after_end(world.office_hours(rng, rectified)),
        },
    )
