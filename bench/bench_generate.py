"""Benchmark ``dangan generate``: wall time, peak memory and output volume per scale.

Each run happens in a fresh child process so that its peak RSS (``ru_maxrss`` of the
children) is its own. Results go to bench/results/generate.md.

    .venv/bin/python bench/bench_generate.py --runs tiny:none jiaxing:none tiny:200
"""

from __future__ import annotations

import argparse
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

ROOT = Path(__file__).resolve().parent.parent


def run_once(scale: str, seed: int, scans: str, out: Path) -> dict:
    code = (
        "import sys; from pathlib import Path; from ingest.synthetic.generate import generate; "
        f"generate({scale!r}, {seed}, Path({str(out)!r}), scans={scans!r})"
    )
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = os.getloadavg()[0]
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    wall = time.perf_counter() - began
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kib = usage.ru_maxrss
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
        f"seed {args.seed}; each run in a fresh process (peak RSS = the largest",
        "child so far). The machine is shared: CPU time (user + system) is the figure that does not",
        "depend on other work; the load average before/after each run is shown.",
        "",
        "| scale | --scans | format | rows (all tables) | wall time | CPU time | rows/CPU-s | peak RSS | load | folder tables "
        "| SQLite | scans |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r['scale']} | {r['scans']} | {r['format']} | {r['rows']:,} | {r['wall_s']:.1f} s | {r['cpu_s']:.1f} s "
            f"| {r['rows'] / r['cpu_s']:,.0f} | {r['peak_rss_mib']:.0f} MiB | {r['load'][0]:.1f}/{r['load'][1]:.1f} "
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
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
