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
# then the files read twice in turn; prints the page faults of the second round.
READ_TWICE = """
import hashlib, json, resource, sys
from scans.reader import FileTask, read_scan_file, worker_init
keep, paths = sys.argv[1] == "keep", sys.argv[2:]
worker_init(60_000_000, 0, keep)
tasks = []
for path in paths:
    data = open(path, "rb").read()
    tasks.append(FileTask(path, path, hashlib.sha256(data).hexdigest(), len(data), "", 200, 60_000_000))
statuses = [page.decode_status for task in tasks for page in read_scan_file(task).pages]
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for task in tasks:
    read_scan_file(task)
print(json.dumps({"faults": resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before, "statuses": statuses}))
"""


def _second_round(paths: list[Path], mode: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", READ_TWICE, mode, *map(str, paths)],
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
def test_worker_reads_the_next_pages_in_the_memory_of_the_last(tmp_path: Path) -> None:
    """GIVEN a 200 dpi document as PNG, JPEG, 2-page TIFF and 2-page PDF (6 pages of 1654 x
    2339 px, each decoded page 3.9 MB) read once, then again WHEN the worker keeps freed
    memory THEN the second round touches almost no new memory pages (under 300 faults for
    the 6 pages), where a process with the allocator's defaults maps large blocks afresh
    (over 1,000: one page's pixels alone are ~950 pages of 4 KB). Both read every page
    alike: the code on each first page, none on the second ones."""
    paths = []
    for fmt, suffix in (("png", "png"), ("jpeg", "jpg"), ("tiff", "tif"), ("pdf", "pdf")):
        paths.append(tmp_path / f"doc.{suffix}")
        write_document_scan(paths[-1], "DG202411300072", fmt=fmt, pages=2, dpi=200, seed=6)
    kept = _second_round(paths, "keep")
    default = _second_round(paths, "default")
    expected = ["decoded", "decoded", "decoded", "no_barcode", "decoded", "no_barcode"]
    assert kept["statuses"] == default["statuses"] == expected
    assert kept["faults"] < 300
    assert default["faults"] > 1000
