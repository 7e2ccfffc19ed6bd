"""What every domain of one generation run shares: scale, window, organisation, clock, sinks.

The domain modules (organisation, contracts, processes, archive, audit) are functions of a
``World`` and a chunk's random generator; the world carries the state that runs across
chunks (id counters, the customer pool, the scan choice), so the chunks stay independent
and the output depends only on (scale, seed, end).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from ingest.synthetic.arrays import NAT, secs
from ingest.synthetic.clock import WorkClock
from ingest.synthetic.organisation import Org, build_org
from ingest.synthetic.scan_plan import ScanPlan
from ingest.synthetic.writers import SystemSinks


@dataclass(frozen=True)
class Scale:
    processes: int
    customers: int  # existing customer pool
    months: int  # months covered, the month of `end` included
    table_format: str
    auto_scans: int
    audit_share: float
    showcase: bool = False  # add the hand-placed cases of every state (ingest.synthetic.showcase)


SCALES: dict[str, Scale] = {
    "tiny": Scale(400, 1500, 5, "csv", 40, 0.15, showcase=True),
    "jiaxing": Scale(500_000, 1_200_000, 12, "parquet", 2000, 0.05),
    "zhejiang": Scale(5_000_000, 12_000_000, 12, "parquet", 5000, 0.05),
}

# Residential, low-voltage non-residential and high-voltage shares of the customer pool.
SEGMENT_SHARE = np.array([0.77, 0.2, 0.03])


@dataclass(frozen=True)
class CustomerPool:
    """The customers that exist before the window, laid out by unit and segment.

    Customer ``offset[unit, segment] + i`` for ``i < count[unit, segment]`` belongs to that
    cell, so a process can pick an existing customer of its unit and segment by number.
    """

    count: np.ndarray
    offset: np.ndarray
    size: int

    @classmethod
    def layout(cls, customers: int, unit_weight: np.ndarray) -> CustomerPool:
        count = np.maximum(2, np.round(customers * np.outer(unit_weight, SEGMENT_SHARE)).astype(np.int64))
        offset = (np.cumsum(count.ravel()) - count.ravel()).reshape(len(unit_weight), len(SEGMENT_SHARE))
        return cls(count, offset, int(count.sum()))


class World:
    """One run's shared state, and the working-time helpers every domain uses."""

    def __init__(
        self, scale_name: str, seed: int, end: np.datetime64, scan_count: int, sinks: SystemSinks
    ) -> None:
        self.scale_name = scale_name
        self.scale = SCALES[scale_name]
        self.seed = seed
        self.end = end
        self.end_day = end.astype("datetime64[D]")
        self.start = _month_start(end, self.scale.months - 1)
        self.org: Org = build_org(scale_name, np.random.default_rng([seed, 0]))
        first = (self.start - np.timedelta64(400, "D")).astype(dt.datetime).date()
        last = (end + np.timedelta64(500, "D")).astype(dt.datetime).date()
        self.clock = WorkClock(first, last)
        self.start_wm = int(self.clock.from_ts(np.array([self.start]))[0])
        self.end_wm = int(self.clock.from_ts(np.array([end]))[0])
        self.sinks = sinks
        self.pool = CustomerPool.layout(self.scale.customers, self.org.unit_weight)
        self._next = {"customer": self.pool.size, "process": 0, "contract": 0, "document": 0, "dossier": 0}
        self.scans = ScanPlan.for_run(seed, scan_count, self.scale.processes, self.org.unit_code)

    def numbers(self, kind: str, n: int) -> np.ndarray:
        """The next ``n`` running numbers of a kind of record (ids are unique across chunks)."""
        start = self._next[kind]
        self._next[kind] = start + n
        return start + np.arange(n)

    def when(self, rng: np.random.Generator, wm: np.ndarray) -> np.ndarray:
        """Timestamps of working minutes, with seconds so that times look recorded."""
        return self.clock.to_ts(wm) + secs(rng.integers(0, 60, len(wm)))

    def work_time_on(self, rng: np.random.Generator, day: np.ndarray) -> np.ndarray:
        return day.astype("datetime64[s]") + secs(8 * 3600 + 1800 + rng.integers(0, 9 * 3600, len(day)))

    def office_hours(self, rng: np.random.Generator, ts: np.ndarray) -> np.ndarray:
        """Move calendar times to the next working minute (people act in office hours)."""
        out = np.full(len(ts), NAT)
        has = ~np.isnat(ts)
        if has.any():
            out[has] = self.when(rng, self.clock.from_ts(ts[has]))
        return out

    def not_after_end(self, ts: np.ndarray) -> np.ndarray:
        """What has not happened by ``end`` is not recorded yet."""
        return np.where(ts <= self.end, ts, NAT)


def _month_start(moment: np.datetime64, back: int) -> np.datetime64:
    month = moment.astype("datetime64[M]") - np.timedelta64(back, "M")
    return month.astype("datetime64[D]").astype("datetime64[s]")
