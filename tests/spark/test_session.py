"""The local Spark session's settings reach the JVM it starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.spark]

ROOT = Path(__file__).resolve().parents[2]
# Run in a process of its own: the heap is fixed when the JVM starts, once per process.
PROBE = """
import sys
from pathlib import Path
from dagster_project.spark_engine import spark_session
session = spark_session(Path(sys.argv[1]))
print("max_heap", session.sparkContext._jvm.java.lang.Runtime.getRuntime().maxMemory())
session.stop()
"""


@pytest.mark.parametrize("setting, mib", [("600m", 600), ("1536m", 1536)])
def test_the_driver_memory_setting_is_the_jvms_heap(tmp_path: Path, setting: str, mib: int) -> None:
    """GIVEN DANGAN_SPARK_DRIVER_MEMORY WHEN the local Spark session starts
    THEN the JVM's maximum heap is that size (the JVM keeps a survivor space back, so a
    little less, never more). Neither size is a default (Spark 1g, ingest.settings 2g)."""
    env = {**os.environ, "DANGAN_SPARK_DRIVER_MEMORY": setting}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "spark-warehouse")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("max_heap "))
    heap_mib = int(line.split()[1]) / 2**20
    assert 0.85 * mib <= heap_mib <= mib
