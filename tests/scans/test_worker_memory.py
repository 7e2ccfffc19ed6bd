"""A reader worker keeps the memory of one page for the next (``scans.reader.keep_freed_memory``)."""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scans.synthetic import write_document_scan

ROOT = Path(__file__).resolve().parents[2]

# In a process of its own (the allocator setting is for the whole process): a worker's set-up,
# then the same page read three times; prints the page faults of the last read.
READ_THRICE = """
import hashlib, json, resource, sys
from scans.reader import FileTask, read_scan_file, worker_init
path, keep = sys.argv[1], sys.argv[2] == "keep"
worker_init(60_000_000, 0, keep)
data = open(path, "rb").read()
task = FileTask(path, "page.png", hashlib.sha256(data).hexdigest(), len(data), "", 200, 60_000_000)
for _ in range(3):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    result = read_scan_file(task)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
print(json.dumps({"faults": faults, "status": result.pages[0].decode_status}))
"""


def _faults_of_a_page(path: Path, mode: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", READ_THRICE, str(path), mode],
        cwd=ROOT,
        env=dict(os.environ, OPENBLAS_NUM_THREADS="1"),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# Asked without calling it: the setting would bind the test runner itself.
HAS_MALLOPT = hasattr(ctypes.CDLL(None), "mallopt")


@pytest.mark.skipif(not HAS_MALLOPT, reason="the C library has no mallopt (not glibc)")
def test_worker_reads_a_page_again_in_the_memory_of_the_last(tmp_path: Path) -> None:
    """GIVEN a 200 dpi page (1654 x 2339 px: its decoded pixels, reduced copy and Laplacian
    are 1-8 MB blocks) read a third time WHEN the worker keeps freed memory THEN the read
    touches almost no new memory pages (under 500 faults), where a process with the
    allocator's defaults maps its large blocks afresh on every page (over 1,000 faults:
    the 3.9 MB page alone is ~950 pages of 4 KB). Both read the page's code."""
    path = tmp_path / "page.png"
    write_document_scan(path, "DG202411300072", fmt="png", dpi=200, seed=6)
    kept = _faults_of_a_page(path, "keep")
    default = _faults_of_a_page(path, "default")
    assert kept["status"] == default["status"] == "decoded"
    assert kept["faults"] < 500
    assert default["faults"] > 1000
