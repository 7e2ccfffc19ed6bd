"""Benchmark ``dangan generate``: wall time, peak memory and output volume per scale.

Each run happens in a fresh child process so that its peak RSS (``ru_maxrss`` of the
children) is its own. Results go to bench/results/generate.md.

    .venv/bin/python bench/bench_generate.py --runs tiny:none jiaxing:none tiny:200
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent


NOTES = [
    "Notes:",
    "",
    "- Where the CPU goes (cProfile of a 50,000-process run with the Jiaxing organisation): the",
    "  SQLite copies (`executemany`) take about half, Parquet/CSV writing and Arrow typing about a",
    "  fifth, the vectorised process/step/document generation the rest. Formatting timestamps with",
    "  `pc.strftime` instead of an Arrow cast to string cost 6 s per million values (20x); replaced.",
    "- Memory is bounded by the chunk size (25,000 processes, 100,000 customers), not by the scale:",
    "  Zhejiang (10x) streams through the same chunks, so its peak RSS should match Jiaxing's.",
    "- Scans: rendering is per page (A4 at 200/300 dpi), about 50 ms CPU per file; `--scans auto`",
    "  for Jiaxing (2,000 documents + covers) adds a few minutes.",
]


def run_once(scale: str, seed: int, scans: str, out: Path) -> dict:
    code = (
        "import sys; from pathlib import Path; from scans.generate import generate_data_set; "
        f"generate_data_set({scale!r}, {seed}, Path({str(out)!r}), scans={scans!r}); "
        "import resource; print('peak_kib', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = os.getloadavg()[0]
    began = time.perf_counter()
    # Sample the child's RSS to show whether memory grows with the data (it should not).
    proc = psutil.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    samples: list[tuple[float, int]] = []
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            samples.append((time.perf_counter() - began, proc.memory_info().rss))
        time.sleep(0.5)
    stdout = proc.stdout.read() if proc.stdout else ""
    if proc.returncode != 0:
        raise RuntimeError(f"generate {scale} failed with exit code {proc.returncode}")
    wall = time.perf_counter() - began
    half = [rss for t, rss in samples if t < wall / 2] or [0]
    rest = [rss for t, rss in samples if t >= wall / 2] or [0]
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kib = int(stdout.split("peak_kib")[-1])
    cpu = (usage.ru_utime - usage_before.ru_utime) + (usage.ru_stime - usage_before.ru_stime)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    sizes = {
        "folder": sum(p.stat().st_size for sub in ("marketing", "archive") for p in (out / sub).iterdir()),
        "sqlite": sum((out / f"{s}.sqlite").stat().st_size for s in ("marketing", "archive")),
        "scans": sum(p.stat().st_size for p in (out / "scans").rglob("*") if p.is_file())
        if (out / "scans").exists()
        else 0,
    }
    return {
        "scale": scale,
        "scans": scans,
        "wall_s": wall,
        "cpu_s": cpu,
        "load": (load_before, os.getloadavg()[0]),
        "peak_rss_mib": peak_kib / 1024,
        "rss_first_half_mib": max(half) / 2**20,
        "rss_second_half_mib": max(rest) / 2**20,
        "rows": sum(manifest["counts"].values()),
        "counts": manifest["counts"],
        "scan_files": manifest.get("scan_files", 0),
        "sizes": sizes,
        "format": manifest["format"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--runs",
        nargs="+",
        default=["tiny:none", "jiaxing:none", "tiny:200"],
        help="scale:scans pairs, e.g. jiaxing:none tiny:200",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "generate.md"))
    args = parser.parse_args()
    results = []
    for run in args.runs:
        scale, _, scans = run.partition(":")
        work = Path(tempfile.mkdtemp(prefix=f"dangan-gen-{scale}-"))
        try:
            result = run_once(scale, args.seed, scans or "none", work / "set")
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(json.dumps(result, ensure_ascii=False))
        results.append(result)
    lines = [
        "# dangan generate",
        "",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}; "
        f"seed {args.seed}; each run in a fresh process (peak RSS = that",
        "child process itself). The machine is shared: CPU time (user + system) is the figure that does not",
        "depend on other work; the load average before/after each run is shown.",
        "",
        "| scale | --scans | format | rows (all tables) | wall time | CPU time | rows/CPU-s | peak RSS | RSS peak 1st/2nd half | load | folder tables "
        "| SQLite | scans |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r['scale']} | {r['scans']} | {r['format']} | {r['rows']:,} | {r['wall_s']:.1f} s | {r['cpu_s']:.1f} s "
            f"| {r['rows'] / r['cpu_s']:,.0f} | {r['peak_rss_mib']:.0f} MiB "
            f"| {r['rss_first_half_mib']:.0f}/{r['rss_second_half_mib']:.0f} MiB | {r['load'][0]:.1f}/{r['load'][1]:.1f} "
            f"| {r['sizes']['folder'] / 2**20:.1f} MiB "
            f"| {r['sizes']['sqlite'] / 2**20:.1f} MiB | {r['scan_files']} files |"
        )
    lines += [
        "",
        "Row counts:",
        "",
        "| table | " + " | ".join(f"{r['scale']} ({r['scans']})" for r in results) + " |",
    ]
    lines.append("| --- |" + " ---: |" * len(results))
    for table in results[0]["counts"]:
        lines.append(f"| {table} | " + " | ".join(f"{r['counts'][table]:,}" for r in results) + " |")
    lines += ["", *NOTES]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
