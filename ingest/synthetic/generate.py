"""``dangan generate``: synthetic marketing and archive systems.

The data imitates a prefecture power company (Jiaxing) or a whole province (Zhejiang):
processes run through their nodes in working time, archive steps mirror the steps that
produce documents, and the archive behaviour of units, teams and people differs, so that
the monthly indicators land near the article's figures while rankings mean something.

Generation streams: customers and processes are produced in fixed-size chunks, each from
its own seeded random generator, typed against the contract and appended to the folder
files and SQLite databases. The output depends only on (scale, seed, end).
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest.synthetic import reference as ref
from ingest.synthetic.clock import DAY_MINUTES, WorkClock
from ingest.synthetic.manifest import write_manifest
from ingest.synthetic.org import COMPANY_WORDS, HV_INDUSTRIES, INDUSTRIES, ROADS, Org, build_org, person_names
from ingest.synthetic.scan_plan import ScanDocument, ScanDossier, ScanPlan
from ingest.synthetic.writers import SystemSinks

logger = logging.getLogger(__name__)

DEFAULT_END = "2026-11-27 17:30:00"


@dataclass(frozen=True)
class Scale:
    processes: int
    customers: int  # existing customer pool
    months: int  # months covered, the month of `end` included
    table_format: str
    auto_scans: int
    audit_share: float


SCALES: dict[str, Scale] = {
    "tiny": Scale(400, 1500, 5, "csv", 40, 0.15),
    "jiaxing": Scale(500_000, 1_200_000, 12, "parquet", 2000, 0.05),
    "zhejiang": Scale(5_000_000, 12_000_000, 12, "parquet", 5000, 0.05),
}
PROC_CHUNK = 25_000
CUST_CHUNK = 100_000

# Base rates of archive behaviour; each is multiplied by the unit, team and person factor.
P_RED = 0.005  # a time-limited step overruns its limit
P_NO_ARCH_STEP = 0.003  # the archive system never got the step
P_NEVER_SENT = 0.009  # the archive step is never sent to the collector
P_LATE_SENT = 0.021  # sent after 48 hours
P_MISSING_DOC = 0.003  # a mandatory document is missing
P_SLOW_REVIEW = 0.04
P_RETURNED = 0.04
P_HANDOVER_LATE = 0.03
P_HANDOVER_NEVER = 0.008
P_TRANSFER_LATE = 0.04
P_TRANSFER_NEVER = 0.012
P_CANCELLED = 0.025
P_AUDIT_FAIL = 0.02  # a spot-checked process fails for reasons other than a missing document
P_GATE_BYPASS = 0.008  # the next node starts before the previous step's archive was sent
SEGMENT_SHARE = np.array([0.77, 0.2, 0.03])
CONTRACT_TERM_DAYS = {False: 5 * 365 + 1, True: 3 * 365 + 1}  # LV, HV


def _parse_moment(text: str) -> np.datetime64:
    text = text.strip()
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"--end {text!r} is not a timestamp 'YYYY-MM-DD HH:MM:SS'") from exc
    return np.datetime64(moment.replace(microsecond=0), "s")


def _month_start(moment: np.datetime64, back: int) -> np.datetime64:
    month = moment.astype("datetime64[M]") - np.timedelta64(back, "M")
    return month.astype("datetime64[D]").astype("datetime64[s]")


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    digits = pc.utf8_lpad(pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _join(*parts: Any) -> pa.Array:
    arrays = [p if isinstance(p, pa.Array | str) else pa.array(np.asarray(p).astype(str)) for p in parts]
    return pc.binary_join_element_wise(*arrays, "")


def _take(values: np.ndarray, index: np.ndarray) -> pa.Array:
    return pa.array(values).take(pa.array(np.asarray(index, dtype=np.int64)))


def _secs(n: int | np.ndarray) -> np.ndarray:
    return np.asarray(n, dtype=np.int64).astype("timedelta64[s]")


def _days(n: int | np.ndarray) -> np.ndarray:
    return np.asarray(n, dtype=np.int64).astype("timedelta64[D]")


NAT = np.datetime64("NaT", "s")


class _Generator:
    def __init__(
        self, scale: str, seed: int, out: Path, end: np.datetime64, scan_count: int, table_format: str
    ) -> None:
        self.scale_name = scale
        self.scale = SCALES[scale]
        self.seed = seed
        self.out = out
        self.end = end
        self.end_day = end.astype("datetime64[D]")
        self.start = _month_start(end, self.scale.months - 1)
        self.scan_count = scan_count
        self.org: Org = build_org(scale, np.random.default_rng([seed, 0]))
        first = (self.start - np.timedelta64(400, "D")).astype(dt.datetime).date()
        last = (end + np.timedelta64(500, "D")).astype(dt.datetime).date()
        self.clock = WorkClock(first, last)
        self.start_wm = int(self.clock.from_ts(np.array([self.start]))[0])
        self.end_wm = int(self.clock.from_ts(np.array([end]))[0])
        self.sinks = SystemSinks(out, table_format)
        self.doc_counter = 0
        self.dossier_counter = 0
        self.contract_counter = 0
        self.proc_counter = 0
        # The existing customer pool, laid out by unit and segment.
        n_units = len(self.org.unit_code)
        counts = np.maximum(
            2, np.round(self.scale.customers * np.outer(self.org.unit_weight, SEGMENT_SHARE)).astype(np.int64)
        )
        self.pool_count = counts
        self.pool_offset = (np.cumsum(counts.ravel()) - counts.ravel()).reshape(n_units, 3)
        self.pool_size = int(counts.sum())
        self.cust_counter = self.pool_size
        self.scans = ScanPlan.for_run(seed, scan_count, self.scale.processes, self.org.unit_code)

    # ------------------------------------------------------------------ helpers
    def _cust_no(self, index: np.ndarray) -> pa.Array:
        return _ids("33", index, 8)

    def _when(self, rng: np.random.Generator, wm: np.ndarray) -> np.ndarray:
        """Timestamps of working minutes, with seconds so that times look recorded."""
        return self.clock.to_ts(wm) + _secs(rng.integers(0, 60, len(wm)))

    def _work_time_on(self, rng: np.random.Generator, day: np.ndarray) -> np.ndarray:
        return day.astype("datetime64[s]") + _secs(8 * 3600 + 1800 + rng.integers(0, 9 * 3600, len(day)))

    def _office_hours(self, rng: np.random.Generator, ts: np.ndarray) -> np.ndarray:
        """Move calendar times to the next working minute (people act in office hours)."""
        out = np.full(len(ts), NAT)
        has = ~np.isnat(ts)
        if has.any():
            out[has] = self._when(rng, self.clock.from_ts(ts[has]))
        return out

    def _not_after_end(self, ts: np.ndarray) -> np.ndarray:
        return np.where(ts <= self.end, ts, NAT)

    # --------------------------------------------------------------- organisation
    def write_org(self) -> None:
        org = self.org
        self.sinks.write("supply_units", {"unit_code": org.unit_code, "unit_name": org.unit_name})
        self.sinks.write(
            "teams",
            {
                "team_code": org.team_code,
                "team_name": org.team_name,
                "unit_code": org.unit_code[org.team_unit],
            },
        )
        self.sinks.write(
            "staff",
            {
                "staff_id": org.staff_id,
                "staff_name": org.staff_name,
                "team_code": org.team_code[org.staff_team],
                "post": org.staff_post,
                "mobile": org.staff_mobile,
                "email": org.staff_email,
                "active": org.staff_active,
            },
        )

    # ------------------------------------------------------------------ customers
    def _customer_rows(
        self, rng: np.random.Generator, index: np.ndarray, unit: np.ndarray, seg: np.ndarray, dual: np.ndarray
    ) -> dict[str, Any]:
        org = self.org
        n = len(index)
        residential = seg == ref.RES
        people = person_names(rng, n)
        cw = np.array(COMPANY_WORDS)
        industry = np.where(
            seg == ref.HV_SEG,
            np.array(HV_INDUSTRIES)[rng.integers(0, len(HV_INDUSTRIES), n)],
            np.array(INDUSTRIES)[rng.integers(0, len(INDUSTRIES), n)],
        )
        company = np.char.add(
            np.char.add(
                np.char.add(org.unit_short[unit], cw[rng.integers(0, len(cw), n)]),
                cw[rng.integers(0, len(cw), n)],
            ),
            industry,
        )
        name = np.where(residential, people, company)
        road = np.array(ROADS)[rng.integers(0, len(ROADS), n)]
        number = rng.integers(1, 999, n).astype(str)
        flat = np.char.add(
            np.char.add(rng.integers(1, 40, n).astype(str), "幢"),
            np.char.add(rng.integers(101, 2602, n).astype(str), "室"),
        )
        address = np.char.add(np.char.add(np.char.add(org.unit_addr[unit], road), number), "号")
        address = np.where(residential, np.char.add(address, flat), address)
        manager = np.full(n, "", dtype=object)
        nonres = ~residential
        if nonres.any():
            manager[nonres] = org.staff_id[org.unit_managers.pick(rng, unit[nonres])]
        return {
            "cust_no": self._cust_no(index),
            "cust_name": name,
            "cust_class": np.where(residential, "residential", "non_residential"),
            "voltage_class": np.where(seg == ref.HV_SEG, "high", "low"),
            "supply_mode": np.where(dual, "dual", "single"),
            "address": address,
            "unit_code": org.unit_code[unit],
            "manager_id": manager.astype(str),
        }

    def _standing_contracts(
        self,
        rng: np.random.Generator,
        cust_no: pa.Array,
        seg: np.ndarray,
        unit: np.ndarray,
        opened: np.ndarray,
        terminated: np.ndarray,
    ) -> tuple[dict[str, Any], np.ndarray]:
        """Current (and some previous) contracts of customers that exist before the window.

        Returns the contract rows and the opening dates, moved back where a contract was
        signed before the customer's recorded opening.
        """
        n = len(seg)
        hv = seg == ref.HV_SEG
        term = np.where(hv, CONTRACT_TERM_DAYS[True], CONTRACT_TERM_DAYS[False])
        nonres = seg != ref.RES
        factor = self.org.unit_factor[unit]
        r = rng.random(n)
        soon7 = nonres & (r < 0.006 * factor)
        soon30 = nonres & ~soon7 & (r < 0.02 * factor)
        expired = nonres & ~soon7 & ~soon30 & (r < 0.024 * factor)
        missing = nonres & ~soon7 & ~soon30 & ~expired & (r < 0.0255 * factor)
        normal = ~(soon7 | soon30 | expired | missing)
        auto = normal & (rng.random(n) < 0.35)
        end_day = self.end_day
        expires = end_day + _days(31 + (rng.random(n) * (term - 31)).astype(np.int64))
        # Auto-renewing contracts often run on past their written term.
        lapsed_auto = auto & (rng.random(n) < 0.3)
        expires = np.where(lapsed_auto, end_day - _days(rng.integers(1, 900, n)), expires)
        expires = np.where(soon7, end_day + _days(rng.integers(0, 8, n)), expires)
        expires = np.where(soon30, end_day + _days(rng.integers(8, 31, n)), expires)
        expires = np.where(expired, end_day - _days(rng.integers(1, 26, n)), expires)
        signed = expires - _days(term)
        opened = np.minimum(opened, signed)
        has = ~missing
        numbers = self.contract_counter + np.arange(n)
        self.contract_counter += n
        previous = has & (rng.random(n) < 0.25)
        prev_signed = signed - _days(term)
        opened = np.where(previous, np.minimum(opened, prev_signed), opened)
        prev_numbers = self.contract_counter + np.arange(int(previous.sum()))
        self.contract_counter += int(previous.sum())
        terminated_on = np.where(terminated >= signed, terminated, np.datetime64("NaT", "D"))
        updated = np.where(
            np.isnat(terminated_on), signed.astype("datetime64[s]"), terminated_on.astype("datetime64[s]")
        ) + _secs(rng.integers(9 * 3600, 17 * 3600, n))
        updated = np.minimum(updated, self.end)
        rows = {
            "contract_id": pa.concat_arrays([_ids("HT", numbers[has], 10), _ids("HT", prev_numbers, 10)]),
            "cust_no": pa.concat_arrays([cust_no.filter(pa.array(has)), cust_no.filter(pa.array(previous))]),
            "signed_on": np.concatenate([signed[has], prev_signed[previous]]),
            "expires_on": np.concatenate([expires[has], signed[previous] - _days(1)]),
            "auto_renew": np.concatenate([auto[has], np.zeros(int(previous.sum()), dtype=bool)]),
            "terminated_on": np.concatenate(
                [terminated_on[has], np.full(int(previous.sum()), np.datetime64("NaT", "D"))]
            ),
            "updated_at": np.concatenate(
                [updated[has], signed[previous].astype("datetime64[s]") + _secs(10 * 3600)]
            ),
        }
        return rows, opened

    def write_customer_pool(self) -> None:
        flat_offsets = self.pool_offset.ravel()
        for ci, a in enumerate(range(0, self.pool_size, CUST_CHUNK)):
            rng = np.random.default_rng([self.seed, 1, ci])
            index = np.arange(a, min(a + CUST_CHUNK, self.pool_size))
            n = len(index)
            cell = np.searchsorted(flat_offsets, index, side="right") - 1
            unit, seg = np.divmod(cell, 3)
            dual = (seg == ref.HV_SEG) & (index % 7 == 0)
            rows = self._customer_rows(rng, index, unit, seg, dual)
            opened = np.datetime64("1998-01-01") + _days(rng.integers(0, 365 * 26, n))
            opened = np.minimum(opened, self.start.astype("datetime64[D]") - _days(1))
            contracts, opened = self._standing_contracts(
                rng, rows["cust_no"], seg, unit, opened, np.full(n, np.datetime64("NaT", "D"))
            )
            rows["opened_on"] = opened
            rows["closed_on"] = np.full(n, np.datetime64("NaT", "D"))
            rows["updated_at"] = np.minimum(
                opened.astype("datetime64[s]") + _secs(rng.integers(9 * 3600, 17 * 3600, n)), self.end
            )
            self.sinks.write("customers", rows)
            self.sinks.write("contracts", contracts)
            self._loose_documents(rng, rows["cust_no"], unit)
            logger.info("customers %d-%d written", a, a + n)

    def _loose_documents(self, rng: np.random.Generator, cust_no: pa.Array, unit: np.ndarray) -> None:
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
        added = self._when(rng, rng.integers(self.start_wm, self.end_wm, len(pick)))
        added = np.minimum(added, self.end)
        collector = self.org.unit_collectors.pick(rng, unit[pick])
        self._write_documents(
            rng,
            cust_no=cust_no.take(pa.array(pick)),
            proc_id=pa.nulls(len(pick), pa.string()),
            step_id=pa.nulls(len(pick), pa.string()),
            doc_type=doc_type,
            category=np.where(billing[pick], "billing", "other"),
            added_at=added,
            added_by=self.org.staff_id[collector],
            unit=unit[pick],
        )

    def _write_documents(
        self,
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
        n = len(doc_type)
        numbers = self.doc_counter + np.arange(n)
        self.doc_counter += n
        lo, hi = ref.DOC_PAGES[doc_type, 0], ref.DOC_PAGES[doc_type, 1]
        pages = lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64)
        barcode = _ids("DG33", numbers, 10)
        self.sinks.write(
            "documents",
            {
                "doc_id": _ids("D", numbers, 11),
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
        self.scans.offer_documents(barcode, ref.DOC_NAME[doc_type], pages, added_at, unit)

    # ------------------------------------------------------------------ processes
    def write_processes(self) -> None:
        total = self.scale.processes
        for ci, a in enumerate(range(0, total, PROC_CHUNK)):
            n = min(PROC_CHUNK, total - a)
            self._process_chunk(np.random.default_rng([self.seed, 2, ci]), n)
            logger.info("processes %d-%d written", a, a + n)

    def _process_chunk(self, rng: np.random.Generator, n: int) -> None:
        org, clock, end = self.org, self.clock, self.end
        pnum = self.proc_counter + np.arange(n)
        self.proc_counter += n
        proc_id = _ids("P", pnum, 11)
        var = rng.choice(len(ref.VARIANTS), n, p=ref.VAR_WEIGHT)
        unit = rng.choice(len(org.unit_code), n, p=org.unit_weight)
        center = ref.VAR_HV[var] | (rng.random(n) < 0.12)
        team = np.where(center, org.unit_center[unit], org.unit_offices.pick(rng, unit))
        owner = org.team_business.pick(rng, team)
        q_proc = org.unit_factor[unit] * org.team_factor[team]

        # --- customers: existing pool, newly connected, or closing
        kind = ref.VAR_KIND[var]
        seg = (rng.random(n)[:, None] > ref.VAR_SEG_CUM[var]).sum(axis=1)
        seg = np.minimum(seg, 2)
        cust_index = self.pool_offset[unit, seg] + (rng.random(n) * self.pool_count[unit, seg]).astype(
            np.int64
        )
        dual = (seg == ref.HV_SEG) & (cust_index % 7 == 0)
        fresh = kind != ref.EXISTING
        n_fresh = int(fresh.sum())
        cust_index[fresh] = self.cust_counter + np.arange(n_fresh)
        self.cust_counter += n_fresh
        dual[fresh] = (seg[fresh] == ref.HV_SEG) & (rng.random(n_fresh) < 0.15)
        cls = np.where(seg == ref.HV_SEG, 2 + dual, seg)

        # --- steps
        nst = ref.VAR_LEN[var]
        m = int(nst.sum())
        first = np.cumsum(nst) - nst
        pidx = np.repeat(np.arange(n), nst)
        k = np.arange(m) - first[pidx]
        node = ref.VAR_NODES[var[pidx], k]
        other = org.team_business.pick(rng, team[pidx])
        assignee = np.where((k == 0) | (rng.random(m) < 0.5), owner[pidx], other)
        q_step = q_proc[pidx] * org.staff_factor[assignee]
        limit = np.where(ref.VAR_BE[var[pidx]], ref.TIME_LIMITS[node, cls[pidx]], -1)
        lo, hi = ref.DURATION_WM[node, 0], ref.DURATION_WM[node, 1]
        dur = lo + ((hi - lo) * rng.random(m) ** 1.5).astype(np.int64)
        timed = limit > 0
        red = timed & (rng.random(m) < np.clip(P_RED * q_step, 0, 0.5))
        timed_dur = np.where(
            red,
            (limit + rng.geometric(0.45, m)) * DAY_MINUTES + rng.integers(0, DAY_MINUTES, m),
            (rng.beta(2.0, 4.0, m) * limit * DAY_MINUTES).astype(np.int64),
        )
        dur = np.maximum(np.where(timed, timed_dur, dur), 5)
        gap_lo, gap_hi = ref.GAP_DAYS[node, 0], ref.GAP_DAYS[node, 1]
        gap = ((gap_lo + (gap_hi - gap_lo) * rng.random(m)) * DAY_MINUTES).astype(np.int64)
        gap = np.where(k == 0, 0, gap + rng.integers(1, 60, m))
        accept_wm = rng.integers(self.start_wm, self.end_wm, n)
        # Archive behaviour is drawn per step up front: the node gate makes the next step wait
        # until the previous step's documents were sent (DOMAIN.md section 11), unless the
        # archive step is never sent or the assignee bypasses the gate.
        produces = node != ref.N["FILING"]
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
        start_wm = np.zeros(m, dtype=np.int64)
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
                sent_prev = done[prev] + _secs(delay[prev])
                begin = np.where(gated, np.maximum(begin, clock.from_ts(sent_prev) + wait[at]), begin)
            start_wm[at] = begin
            done_wm[at] = begin + dur[at]
            started[at] = self._when(rng, begin)
            done[at] = self._when(rng, done_wm[at])

        # --- cancellations, and what has not happened yet at `end`
        cancel_at = (rng.random(n) * (nst - 1)).astype(np.int64)
        cancelled = (rng.random(n) < P_CANCELLED) & (done[first + cancel_at] <= end)
        keep = ~(cancelled[pidx] & (k > cancel_at[pidx])) & (started <= end)
        open_step = done > end
        done = np.where(open_step, NAT, done)
        kept_count = np.bincount(pidx[keep], minlength=n)
        last = first + kept_count - 1
        finished = ~cancelled & (kept_count == nst) & ~open_step[first + nst - 1]
        proc_completed = np.where(finished, done[first + nst - 1], NAT)
        last_event = np.where(np.isnat(done[last]), started[last], done[last])
        status = np.where(cancelled, "cancelled", np.where(finished, "completed", "in_progress"))
        accepted = started[first]

        # --- customers created by this chunk (new connections and closures)
        cancelled_at = np.where(cancelled, done[first + cancel_at], NAT)
        self._fresh_customers(
            rng,
            fresh,
            kind,
            cust_index,
            unit,
            seg,
            dual,
            accepted,
            proc_completed,
            cancelled_at,
            pidx,
            node,
            done,
            keep,
        )

        cust_no = self._cust_no(cust_index)
        self.sinks.write(
            "processes",
            {
                "proc_id": proc_id,
                "proc_type": ref.VAR_TYPE[var],
                "cust_no": cust_no,
                "unit_code": org.unit_code[unit],
                "owner_id": org.staff_id[owner],
                "accepted_at": accepted,
                "completed_at": proc_completed,
                "status": status,
                "updated_at": last_event,
            },
        )
        step_id = _join(
            proc_id.take(pa.array(pidx)), "-", pc.utf8_lpad(pa.array(k + 1).cast(pa.string()), 2, "0")
        )
        kept = np.flatnonzero(keep)
        kept_pa = pa.array(kept)
        self.sinks.write(
            "process_steps",
            {
                "step_id": step_id.take(kept_pa),
                "proc_id": proc_id.take(pa.array(pidx[kept])),
                "seq": k[kept] + 1,
                "node_code": np.array(ref.NODES)[node[kept]],
                "assignee_id": org.staff_id[assignee[kept]],
                "started_at": started[kept],
                "completed_at": done[kept],
                "produces_archive": produces[kept],
                "updated_at": np.where(np.isnat(done[kept]), started[kept], done[kept]),
            },
        )

        # --- archive steps
        arch = np.flatnonzero(keep & produces & ~np.isnat(done))
        arch = arch[rng.random(len(arch)) >= np.clip(P_NO_ARCH_STEP * q_step[arch], 0, 0.3)]
        na = len(arch)
        comp = done[arch]
        created = comp + _secs(rng.integers(60, 300, na))
        ok = created <= end
        arch, comp, created = arch[ok], comp[ok], created[ok]
        na = len(arch)
        never, delay = never[arch], delay[arch]
        with_docs = ~never | (rng.random(na) < 0.5)
        sent = comp + _secs(delay)
        first_doc = created + _secs(
            60
            + (rng.random(na) * 0.5 * np.maximum(0, (sent - created).astype(np.int64) - 600)).astype(np.int64)
        )
        first_doc = np.where(
            never, created + _secs(60 + rng.exponential(2 * 3600, na).astype(np.int64)), first_doc
        )
        first_doc = np.where(with_docs & (first_doc <= end), first_doc, NAT)
        sent = np.where(~never & (sent <= end) & ~np.isnat(first_doc), sent, NAT)
        collector = org.team_collectors.pick(rng, team[pidx[arch]])
        cf = org.staff_factor[collector] * org.unit_factor[unit[pidx[arch]]]
        slow = rng.random(na) < np.clip(P_SLOW_REVIEW * cf, 0, 0.5)
        review_wm = np.where(
            slow,
            rng.integers(2, 7, na) * DAY_MINUTES + rng.integers(0, DAY_MINUTES, na),
            10 + np.minimum(rng.exponential(150, na), 480).astype(np.int64),
        )
        has_sent = ~np.isnat(sent)
        reviewed = np.full(na, NAT)
        if has_sent.any():
            reviewed[has_sent] = self._when(rng, clock.from_ts(sent[has_sent]) + review_wm[has_sent])
        reviewed = self._not_after_end(reviewed)
        result = np.where(
            np.isnat(reviewed),
            "",
            np.where(rng.random(na) < np.clip(P_RETURNED * cf, 0, 0.5), "returned", "accepted"),
        )
        a_updated = created
        for col in (first_doc, sent, reviewed):
            a_updated = np.where(np.isnat(col), a_updated, np.maximum(a_updated, col))
        arch_step_id = step_id.take(pa.array(arch))
        self.sinks.write(
            "archive_steps",
            {
                "arch_step_id": _join("A", arch_step_id),
                "step_id": arch_step_id,
                "proc_id": proc_id.take(pa.array(pidx[arch])),
                "created_at": created,
                "first_doc_at": first_doc,
                "sent_at": sent,
                "collector_id": org.staff_id[collector],
                "reviewed_at": reviewed,
                "review_result": result,
                "updated_at": a_updated,
            },
        )

        # --- documents of the archive steps that have any
        src = np.flatnonzero(~np.isnat(first_doc))
        s_step = arch[src]
        v_k = (var[pidx[s_step]], k[s_step])
        ns = ref.SLOT_COUNT[v_k]
        d_row = np.repeat(np.arange(len(src)), ns)
        d_slot = np.arange(len(d_row)) - np.repeat(np.cumsum(ns) - ns, ns)
        d_step = s_step[d_row]
        d_vk = (var[pidx[d_step]], k[d_step], d_slot)
        d_type = ref.SLOT_TYPE[d_vk]
        d_mand = ref.SLOT_MANDATORY[d_vk]
        r = rng.random(len(d_row))
        d_keep = np.where(
            d_mand, r >= np.clip(P_MISSING_DOC * q_step[d_step], 0, 0.3), r < ref.OPTIONAL_SHARE
        )
        per_row = np.bincount(d_row[d_keep], minlength=len(src))
        d_keep |= (d_slot == 0) & (per_row[d_row] == 0)
        d_row, d_slot, d_step, d_type = d_row[d_keep], d_slot[d_keep], d_step[d_keep], d_type[d_keep]
        d_proc = pidx[d_step]
        self._write_documents(
            rng,
            cust_no=cust_no.take(pa.array(d_proc)),
            proc_id=proc_id.take(pa.array(d_proc)),
            step_id=step_id.take(pa.array(d_step)),
            doc_type=d_type,
            category=ref.VAR_CATEGORY[var[d_proc]],
            added_at=first_doc[src][d_row] + _secs(d_slot * 30),
            added_by=org.staff_id[assignee[d_step]],
            unit=unit[d_proc],
        )
        docs_per_proc = np.bincount(d_proc[~cancelled[d_proc]], minlength=n)
        incomplete = self._incomplete(n, var, pidx, k, keep, d_proc, d_step, d_type)

        # --- paper handover, dossiers, borrowings, audit
        self._paper(
            rng, proc_id, pnum, unit, team, owner, q_proc, proc_completed, docs_per_proc, incomplete, cust_no
        )

    def _incomplete(
        self,
        n: int,
        var: np.ndarray,
        pidx: np.ndarray,
        k: np.ndarray,
        keep: np.ndarray,
        d_proc: np.ndarray,
        d_step: np.ndarray,
        d_type: np.ndarray,
    ) -> np.ndarray:
        """Processes lacking a mandatory document of one of their steps (for audit results)."""
        steps = np.flatnonzero(keep)
        ns = ref.SLOT_COUNT[var[pidx[steps]], k[steps]]
        need_step = np.repeat(steps, ns)
        slot = np.arange(len(need_step)) - np.repeat(np.cumsum(ns) - ns, ns)
        mand = ref.SLOT_MANDATORY[var[pidx[need_step]], k[need_step], slot]
        need_step, slot = need_step[mand], slot[mand]
        need_type = ref.SLOT_TYPE[var[pidx[need_step]], k[need_step], slot]
        width = len(ref.DOC_TYPES)
        have = np.zeros(n * width, dtype=bool)
        have[d_proc * width + d_type] = True
        lacking = ~have[pidx[need_step] * width + need_type]
        return np.bincount(pidx[need_step][lacking], minlength=n) > 0

    def _fresh_customers(
        self,
        rng: np.random.Generator,
        fresh: np.ndarray,
        kind: np.ndarray,
        cust_index: np.ndarray,
        unit: np.ndarray,
        seg: np.ndarray,
        dual: np.ndarray,
        accepted: np.ndarray,
        proc_completed: np.ndarray,
        cancelled_at: np.ndarray,
        pidx: np.ndarray,
        node: np.ndarray,
        done: np.ndarray,
        keep: np.ndarray,
    ) -> None:
        idx = np.flatnonzero(fresh)
        if len(idx) == 0:
            return
        nf = len(idx)
        rows = self._customer_rows(rng, cust_index[idx], unit[idx], seg[idx], dual[idx])
        is_new = kind[idx] == ref.NEW
        closing = ~is_new
        accepted_day = accepted[idx].astype("datetime64[D]")
        old_opened = np.datetime64("1998-01-01") + _days(rng.integers(0, 365 * 25, nf))
        opened = np.where(is_new, accepted_day, old_opened)
        closed = np.where(closing, proc_completed[idx].astype("datetime64[D]"), np.datetime64("NaT", "D"))
        # A cancelled new connection closes the pre-registered account.
        closed = np.where(is_new, cancelled_at[idx].astype("datetime64[D]"), closed)
        # Closing customers have standing contracts ended with the closure.
        c_idx = np.flatnonzero(closing)
        contract_parts = []
        if len(c_idx):
            standing, opened_c = self._standing_contracts(
                rng,
                rows["cust_no"].take(pa.array(c_idx)),
                seg[idx][c_idx],
                unit[idx][c_idx],
                opened[c_idx],
                closed[c_idx],
            )
            opened[c_idx] = opened_c
            contract_parts.append(standing)
        # New connections sign their contract at the CONTRACT step.
        contract_step = np.flatnonzero(keep & (node == ref.N["CONTRACT"]) & ~np.isnat(done))
        signed_ts = np.full(len(fresh), NAT)
        signed_ts[pidx[contract_step]] = done[contract_step]
        new_signed = signed_ts[idx][is_new]
        has = ~np.isnat(new_signed)
        if has.any():
            sel = np.flatnonzero(is_new)[has]
            signed = new_signed[has].astype("datetime64[D]")
            hv = seg[idx][sel] == ref.HV_SEG
            term = np.where(hv, CONTRACT_TERM_DAYS[True], CONTRACT_TERM_DAYS[False])
            numbers = self.contract_counter + np.arange(len(sel))
            self.contract_counter += len(sel)
            contract_parts.append(
                {
                    "contract_id": _ids("HT", numbers, 10),
                    "cust_no": rows["cust_no"].take(pa.array(sel)),
                    "signed_on": signed,
                    "expires_on": signed + _days(term),
                    "auto_renew": rng.random(len(sel)) < 0.35,
                    "terminated_on": np.full(len(sel), np.datetime64("NaT", "D")),
                    "updated_at": new_signed[has],
                }
            )
        rows["opened_on"] = opened
        rows["closed_on"] = closed
        updated = np.where(np.isnat(proc_completed[idx]), accepted[idx], proc_completed[idx])
        updated = np.where(np.isnat(cancelled_at[idx]), updated, cancelled_at[idx])
        updated = np.where(
            is_new | ~np.isnat(closed), updated, old_opened.astype("datetime64[s]") + _secs(36000)
        )
        rows["updated_at"] = np.minimum(updated, self.end)
        self.sinks.write("customers", rows)
        for part in contract_parts:
            self.sinks.write("contracts", part)

    def _paper(
        self,
        rng: np.random.Generator,
        proc_id: pa.Array,
        pnum: np.ndarray,
        unit: np.ndarray,
        team: np.ndarray,
        owner: np.ndarray,
        q_proc: np.ndarray,
        proc_completed: np.ndarray,
        docs_per_proc: np.ndarray,
        incomplete: np.ndarray,
        cust_no: pa.Array,
    ) -> None:
        org, clock, end = self.org, self.clock, self.end
        # Paper handover of completed processes with documents, counted in working days.
        hp = np.flatnonzero(~np.isnat(proc_completed) & (docs_per_proc > 0))
        nh = len(hp)
        qo = q_proc[hp] * org.staff_factor[owner[hp]]
        u = rng.random(nh)
        never = u < np.clip(P_HANDOVER_NEVER * qo, 0, 0.3)
        late = ~never & (u < np.clip((P_HANDOVER_NEVER + P_HANDOVER_LATE) * qo, 0, 0.6))
        wd = np.where(
            late, rng.integers(6, 21, nh), rng.choice([1, 2, 3, 4, 5], nh, p=[0.35, 0.3, 0.2, 0.1, 0.05])
        )
        handed = self._work_time_on(rng, clock.workday_add(proc_completed[hp].astype("datetime64[D]"), wd))
        ok = ~never & (handed <= end)
        hp, handed = hp[ok], handed[ok]
        receiver = org.team_collectors.pick(rng, team[hp])
        self.sinks.write(
            "paper_handovers",
            {
                "handover_id": _ids("H", pnum[hp], 11),
                "proc_id": proc_id.take(pa.array(hp)),
                "handed_by": org.staff_id[owner[hp]],
                "received_by": org.staff_id[receiver],
                "handed_over_at": handed,
                "doc_count": docs_per_proc[hp],
            },
        )
        # Dossiers, made up by the collector after the paper arrives.
        nd = len(hp)
        created = handed + _secs(600 + rng.integers(0, 8 * 3600, nd))
        ok = created <= end
        dp, created, collector = hp[ok], created[ok], receiver[ok]
        nd = len(dp)
        cf = org.staff_factor[collector] * org.unit_factor[unit[dp]]
        u = rng.random(nd)
        never = u < np.clip(P_TRANSFER_NEVER * cf, 0, 0.3)
        late = ~never & (u < np.clip((P_TRANSFER_NEVER + P_TRANSFER_LATE) * cf, 0, 0.6))
        wd = np.where(late, rng.integers(6, 16, nd), rng.integers(1, 6, nd))
        transferred = self._work_time_on(rng, clock.workday_add(created.astype("datetime64[D]"), wd))
        transferred = np.where(never, NAT, self._not_after_end(transferred))
        numbers = self.dossier_counter + np.arange(nd)
        self.dossier_counter += nd
        location = _join(
            _take(org.unit_short, unit[dp]),
            "档案室",
            _take(np.array(list("ABCD")), rng.integers(0, 4, nd)),
            "区",
            pc.utf8_lpad(pa.array(rng.integers(1, 21, nd)).cast(pa.string()), 2, "0"),
            "排",
            pc.utf8_lpad(pa.array(rng.integers(1, 9, nd)).cast(pa.string()), 2, "0"),
            "架",
        )
        location = pc.if_else(pa.array(np.isnat(transferred)), pa.scalar(None, pa.string()), location)
        dossier_id = _ids("JZD", numbers, 9)
        dossier_barcode = _ids("JZ33", numbers, 8)
        self.sinks.write(
            "dossiers",
            {
                "dossier_id": dossier_id,
                "barcode": dossier_barcode,
                "cust_no": cust_no.take(pa.array(dp)),
                "proc_id": proc_id.take(pa.array(dp)),
                "collector_id": org.staff_id[collector],
                "created_at": created,
                "transferred_at": transferred,
                "location": location,
            },
        )
        self.scans.offer_dossiers(dossier_barcode, unit[dp])
        self._borrowings(rng, dossier_id, dp, unit, transferred)
        self._audits(rng, proc_id, pnum, unit, team, owner, q_proc, proc_completed, docs_per_proc, incomplete)

    def _borrowings(
        self,
        rng: np.random.Generator,
        dossier_id: pa.Array,
        dp: np.ndarray,
        unit: np.ndarray,
        transferred: np.ndarray,
    ) -> None:
        org, end = self.org, self.end
        pick = np.flatnonzero(~np.isnat(transferred) & (rng.random(len(dp)) < 0.03))
        requested = self._office_hours(
            rng, transferred[pick] + _secs(rng.integers(86400, 150 * 86400, len(pick)))
        )
        ok = requested <= end
        pick, requested = pick[ok], requested[ok]
        nb = len(pick)
        if nb == 0:
            return
        b_unit = unit[dp[pick]]
        r = rng.random(nb)
        approved_at = self._not_after_end(
            self._office_hours(
                rng, np.where(r < 0.94, requested + _secs(rng.integers(1800, 2 * 86400, nb)), NAT)
            )
        )
        approved = ~np.isnat(approved_at)
        approver = np.where(approved, org.staff_id[org.unit_leaders.pick(rng, b_unit)], "")
        borrowed = self._not_after_end(
            self._office_hours(rng, approved_at + _secs(rng.integers(1800, 86400, nb)))
        )
        due = np.where(
            np.isnat(borrowed), np.datetime64("NaT", "D"), borrowed.astype("datetime64[D]") + _days(15)
        )
        r = rng.random(nb)
        returned = np.where(
            r < 0.8,
            borrowed + _secs(rng.integers(3600, 14 * 86400, nb)),
            np.where(r < 0.92, due.astype("datetime64[s]") + _secs(rng.integers(86400, 25 * 86400, nb)), NAT),
        )
        returned = self._not_after_end(self._office_hours(rng, returned))
        self.sinks.write(
            "borrowings",
            {
                "borrow_id": _join("B", dossier_id.take(pa.array(pick))),
                "dossier_id": dossier_id.take(pa.array(pick)),
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

    def _audits(
        self,
        rng: np.random.Generator,
        proc_id: pa.Array,
        pnum: np.ndarray,
        unit: np.ndarray,
        team: np.ndarray,
        owner: np.ndarray,
        q_proc: np.ndarray,
        proc_completed: np.ndarray,
        docs_per_proc: np.ndarray,
        incomplete: np.ndarray,
    ) -> None:
        """Monthly spot checks early in the month after completion, with findings."""
        org, end = self.org, self.end
        pick = np.flatnonzero(
            ~np.isnat(proc_completed) & (docs_per_proc > 0) & (rng.random(len(unit)) < self.scale.audit_share)
        )
        month_end = (proc_completed[pick].astype("datetime64[M]") + np.timedelta64(1, "M")).astype(
            "datetime64[D]"
        ) - _days(1)
        checked = self._work_time_on(rng, self.clock.workday_add(month_end, rng.integers(1, 9, len(pick))))
        ok = checked <= end
        pick, checked = pick[ok], checked[ok]
        nc = len(pick)
        if nc == 0:
            return
        qp = q_proc[pick] * org.staff_factor[owner[pick]]
        fail = (rng.random(nc) < np.clip(P_AUDIT_FAIL * qp, 0, 0.5)) | (
            incomplete[pick] & (rng.random(nc) < 0.7)
        )
        check_id = _ids("C", pnum[pick], 11)
        self.sinks.write(
            "audit_checks",
            {
                "check_id": check_id,
                "proc_id": proc_id.take(pa.array(pick)),
                "auditor_id": org.staff_id[org.unit_auditors.pick(rng, unit[pick])],
                "checked_at": checked,
                "result": np.where(fail, "fail", "pass"),
            },
        )
        nf = np.where(fail, 1 + rng.poisson(0.6, nc), (rng.random(nc) < 0.08).astype(np.int64))
        f_row = np.repeat(np.arange(nc), nf)
        f_no = np.arange(len(f_row)) - np.repeat(np.cumsum(nf) - nf, nf)
        n_f = len(f_row)
        if n_f == 0:
            return
        important = fail[f_row] & (f_no == 0) & (rng.random(n_f) < 0.5)
        problem = np.where(
            incomplete[pick][f_row] & (f_no == 0), 0, rng.integers(1, len(ref.PROBLEM_TYPES), n_f)
        )
        f_proc = pick[f_row]
        responsible = np.where(
            rng.random(n_f) < 0.7,
            owner[f_proc],
            org.team_collectors.pick(rng, team[f_proc]),
        )
        rectified = np.where(
            rng.random(n_f) < 0.9, checked[f_row] + _secs(rng.integers(86400, 12 * 86400, n_f)), NAT
        )
        description = np.where(
            rng.random(n_f) < 0.7, np.char.add(ref.PROBLEM_TYPES[problem], "，已通知责任人整改"), ""
        )
        self.sinks.write(
            "audit_findings",
            {
                "finding_id": _join(
                    check_id.take(pa.array(f_row)), "-", pa.array(f_no + 1).cast(pa.string())
                ),
                "check_id": check_id.take(pa.array(f_row)),
                "severity": np.where(important, "important", "general"),
                "problem_type": ref.PROBLEM_TYPES[problem],
                "responsible_id": org.staff_id[responsible],
                "description": description,
                "rectified_at": self._not_after_end(self._office_hours(rng, rectified)),
            },
        )


def _scan_count(scans: str | int, scale: Scale) -> int:
    if isinstance(scans, int):
        return max(0, scans)
    text = str(scans).strip().lower()
    if text == "auto":
        return scale.auto_scans
    if text == "none":
        return 0
    try:
        return max(0, int(text))
    except ValueError as exc:
        raise ValueError(f"--scans must be 'auto', 'none' or a count, not {scans!r}") from exc


@dataclass(frozen=True)
class GeneratedTables:
    """A written table set and the scans chosen for it: all the scan writer needs."""

    out: Path
    seed: int
    scan_count: int  # scans asked for; 0 means none
    scan_documents: tuple[ScanDocument, ...]
    scan_dossiers: tuple[ScanDossier, ...]


def generate_tables(
    scale: str,
    seed: int,
    out: Path,
    scans: str | int = "auto",
    end: str | None = None,
    *,
    table_format: str | None = None,
) -> GeneratedTables:
    """Write both source systems and the manifest into ``out``; choose the documents to scan.

    The same (scale, seed, end) always gives byte-identical tables; ``end`` defaults to a
    fixed moment, so the result never depends on today's date. ``table_format`` (csv or
    parquet) overrides the scale's default for the folder tables. ``scans`` ('auto', 'none'
    or a count) only sets how many documents are chosen; the pages are rendered by
    ``scans.generate.write_generated_scans``, which also records them in the manifest.
    Scans of an earlier set in ``out`` are removed.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; expected one of {sorted(SCALES)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("marketing", "archive", "scans"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    (out / "scans_index.csv").unlink(missing_ok=True)
    end_ts = _parse_moment(end or DEFAULT_END)
    began = time.perf_counter()
    fmt = table_format or SCALES[scale].table_format
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"unknown table format {fmt!r}; expected csv or parquet")
    gen = _Generator(scale, seed, out, end_ts, _scan_count(scans, SCALES[scale]), fmt)
    try:
        gen.write_org()
        gen.write_customer_pool()
        gen.write_processes()
    finally:
        gen.sinks.close()
    end_text = str(end_ts).replace("T", " ")
    manifest = {
        "scale": scale,
        "seed": seed,
        "start": str(gen.start).replace("T", " "),
        "end": end_text,
        "as_of": end_text,
        "format": fmt,
        "counts": gen.sinks.counts(),
        "scan_files": 0,
        "units": {str(c): str(n) for c, n in zip(gen.org.unit_code, gen.org.unit_name, strict=True)},
        "teams": {str(c): str(n) for c, n in zip(gen.org.team_code, gen.org.team_name, strict=True)},
        "staff": len(gen.org.staff_id),
        "proc_types": sorted({v.proc_type for v in ref.VARIANTS}),
        "doc_types": {d.code: d.name for d in ref.DOC_TYPES},
        "scans_index": None,
    }
    write_manifest(out, manifest)
    logger.info("generated %s seed %d into %s in %.1f s", scale, seed, out, time.perf_counter() - began)
    return GeneratedTables(
        out=out,
        seed=seed,
        scan_count=gen.scan_count,
        scan_documents=tuple(gen.scans.documents),
        scan_dossiers=tuple(gen.scans.dossiers),
    )
