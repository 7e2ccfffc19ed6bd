"""Business processes and their steps (营销业扩流程 and 环节).

A chunk of processes is drawn at once: type, unit, team, owner and customer of each; then
every step's assignee, duration and archive behaviour; then the steps are scheduled in
working time node after node, with the node gate holding a step until the previous step's
documents were sent; last, some processes are cancelled and everything after ``end`` is
cut off. The archive, contract and audit domains read the resulting ``Chunk``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from ingest.synthetic import reference as ref
from ingest.synthetic.arrays import NAT, ids, join, padded, secs
from ingest.synthetic.clock import DAY_MINUTES
from ingest.synthetic.contracts import customer_numbers

if TYPE_CHECKING:
    from ingest.synthetic.world import World

# Base rates; each is multiplied by the unit, team and person factor.
P_RED = 0.005  # a time-limited step overruns its limit
P_NEVER_SENT = 0.009  # the archive step is never sent to the collector
P_LATE_SENT = 0.021  # sent after 48 hours
P_GATE_BYPASS = 0.008  # the next node starts before the previous step's archive was sent
P_CANCELLED = 0.025


@dataclass(frozen=True)
class Processes:
    """A chunk of processes as drawn: variant, place, owner and customer of each."""

    number: np.ndarray
    proc_id: pa.Array
    var: np.ndarray  # position in ref.VARIANTS
    unit: np.ndarray
    team: np.ndarray
    owner: np.ndarray
    quality: np.ndarray  # unit x team discipline factor (higher = worse)
    kind: np.ndarray  # ref.EXISTING, ref.NEW or closing customer
    seg: np.ndarray  # customer segment
    dual: np.ndarray
    fresh: np.ndarray  # the process creates its customer
    cust_index: np.ndarray
    cust_no: pa.Array

    @property
    def count(self) -> int:
        return len(self.number)


@dataclass(frozen=True)
class Steps:
    """Every step of a chunk's processes in process order, scheduled in working time.

    Once settled, steps after a cancellation or starting after ``end`` are not ``kept``
    (never written) and ``done`` is NaT for steps still open at ``end``.
    """

    per_process: np.ndarray  # number of steps of each process's variant
    first: np.ndarray  # position of each process's first step
    process: np.ndarray  # position of each step's process
    position: np.ndarray  # 0-based position of the step within its process
    step_id: pa.Array
    node: np.ndarray
    assignee: np.ndarray
    quality: np.ndarray  # process quality x assignee factor
    produces: np.ndarray
    never_sent: np.ndarray
    send_delay: np.ndarray  # seconds from completion to sending the archive step
    started: np.ndarray
    done: np.ndarray
    kept: np.ndarray


@dataclass(frozen=True)
class Chunk:
    """A chunk's processes and steps, and how each process stands at ``end``."""

    processes: Processes
    steps: Steps
    cancelled: np.ndarray
    cancelled_at: np.ndarray
    accepted: np.ndarray
    completed: np.ndarray
    status: np.ndarray
    updated_at: np.ndarray


def draw_chunk(world: World, rng: np.random.Generator, n: int) -> Chunk:
    """``n`` processes with their steps; the order of the draws fixes the output."""
    procs = _draw_processes(world, rng, n)
    return _settle(world, rng, procs, _draw_steps(world, rng, procs))


def _draw_processes(world: World, rng: np.random.Generator, n: int) -> Processes:
    org = world.org
    number = world.numbers("process", n)
    var = rng.choice(len(ref.VARIANTS), n, p=ref.VAR_WEIGHT)
    unit = rng.choice(len(org.unit_code), n, p=org.unit_weight)
    center = ref.VAR_HV[var] | (rng.random(n) < 0.12)
    team = np.where(center, org.unit_center[unit], org.unit_offices.pick(rng, unit))
    owner = org.team_business.pick(rng, team)
    kind = ref.VAR_KIND[var]
    fresh = kind != ref.EXISTING
    seg, dual, cust_index = _choose_customers(world, rng, var, unit, fresh)
    return Processes(
        number=number,
        proc_id=ids("P", number, 11),
        var=var,
        unit=unit,
        team=team,
        owner=owner,
        quality=org.unit_factor[unit] * org.team_factor[team],
        kind=kind,
        seg=seg,
        dual=dual,
        fresh=fresh,
        cust_index=cust_index,
        cust_no=customer_numbers(cust_index),
    )


