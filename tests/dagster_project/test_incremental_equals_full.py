"""A build on top of earlier builds computes what a full recomputation computes.

The hourly build loads only the rows written since the last load and recomputes only what
can have changed; whatever it skips or reuses, its marts must be the ones that recomputing
every model from scratch (``--full-refresh``: every source table reloaded, every model
rebuilt, history and frozen months kept) gives on the same sources at the same ``as_of``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dagster_project.build import run_build
from ingest import warehouse as wh
from ingest.synthetic.changes import cutoff_for_changes, write_source_before

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from compare_marts import compare_warehouses, report  # noqa: E402

# Which build wrote the warehouse, not what it computed.
BUILD_COLUMNS = frozenset({"version"})

pytestmark = pytest.mark.slow


def _build(source: Path, scans: Path, warehouse: Path, as_of: str, *, full_refresh: bool = False) -> Path:
    code = run_build(
        source=source,
        marketing_url=None,
        archive_url=None,
        scans=scans,
        warehouse=warehouse,
        as_of=as_of,
        full_refresh=full_refresh,
        write=lambda line: None,
    )
    assert code == 0, f"dangan build of {source} as of {as_of} failed"
    published = wh.published_file(warehouse)
    assert published is not None
    return published


def test_a_rebuild_after_a_days_changes_computes_what_a_full_refresh_computes(
    tiny_source: Path, tiny_as_of: str, tmp_path: Path
) -> None:
    """GIVEN a warehouse built from the tiny set as it stood before its newest 40 processes
    were written, and the full set built on top of it (the hourly build after a day)
    WHEN the same warehouse is rebuilt with --full-refresh at the same as_of
    THEN every mart is identical."""
    cutoff = cutoff_for_changes(tiny_source, processes=40)
    before = tmp_path / "before"
    changes = {change.table: change for change in write_source_before(tiny_source, before, cutoff)}
    assert changes["processes"].changed >= 40
    for table in ("process_steps", "documents", "archive_steps"):
        assert changes[table].changed > 0, table

    warehouse = tmp_path / "warehouse.duckdb"
    scans = tiny_source / "scans"
    _build(before, scans, warehouse, f"{cutoff:%Y-%m-%d %H:%M:%S}")
    hourly = _build(tiny_source, scans, warehouse, tiny_as_of)
    recomputed = _build(tiny_source, scans, warehouse, tiny_as_of, full_refresh=True)

    assert hourly != recomputed
    comparison = compare_warehouses(hourly, recomputed, ignore=BUILD_COLUMNS)
    assert comparison.marts, "the hourly build has no marts to compare"
    assert comparison.identical, report(comparison)
