"""The marts of the single intermediate layer equal those of the layout before it.

The restructuring into one intermediate layer (one model per fact, thin marts on top)
must not move a single figure. This builds the session's tiny data set with the code of
the last revision before the restructuring and compares every column of every mart that
revision has with the session warehouse, row for row. When a later change means to alter
a figure, move ``BASELINE_REVISION`` to the revision that changes it, in the same commit.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from compare_marts import build_with, compare_warehouses, extract_revision, report  # noqa: E402

# The last revision with the two parallel intermediate trees.
BASELINE_REVISION = "2817daafd9b2b3da2513786337bad4c999c31caa"

pytestmark = pytest.mark.slow


def _revision_present(revision: str) -> bool:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{revision}^{{commit}}"], capture_output=True
    )
    return done.returncode == 0


def test_every_mart_of_the_baseline_is_identical_after_the_restructuring(
    tiny_source: Path, tiny_as_of: str, tiny_warehouse: Path, tmp_path: Path
) -> None:
    """GIVEN the tiny data set built by today's code (the session warehouse)
    WHEN the same data is built, at the same as_of, by the baseline revision's code
    THEN every mart the baseline has exists with every column, and no row differs."""
    if not _revision_present(BASELINE_REVISION):
        pytest.skip(f"the baseline revision {BASELINE_REVISION[:7]} is not in this clone (shallow history)")

    tree = extract_revision(BASELINE_REVISION, tmp_path / "baseline")
    before = tmp_path / "baseline.duckdb"
    build_with(tree, tiny_source, before, tiny_as_of, tmp_path / "baseline-build.log")

    comparison = compare_warehouses(before, tiny_warehouse)

    assert comparison.marts, "the baseline build has no marts to compare"
    assert comparison.identical, report(comparison)
