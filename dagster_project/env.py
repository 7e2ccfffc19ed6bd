"""Resource configuration from environment variables, with the embedded set-up's defaults.

Resources take ``dg.EnvVar`` values so that the Dagster UI shows where a setting comes
from and secrets never land in run config; an unset variable falls back to the default
from :mod:`dagster_project.settings`, so the project runs without any ``.env``.
"""

from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg

TIMEZONE = "Asia/Shanghai"
AS_OF_FORMAT = "%Y-%m-%d %H:%M:%S"


def env_or(name: str, default: str) -> str | dg.EnvVar:
    """``dg.EnvVar(name)`` when the variable is set, else the default value."""
    return dg.EnvVar(name) if os.environ.get(name) else default


def env_int_or(name: str, default: int) -> int | dg.EnvVar:
    return dg.EnvVar.int(name) if os.environ.get(name) else default


def local_now() -> datetime:
    """Now in Asia/Shanghai, without zone: every timestamp of the domain is local time."""
    return datetime.now(ZoneInfo(TIMEZONE)).replace(tzinfo=None, microsecond=0)


def parse_as_of(text: str | None) -> datetime:
    """The evaluation moment; empty means now. Accepts a date or a date and time."""
    if not text:
        return local_now()
    for fmt in (AS_OF_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    raise ValueError(f"as_of {text!r} is not a moment like 'YYYY-MM-DD HH:MM:SS'")


def format_as_of(moment: datetime) -> str:
    return moment.strftime(AS_OF_FORMAT)
