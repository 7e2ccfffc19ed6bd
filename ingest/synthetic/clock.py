"""A vectorised working-time clock for the generator.

Durations of process steps are drawn in working minutes (08:30-17:30 on working days), so
that step times respect weekends, public holidays and make-up working days the same way the
time-limit rules count them. Working days come from ``chinese_calendar``; years it does not
cover fall back to Monday-Friday.
"""

from __future__ import annotations

import datetime as dt
import logging

import numpy as np

logger = logging.getLogger(__name__)

DAY_MINUTES = 540  # 08:30 - 17:30
DAY_START_S = 8 * 3600 + 30 * 60


def is_workday(day: dt.date) -> bool:
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


class WorkClock:
    """Maps timestamps to a continuous count of working minutes and back."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        days = np.arange(np.datetime64(first, "D"), np.datetime64(last, "D") + 1)
        flags = np.array([is_workday(d.astype(dt.date)) for d in days])
        self.workdays = days[flags]
        self.first = first
        self.last = last

    def to_ts(self, wm: np.ndarray) -> np.ndarray:
        """Working minute index -> timestamp (datetime64[s])."""
        wm = np.asarray(wm, dtype=np.int64)
        k = np.clip(wm // DAY_MINUTES, 0, len(self.workdays) - 1)
        minute = wm % DAY_MINUTES
        return self.workdays[k].astype("datetime64[s]") + (DAY_START_S + minute * 60).astype("timedelta64[s]")

    def from_ts(self, ts: np.ndarray) -> np.ndarray:
        """Timestamp -> working minute index; times outside working hours snap forward."""
        ts = np.asarray(ts, dtype="datetime64[s]")
        day = ts.astype("datetime64[D]")
        secs = (ts - day.astype("datetime64[s]")).astype(np.int64)
        k = np.searchsorted(self.workdays, day, side="left")
        k_clip = np.clip(k, 0, len(self.workdays) - 1)
        on_workday = self.workdays[k_clip] == day
        minute = (secs - DAY_START_S) // 60
        after_hours = on_workday & (minute >= DAY_MINUTES)
        minute = np.where(on_workday, np.clip(minute, 0, DAY_MINUTES - 1), 0)
        k = np.where(after_hours, k + 1, k)
        minute = np.where(after_hours, 0, minute)
        return k.astype(np.int64) * DAY_MINUTES + minute

    def workday_add(self, day: np.ndarray, n: np.ndarray) -> np.ndarray:
        """The n-th working day strictly after each date (datetime64[D])."""
        day = np.asarray(day, dtype="datetime64[D]")
        k = np.searchsorted(self.workdays, day, side="right") + np.asarray(n, dtype=np.int64) - 1
        return self.workdays[np.clip(k, 0, len(self.workdays) - 1)]

    def workday_index(self, day: np.ndarray) -> np.ndarray:
        """Number of working days up to and including each date."""
        return np.searchsorted(self.workdays, np.asarray(day, dtype="datetime64[D]"), side="right")