def _choose_customers(
    world: World, rng: np.random.Generator, var: np.ndarray, unit: np.ndarray, fresh: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segment, dual supply and customer of each process.

    New connections and closures create their customer (``fresh``: a new number); every
    other process serves an existing pool customer of its unit and segment.
    """
    n = len(var)
    pool = world.pool
    seg = (rng.random(n)[:, None] > ref.VAR_SEG_CUM[var]).sum(axis=1)
    seg = np.minimum(seg, 2)
    cust_index = pool.offset[unit, seg] + (rng.random(n) * pool.count[unit, seg]).astype(np.int64)
    dual = (seg == ref.HV_SEG) & (cust_index % 7 == 0)
    n_fresh = int(fresh.sum())
    cust_index[fresh] = world.numbers("customer", n_fresh)
    dual[fresh] = (seg[fresh] == ref.HV_SEG) & (rng.random(n_fresh) < 0.15)
    return seg, dual, cust_index


def _draw_steps(world: World, rng: np.random.Generator, procs: Processes) -> Steps:
    """The steps of each process, their durations and archive behaviour, scheduled."""
    org = world.org
    var = procs.var
    nst = ref.VAR_LEN[var]
    m = int(nst.sum())
    first = np.cumsum(nst) - nst
    pidx = np.repeat(np.arange(procs.count), nst)
    k = np.arange(m) - first[pidx]
    node = ref.VAR_NODES[var[pidx], k]
    other = org.team_business.pick(rng, procs.team[pidx])
    assignee = np.where((k == 0) | (rng.random(m) < 0.5), procs.owner[pidx], other)
    q_step = procs.quality[pidx] * org.staff_factor[assignee]
    dur = _durations(rng, procs, pidx, node, q_step)
    gap_lo, gap_hi = ref.GAP_DAYS[node, 0], ref.GAP_DAYS[node, 1]
    gap = ((gap_lo + (gap_hi - gap_lo) * rng.random(m)) * DAY_MINUTES).astype(np.int64)
    gap = np.where(k == 0, 0, gap + rng.integers(1, 60, m))
    accept_wm = rng.integers(world.start_wm, world.end_wm, procs.count)
    produces = node != ref.N["FILING"]
    never, delay, bypass, wait = _send_behaviour(rng, produces, q_step)
    started, done = _schedule(
        world, rng, nst, first, accept_wm, dur, gap, produces, never, delay, bypass, wait
    )
    return Steps(
        per_process=nst,
        first=first,
        process=pidx,
        position=k,
        step_id=join(procs.proc_id.take(pa.array(pidx)), "-", padded(k + 1, 2)),
        node=node,
        assignee=assignee,
        quality=q_step,
        produces=produces,
        never_sent=never,
        send_delay=delay,
        started=started,
        done=done,
        kept=np.ones(m, dtype=bool),
    )


def _durations(
    rng: np.random.Generator, procs: Processes, pidx: np.ndarray, node: np.ndarray, q_step: np.ndarray
) -> np.ndarray:
    """Working minutes each step takes; time-limited steps mostly within their limit."""
    m = len(node)
    cls = np.where(procs.seg == ref.HV_SEG, 2 + procs.dual, procs.seg)
    limit = np.where(ref.VAR_BE[procs.var[pidx]], ref.TIME_LIMITS[node, cls[pidx]], -1)
    lo, hi = ref.DURATION_WM[node, 0], ref.DURATION_WM[node, 1]
    dur = lo + ((hi - lo) * rng.random(m) ** 1.5).astype(np.int64)
    timed = limit > 0
    red = timed & (rng.random(m) < np.clip(P_RED * q_step, 0, 0.5))
    timed_dur = np.where(
        red,
        (limit + rng.geometric(0.45, m)) * DAY_MINUTES + rng.integers(0, DAY_MINUTES, m),
        (rng.beta(2.0, 4.0, m) * limit * DAY_MINUTES).astype(np.int64),
    )
    return np.maximum(np.where(timed, timed_dur, dur), 5)


def _send_behaviour(
    rng: np.random.Generator, produces: np.ndarray, q_step: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Archive behaviour, drawn per step up front because the node gate depends on it.

    The next step waits until the previous step's documents were sent (DOMAIN.md section
    11), unless the archive step is never sent or the assignee bypasses the gate. Returns
    never-sent flags, send delays in seconds, gate bypasses and the minutes waited at the gate.
    """
    m = len(produces)
    u = rng.random(m)
    p_never = np.clip(P_NEVER_SENT * q_step, 0, 0.4)
    never = produces & (u < p_never)
    late = produces & ~never & (u < p_never + np.clip(P_LATE_SENT * q_step, 0, 0.5))
    delay = np.where(
        late,
        48 * 3600 + 60 + rng.exponential(50 * 3600, m).astype(np.int64),
        np.minimum(1200 + rng.exponential(3 * 3600, m).astype(np.int64), 40 * 3600),
    )
    bypass = rng.random(m) < np.clip(P_GATE_BYPASS * q_step, 0, 0.3)
    wait = rng.integers(1, 30, m)
    return never, delay, bypass, wait


def _schedule(
    world: World,
    rng: np.random.Generator,
    nst: np.ndarray,
    first: np.ndarray,
    accept_wm: np.ndarray,
    dur: np.ndarray,
    gap: np.ndarray,
    produces: np.ndarray,
    never: np.ndarray,
    delay: np.ndarray,
    bypass: np.ndarray,
    wait: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Start and completion times, position by position across all processes at once."""
    m = len(dur)
    done_wm = np.zeros(m, dtype=np.int64)
    started = np.full(m, NAT)
    done = np.full(m, NAT)
    for position in range(int(nst.max())):
        at = first[nst > position] + position
        if position == 0:
            begin = accept_wm[nst > position]
        else:
            prev = at - 1
            begin = done_wm[prev] + gap[at]
            gated = produces[prev] & ~never[prev] & ~bypass[at]
            sent_prev = done[prev] + secs(delay[prev])
            begin = np.where(gated, np.maximum(begin, world.clock.from_ts(sent_prev) + wait[at]), begin)
        done_wm[at] = begin + dur[at]
        started[at] = world.when(rng, begin)
        done[at] = world.when(rng, done_wm[at])
    return started, done


def _settle(world: World, rng: np.random.Generator, procs: Processes, steps: Steps) -> Chunk:
    """Cancel some processes, cut off what has not happened by ``end``, and derive status."""
    n, end = procs.count, world.end
    nst, first, pidx, started = steps.per_process, steps.first, steps.process, steps.started
    cancel_at = (rng.random(n) * (nst - 1)).astype(np.int64)
    cancelled = (rng.random(n) < P_CANCELLED) & (steps.done[first + cancel_at] <= end)
    keep = ~(cancelled[pidx] & (steps.position > cancel_at[pidx])) & (started <= end)
    open_step = steps.done > end
    done = np.where(open_step, NAT, steps.done)
    kept_count = np.bincount(pidx[keep], minlength=n)
    last = first + kept_count - 1
    finished = ~cancelled & (kept_count == nst) & ~open_step[first + nst - 1]
    return Chunk(
        processes=procs,
        steps=replace(steps, done=done, kept=keep),
        cancelled=cancelled,
        cancelled_at=np.where(cancelled, done[first + cancel_at], NAT),
        accepted=started[first],
        completed=np.where(finished, done[first + nst - 1], NAT),
        status=np.where(cancelled, "cancelled", np.where(finished, "completed", "in_progress")),
        updated_at=np.where(np.isnat(done[last]), started[last], done[last]),
    )


def write_chunk(world: World, chunk: Chunk) -> None:
    """The marketing system's processes and (kept) process steps of a chunk."""
    org, procs, steps = world.org, chunk.processes, chunk.steps
    world.sinks.write(
        "processes",
        {
            "proc_id": procs.proc_id,
            "proc_type": ref.VAR_TYPE[procs.var],
            "cust_no": procs.cust_no,
            "unit_code": org.unit_code[procs.unit],
            "owner_id": org.staff_id[procs.owner],
            "accepted_at": chunk.accepted,
            "completed_at": chunk.completed,
            "status": chunk.status,
            "updated_at": chunk.updated_at,
        },
    )
    kept = np.flatnonzero(steps.kept)
    done = steps.done[kept]
    started = steps.started[kept]
    world.sinks.write(
        "process_steps",
        {
            "step_id": steps.step_id.take(pa.array(kept)),
            "proc_id": procs.proc_id.take(pa.array(steps.process[kept])),
            "seq": steps.position[kept] + 1,
            "node_code": np.array(ref.NODES)[steps.node[kept]],
            "assignee_id": org.staff_id[steps.assignee[kept]],
            "started_at": started,
            "completed_at": done,
            "produces_archive": steps.produces[kept],
            "updated_at": np.where(np.isnat(done), started, done),
        },
    )
