"""The one clock: every timestamp of the domain is local time (Asia/Shanghai) without zone.

``local_now()`` is the only "now" of the project (ingest runs, scan reads, the default
``as_of``, delivery); ``parse_as_of``/``format_as_of`` are the one text form of a moment.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

TIMEZONE = "Asia/Shanghai"
AS_OF_FORMAT = "%Y-%m-%d %H:%M:%S"


def local_now() -> datetime:
    """Now in Asia/Shanghai, without zone, to the second."""
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
