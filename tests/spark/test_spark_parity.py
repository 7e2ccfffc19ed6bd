"""The same figures on both engines: the tiny set built on DuckDB and on local Spark.

``dangan build --engine spark`` (the command, in a process of its own) loads the tiny set
into a warehouse of its own; its dbt step hands the raw layer to local Spark as Parquet,
dbt builds every seed, model and data test there with the ``spark`` target at the same
``as_of``, and the marts come back into the build copy, which is published. Every column
of every mart of the DuckDB build (the session warehouse) is then compared row for row
(``except all`` both ways; floats rounded to 10 decimals, so within 1e-9), but the moments
a build ran (``compare_marts.MOMENT_COLUMNS``). Deselect locally with ``-m "not spark"``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.warehouse import published_file

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from compare_marts import compare_warehouses, report  # noqa: E402

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def test_dangan_build_on_spark_equals_the_duckdb_build(
    tiny_source: Path, tiny_warehouse: Path, tiny_as_of: str, tmp_path: Path
) -> None:
    """GIVEN the tiny data set built on DuckDB (the session warehouse)
    WHEN ``dangan build --engine spark`` builds the same set as of the same moment
    THEN its data tests ran on Spark and none failed, and every mart of the DuckDB build
    exists in the published warehouse with every column, and no row differs."""
    warehouse = tmp_path / "spark" / "warehouse.duckdb"
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "dagster_project.cli",
            "build",
            "--engine",
            "spark",
            "--source",
            str(tiny_source),
            "--scans",
            str(tiny_source / "scans"),
            "--warehouse",
            str(warehouse),
            "--as-of",
            tiny_as_of,
            "--verbose",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"dangan build --engine spark failed:\n{output[-6000:]}"
    print(f"dangan build --engine spark of the tiny set: {time.perf_counter() - started:.0f} s wall")
    tests = re.search(r"dbt tests: (\d+) passed, (\d+) warned, (\d+) failed", output)
    assert tests, f"no count of data tests in the output:\n{output[-3000:]}"
    assert int(tests.group(1)) > 0 and tests.group(3) == "0", tests.group(0)
    assert "(dbt on spark)" in output

    comparison = compare_warehouses(published_file(tiny_warehouse), published_file(warehouse))

    assert comparison.marts, "the DuckDB build has no marts to compare"
    assert comparison.identical, report(comparison)
