"""What a build costs, against the floor of merely copying the sources into DuckDB.

One generated data set (folder source), side by side in one run, each step in a process of
its own (wall time and peak resident memory of that process and its children):

- floor: plain DuckDB ``CREATE TABLE AS`` over the source files (no validation, no models);
- plain: the same work as ``dangan build`` without Dagster: ingest, calendar and scans in
  Python, ``dbt build`` through the same in-process runner, publish;
- full: ``dangan build`` into an empty warehouse;
- unchanged: ``dangan build`` again an hour later, nothing changed in the sources;
- daily: ``dangan build`` on a warehouse built from the same folder taken back before its
  newest processes were written (``--changed`` of them, a working day's at jiaxing scale),
  i.e. an hourly build after a day's changes; its marts are compared with the full
  build's (same data, same ``as_of``).

Usage: python bench/bench_build.py [--scale tiny|jiaxing] [--seed 42] [--data DIR]
       [--changed N] [--out bench/results/build-<scale>.md]
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
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ingest import settings  # noqa: E402

settings.disable_telemetry()

CHANGED_PROCESSES = {"tiny": 40, "jiaxing": 2000, "zhejiang": 20000}
FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Measured:
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float


def measure(command: list[str], log: Path) -> Measured:
    """Run ``command`` to completion; its wall time, and the CPU time (user and system) and
    peak RSS of it and its children. CPU time is the figure to compare on a shared machine:
    other work on the cores stretches the wall time, much less the CPU a step needs."""
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(command[:4])} ... failed with exit code {code}; see {log}")
    return Measured(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def floor(source: Path, database: Path) -> None:
    """Every source file into a table of one new DuckDB file, nothing else."""
    import duckdb

    con = duckdb.connect(str(database))
    for system in ("marketing", "archive"):
        for path in sorted((source / system).iterdir()):
            reader = (
                f"read_parquet('{path}')"
                if path.suffix == ".parquet"
                else f"read_csv('{path}', header = true)"
            )
            con.execute(f"create table {system}__{path.stem} as select * from {reader}")
    con.close()


def plain(source: Path, warehouse: Path, as_of: str) -> None:
    """The build's work without Dagster: the same functions and the same dbt runner."""
    import duckdb

    from dagster_project.defs.dbt.assets import BUILD_ARGS
    from dagster_project.defs.dbt.runner import invoke
    from ingest import warehouse as wh
    from ingest.calendar import load_calendar
    from ingest.contract import SYSTEMS, create_raw_tables
    from ingest.load import load_system
    from ingest.sources import FolderSource
    from scans.ingest import ingest_scans

    work = wh.prepare_build_copy(warehouse)
    con = duckdb.connect(str(work))
    create_raw_tables(con)
    run_id = work.stem
    for system in SYSTEMS:
        load_system(con, system, FolderSource(source), run_id=run_id)
    load_calendar(con, datetime.strptime(as_of, FORMAT))
    ingest_scans(
        con, source / "scans", barcode_pattern=settings.BARCODE_PATTERN, workers=settings.SCAN_WORKERS
    )
    con.close()
    variables = {"as_of": as_of, "build_version": work.name, "dangan_version": version("dangan")}
    run = invoke(
        [*BUILD_ARGS, "--vars", json.dumps(variables)],
        work,
        target_path=Path(tempfile.mkdtemp()) / "target",
    )
    if not run.success:
        raise SystemExit(f"dbt build failed: {run.failures or run.exception}")
    wh.publish(work, warehouse)


