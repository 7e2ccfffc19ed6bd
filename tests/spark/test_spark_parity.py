"""The same figures on both engines: the tiny set built on DuckDB and on local Spark.

The session's tiny warehouse (built by ``dangan build`` on DuckDB) hands its raw schema to
Spark as Parquet; dbt builds the project there with the ``spark`` target at the same
``as_of`` (seeds and models; the data tests are the DuckDB build's) and the marts come back
as Parquet into a DuckDB file. Every column of every mart of the DuckDB build is then
compared row for row (``except all`` both ways; floats rounded to 10 decimals, so within
1e-9), but the moments a build ran (``compare_marts.MOMENT_COLUMNS``). Deselect locally
with ``-m "not spark"``.
"""

from __future__ import annotations

import json
import shutil
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


def test_every_mart_built_on_spark_equals_the_duckdb_build(
    tiny_warehouse: Path, tiny_as_of: str, tmp_path: Path
) -> None:
    """GIVEN the tiny data set built on DuckDB (the session warehouse)
    WHEN its raw layer is built by the same dbt project on local Spark as of the same moment
    THEN every mart of the DuckDB build exists with every column, and no row differs."""
    # A copy: the session keeps the published file open, and DuckDB locks it per process.
    duckdb_build = tmp_path / "duckdb_build.duckdb"
    shutil.copyfile(published_file(tiny_warehouse), duckdb_build)
    spark_marts = tmp_path / "spark_marts.duckdb"
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "dagster_project.spark_engine",
            str(duckdb_build),
            str(tmp_path / "spark"),
            "--as-of",
            tiny_as_of,
            "--marts",
            str(spark_marts),
            "--no-tests",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, f"the Spark build failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    timings = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"Spark build of the tiny set: {time.perf_counter() - started:.0f} s wall; steps {timings}")

    comparison = compare_warehouses(published_file(tiny_warehouse), spark_marts)

    assert comparison.marts, "the DuckDB build has no marts to compare"
    assert comparison.identical, report(comparison)
