"""The ingest's own limits, from the seed ``ingest_limits`` (one place for the numbers).

The seed is read from its CSV file, not from the warehouse: the sources load before dbt
seeds anything, and the file is what dbt loads too, so both see the same values.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

SEED = Path(__file__).resolve().parent.parent / "dbt" / "seeds" / "ingest_limits.csv"


class LimitsError(ValueError):
    """The seed lacks a setting or holds a value out of range; the message names it."""


@dataclass(frozen=True)
class IngestLimits:
    """``shrink_max_share``: the share of a table's rows a whole-table load may remove;
    ``overlap``: how far before the watermark an incremental load reads again;
    ``key_reconcile``: how often a build compares every source key with raw."""

    shrink_max_share: float
    overlap: timedelta
    key_reconcile: timedelta = timedelta(hours=24)


def read_limits(seed: Path = SEED) -> IngestLimits:
    """The limits in ``seed``; every setting must be there (no silent default)."""
    try:
        with Path(seed).open(encoding="utf-8", newline="") as handle:
            values = {row["name"]: row["value"] for row in csv.DictReader(handle)}
    except (OSError, KeyError) as exc:
        raise LimitsError(f"cannot read the ingest limits seed {seed}: {exc}") from exc
    try:
        share = float(values["shrink_max_share"])
        hours = float(values["overlap_hours"])
        reconcile_hours = float(values["key_reconcile_hours"])
    except KeyError as exc:
        raise LimitsError(f"the ingest limits seed {seed} has no setting {exc}") from exc
    except ValueError as exc:
        raise LimitsError(f"the ingest limits seed {seed} holds a value that is not a number: {exc}") from exc
    if not 0 <= share <= 1:
        raise LimitsError(f"{seed}: shrink_max_share must be a share between 0 and 1, not {share}")
    if hours < 0:
        raise LimitsError(f"{seed}: overlap_hours must not be negative, not {hours}")
    if reconcile_hours < 0:
        raise LimitsError(f"{seed}: key_reconcile_hours must not be negative, not {reconcile_hours}")
    return IngestLimits(
        shrink_max_share=share, overlap=timedelta(hours=hours), key_reconcile=timedelta(hours=reconcile_hours)
    )