def dangan(source: Path, warehouse: Path, as_of: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "dagster_project.cli",
        "build",
        "--source",
        str(source),
        "--scans",
        str(source / "scans"),
        "--warehouse",
        str(warehouse),
        "--as-of",
        as_of,
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="tiny")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data", type=Path, help="an already generated folder of this scale and seed")
    parser.add_argument("--changed", type=int, help="processes changed in the daily rebuild")
    parser.add_argument("--work", type=Path, help="where the warehouses go (default: a temporary folder)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--step", choices=("floor", "plain"), help=argparse.SUPPRESS)
    parser.add_argument("--args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.step == "floor":
        floor(Path(args.args[0]), Path(args.args[1]))
        return 0
    if args.step == "plain":
        plain(Path(args.args[0]), Path(args.args[1]), args.args[2])
        return 0

    from compare_marts import compare_warehouses, report

    from dagster_project.defs.dbt.resources import prepare_manifest
    from ingest.synthetic.changes import cutoff_for_changes, write_source_before
    from scans.generate import generate_data_set

    prepare_manifest()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-build-"))
    work.mkdir(parents=True, exist_ok=True)
    source = args.data or generate_data_set(scale=args.scale, seed=args.seed, out=work / "source")
    as_of = json.loads((source / "manifest.json").read_text(encoding="utf-8"))["as_of"]
    an_hour_later = (datetime.strptime(as_of, FORMAT) + timedelta(hours=1)).strftime(FORMAT)
    changed = args.changed or CHANGED_PROCESSES.get(args.scale, 40)
    cutoff = cutoff_for_changes(source, processes=changed)
    changes = write_source_before(source, work / "before", cutoff)
    me = [sys.executable, str(Path(__file__).resolve())]

    results: dict[str, Measured] = {}

    def step(name: str, command: list[str]) -> None:
        results[name] = measure(command, work / f"{name}.log")
        print(
            f"{name}: {results[name].seconds:.1f} s, CPU {results[name].cpu_seconds:.1f} s, peak RSS {results[name].peak_rss_mb:.0f} MB",
            flush=True,
        )

    step("floor", [*me, "--step", "floor", "--args", str(source), str(work / "floor.duckdb")])
    step("plain", [*me, "--step", "plain", "--args", str(source), str(work / "plain" / "w.duckdb"), as_of])
    step("full", dangan(source, work / "full" / "w.duckdb", as_of))
    step("unchanged", dangan(source, work / "full" / "w.duckdb", an_hour_later))
    measure(
        dangan(work / "before", work / "daily" / "w.duckdb", cutoff.strftime(FORMAT)), work / "before.log"
    )
    step("daily", dangan(source, work / "daily" / "w.duckdb", as_of))
    comparison = compare_warehouses(
        work / "plain" / "w.duckdb", work / "daily" / "w.duckdb", ignore=frozenset({"version", "frozen_at"})
    )

    base = results["floor"].seconds
    cpu_base = results["floor"].cpu_seconds
    load = os.getloadavg()
    changed_rows = ", ".join(f"{c.table} {c.changed:,}" for c in changes if c.changed)
    lines = [
        f"# Build at `{args.scale}` scale against the floor",
        "",
        f"Measured {datetime.now():%Y-%m-%d %H:%M}, {platform.machine()}, {os.cpu_count()} cores"
        f" (shared; load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}), scale"
        f" `{args.scale}` seed {args.seed}, as_of {as_of}, one run, each step a process of its own.",
        "",
        "| work | seconds | ratio to floor | CPU seconds | CPU ratio to floor | peak RSS (MB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    labels = {
        "floor": "floor: DuckDB `CREATE TABLE AS` over the source files",
        "plain": "the build's work without Dagster (same functions, same dbt runner)",
        "full": "full `dangan build` into an empty warehouse",
        "unchanged": "`dangan build` an hour later, nothing changed",
        "daily": f"`dangan build` after a day's changes ({changed:,} processes)",
    }
    for name, label in labels.items():
        measured = results[name]
        lines.append(
            f"| {label} | {measured.seconds:.1f} | {measured.seconds / base:.2f}"
            f" | {measured.cpu_seconds:.1f} | {measured.cpu_seconds / cpu_base:.2f} | {measured.peak_rss_mb:,.0f} |"
        )
    overhead = results["full"].seconds - results["plain"].seconds
    cpu_overhead = results["full"].cpu_seconds - results["plain"].cpu_seconds
    lines += [
        "",
        f"Dagster's overhead over the same work done plainly: {overhead:+.1f} s ({cpu_overhead:+.1f} s of CPU).",
        f"The day's changes (rows new or updated after {cutoff:%Y-%m-%d %H:%M:%S}): {changed_rows}.",
        "Marts after the daily rebuild against the plain full build of the same data at the same as_of: "
        + ("identical." if comparison.identical else "DIFFERENT:\n\n" + report(comparison)),
        "",
    ]
    out = args.out or ROOT / "bench" / "results" / f"build-{args.scale}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0 if comparison.identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
