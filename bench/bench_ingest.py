"""Benchmark the source load (``ingest.load.load_system``): rows/s and peak memory.

Loads one generated data set (jiaxing scale by default) into a fresh DuckDB file from
its SQLite copies and from its Parquet folder, then once more incrementally from Parquet
(nothing changed: only the rows of the watermark's second are read again). Each load runs
in its own child process so that its peak RSS is its own. Results go to
bench/results/ingest.md.

    .venv/bin/python bench/bench_ingest.py --data /tmp/ingest_jx      # existing set
    .venv/bin/python bench/bench_ingest.py --data /tmp/ingest_jx --generate
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, resource, sys, time
from pathlib import Path
import duckdb
from ingest.contract import SYSTEMS
from ingest.load import load_system
from ingest.sources import DatabaseSource, FolderSource

kind, data, db, memory_limit, runs = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
con = duckdb.connect(db)
if memory_limit:
    con.execute(f"set memory_limit = '{memory_limit}'")
results = []
for run in range(runs):
    began = time.perf_counter()
    loads = []
    for system in SYSTEMS:
        source = FolderSource(data) if kind == "parquet" else DatabaseSource(f"sqlite:///{data / (system + '.sqlite')}")
        loads += load_system(con, system, source, run_id=f"bench-{kind}-{run}", full_refresh=run == 0)
    wall = time.perf_counter() - began
    results.append({
        "wall_s": wall,
        "source_rows": sum(load.source_rows for load in loads),
        "loaded_rows": sum(load.loaded_rows for load in loads),
        "rejected_rows": sum(load.rejected_rows for load in loads),
        "failed": [load.table for load in loads if load.status != "ok"],
        "per_table": {load.table: load.source_rows for load in loads},
    })
con.close()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"runs": results, "peak_rss_mib": peak}))
"""


def measure(kind: str, data: Path, memory_limit: str, runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        db = Path(tmp) / "warehouse.duckdb"
        completed = subprocess.run(
            [sys.executable, "-c", CHILD, kind, str(data), str(db), memory_limit, str(runs)],
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        result = json.loads(completed.stdout.strip().splitlines()[-1])
        result["db_mib"] = db.stat().st_size / 2**20 if db.exists() else 0
    return result


def generate(data: Path, scale: str, seed: int) -> None:
    code = (
        "from pathlib import Path; from ingest.synthetic.generate import generate_tables; "
        f"generate_tables({scale!r}, {seed}, Path({str(data)!r}), scans='none', table_format='parquet')"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("/tmp/ingest_jx"))
    parser.add_argument("--generate", action="store_true", help="generate the set first (jiaxing, no scans)")
    parser.add_argument("--scale", default="jiaxing")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--memory-limit", default="1GB", help="DuckDB memory_limit of the loading connection")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ingest.md")
    args = parser.parse_args()
    if args.generate:
        generate(args.data, args.scale, args.seed)
    manifest = json.loads((args.data / "manifest.json").read_text(encoding="utf-8"))

    results = {
        "sqlite": measure("sqlite", args.data, args.memory_limit, 1),
        "parquet": measure("parquet", args.data, args.memory_limit, 2),
    }
    rows = sum(manifest["counts"].values())
    lines = [
        "# Ingest benchmark",
        "",
        f"Source: generated `{manifest['scale']}` set (seed {manifest['seed']}, no scans), "
        f"{rows:,} rows in 14 tables; largest: documents {manifest['counts']['documents']:,}, "
        f"process_steps {manifest['counts']['process_steps']:,}.",
        f"Machine: {os.cpu_count()} cores shared with other work, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}; DuckDB `memory_limit` {args.memory_limit}. "
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, one run each, side by side.",
        "",
        "| load | rows read | rejected | wall s | rows/s | peak RSS MiB |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    label = {
        "sqlite": "full, SQLite (connectorx Arrow batches of 100,000)",
        "parquet": "full, Parquet folder",
    }
    for kind, result in results.items():
        first = result["runs"][0]
        lines.append(
            f"| {label[kind]} | {first['source_rows']:,} | {first['rejected_rows']:,} | {first['wall_s']:.1f} "
            f"| {first['source_rows'] / first['wall_s']:,.0f} | {result['peak_rss_mib']:,.0f} |"
        )
    again = results["parquet"]["runs"][1]
    lines.append(
        f"| incremental again, Parquet (nothing changed; tables without updated_at reread whole) | {again['source_rows']:,} | {again['rejected_rows']:,} "
        f"| {again['wall_s']:.1f} | — | (same process) |"
    )
    sqlite_s, parquet_s = results["sqlite"]["runs"][0]["wall_s"], results["parquet"]["runs"][0]["wall_s"]
    lines += [
        "",
        f"Parquet is {sqlite_s / parquet_s:.1f}× faster than SQLite for the same rows: DuckDB reads Parquet "
        "itself, while SQLite rows pass through the Python driver (cast to text on the server, "
        "batched into Arrow). Validation and the upsert are the same SQL for both.",
        f"Failed tables: sqlite {results['sqlite']['runs'][0]['failed'] or 'none'}, "
        f"parquet {results['parquet']['runs'][0]['failed'] or 'none'}.",
        "",
        "Notes:",
        "- Wall times depend on what else runs on the machine; the SQLite/Parquet ratio is the figure",
        "  to compare.",
        f"- Peak RSS stays near the DuckDB `memory_limit` ({args.memory_limit}) plus the Python process,",
        "  not the data size: staging and typed tables are buffer-managed and spill to disk, and a",
        "  database source holds one batch of rows in Python at a time.",
        "- The unchanged incremental reload reads only the rows stamped in the second of each table's",
        "  watermark plus the tables without `updated_at`, which are replaced whole.",
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
