"""Benchmark a SQLite source read two ways: connectorx Arrow batches against SQLAlchemy rows.

Stages every contract table of both systems (``DatabaseSource.stage``: the read into the
DuckDB staging table, cast to text, before validation) from the same SQLite files, once
with ``reader="connectorx"`` and once with ``reader="sqlalchemy"``, in one run, each read
in its own child process so that its peak RSS is its own; the readers alternate over the
rounds. The data sets: the generated ``tiny`` set, and larger copies of it in which every
table holds its rows ``--repeat`` times (keys repeat, which the read does not look at). The
staging connection has a DuckDB ``memory_limit``, so that peak RSS shows what the read
itself holds. Results go to bench/results/sources.md.

    .venv/bin/python bench/bench_sources.py                   # tiny (seed 7), tiny x 100, tiny x 400
    .venv/bin/python bench/bench_sources.py --data /tmp/tiny --repeat 200 --rounds 3
    .venv/bin/python bench/bench_sources.py --data <jiaxing set> --repeat   # the set alone
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READERS = ("connectorx", "sqlalchemy")
SYSTEMS = ("marketing", "archive")

CHILD = """
import json, resource, sys, time
from pathlib import Path
import duckdb
from ingest.contract import TABLES
from ingest.sources import DatabaseSource

reader, data, batch_rows, memory_limit = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
con = duckdb.connect()
con.execute(f"set memory_limit = '{memory_limit}'")
tables = {}
began = time.perf_counter()
for table in TABLES:
    source = DatabaseSource(f"sqlite:///{data / (table.system + '.sqlite')}", batch_rows=batch_rows, reader=reader)
    start = time.perf_counter()
    staged = source.stage(con, table, "stage", since=None)
    tables[table.name] = {"rows": staged.rows, "seconds": time.perf_counter() - start, "reader": staged.reader}
    con.execute("drop table stage")
    source.dispose()
wall = time.perf_counter() - began
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"wall_s": wall, "tables": tables, "peak_rss_mib": peak}))
"""


def measure(reader: str, data: Path, batch_rows: int, memory_limit: str) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", CHILD, reader, str(data), str(batch_rows), memory_limit],
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    if {table["reader"] for table in result["tables"].values()} != {reader}:
        raise RuntimeError(f"{data}: expected every table read with {reader}, got {result['tables']}")
    return result


def generate(out: Path, seed: int) -> None:
    subprocess.run(
        [str(Path(sys.executable).parent / "dangan"), "generate", "--scale", "tiny", "--seed", str(seed)]
        + ["--scans", "none", "--out", str(out)],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )


def repeated(source: Path, out: Path, times: int) -> Path:
    """SQLite copies of ``source`` whose every table holds its rows ``times`` times."""
    out.mkdir(parents=True, exist_ok=True)
    for system in SYSTEMS:
        target = out / f"{system}.sqlite"
        target.unlink(missing_ok=True)
        con = sqlite3.connect(target)
        con.execute("attach database ? as src", (str(source / f"{system}.sqlite"),))
        tables = [row[0] for row in con.execute("select name from src.sqlite_master where type = 'table'")]
        if not tables:
            raise RuntimeError(f"{source / f'{system}.sqlite'} holds no tables")
        for name in tables:
            # The declared types, without the keys and constraints the repeated rows would break.
            columns = con.execute(f'pragma src.table_info("{name}")').fetchall()
            con.execute(f'create table main."{name}" ({", ".join(f"""{c[1]} {c[2]}""" for c in columns)})')
            for _ in range(times):
                con.execute(f'insert into main."{name}" select * from src."{name}"')
        con.commit()
        con.execute("detach database src")
        con.close()
    return out


def summarise(label: str, runs: dict[str, list[dict]]) -> tuple[list[str], dict]:
    """One table row per reader (median wall over the rounds), and the documents table alone."""
    rows = sum(table["rows"] for table in runs["connectorx"][0]["tables"].values())
    lines = []
    speed = {}
    for reader in READERS:
        walls = [run["wall_s"] for run in runs[reader]]
        wall = statistics.median(walls)
        docs = statistics.median(run["tables"]["documents"]["seconds"] for run in runs[reader])
        doc_rows = runs[reader][0]["tables"]["documents"]["rows"]
        speed[reader] = (rows / wall, doc_rows / docs)
        peak = max(run["peak_rss_mib"] for run in runs[reader])
        lines.append(
            f"| {label} | {reader} | {rows:,} | {wall:.2f} ({', '.join(f'{w:.2f}' for w in walls)}) "
            f"| {rows / wall:,.0f} | {doc_rows / docs:,.0f} | {peak:,.0f} |"
        )
    ratio = speed["connectorx"][0] / speed["sqlalchemy"][0]
    doc_ratio = speed["connectorx"][1] / speed["sqlalchemy"][1]
    lines.append(
        f"| {label} | **ratio connectorx / SQLAlchemy** | | | **{ratio:.1f}×** | **{doc_ratio:.1f}×** | |"
    )
    return lines, {"rows": rows, "ratio": ratio, "documents_ratio": doc_ratio}


def scale_of(data: Path) -> str:
    """The generated set's scale, from its manifest ("tiny" when it has none)."""
    try:
        return str(json.loads((data / "manifest.json").read_text(encoding="utf-8"))["scale"])
    except (OSError, KeyError, ValueError):
        return "tiny"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--data",
        type=Path,
        help="a generated set of any scale (default: generate tiny); named by its manifest",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--repeat",
        type=int,
        nargs="*",
        default=[100, 400],
        help="copies of every table, one larger set each (none: the set alone)",
    )
    parser.add_argument("--memory-limit", default="1GB", help="DuckDB memory_limit of the staging connection")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batch-rows", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "sources.md")
    args = parser.parse_args()

    load_before = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    with tempfile.TemporaryDirectory(prefix="bench-sources-") as tmp:
        tiny = args.data
        if tiny is None:
            tiny = Path(tmp) / "tiny"
            generate(tiny, args.seed)
        name = scale_of(tiny)
        sets = [(name, tiny)]
        sets += [
            (f"{name} × {times}", repeated(tiny, Path(tmp) / f"x{times}", times)) for times in args.repeat
        ]
        table = [
            "| data | reader | rows | seconds, median (rounds) | rows/s | documents rows/s | peak RSS MiB |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        figures = {}
        for label, data in sets:
            runs: dict[str, list[dict]] = {reader: [] for reader in READERS}
            for round_ in range(args.rounds):
                order = READERS if round_ % 2 == 0 else tuple(reversed(READERS))
                for reader in order:
                    runs[reader].append(measure(reader, data, args.batch_rows, args.memory_limit))
            lines, figures[label] = summarise(label, runs)
            table += lines
    load_after = os.getloadavg()

    lines = [
        "# Database source read: connectorx against SQLAlchemy rows (SQLite)",
        "",
        f"Measured {started}, {os.cpu_count()} cores shared with other work (load average "
        f"{load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end), {platform.system()} "
        f"{platform.machine()}, Python {platform.python_version()}, batches of {args.batch_rows:,} rows, "
        f"DuckDB `memory_limit` {args.memory_limit}, "
        f"{args.rounds} rounds, readers alternating, each read in its own process.",
        "What is timed: `DatabaseSource.stage` of all 14 contract tables from the same SQLite files into "
        "a DuckDB staging table, every column cast to text by SQLite (no validation, no load).",
        "",
        *table,
        "",
        "Peak RSS is the whole child process (Python, DuckDB, the libraries), the larger of the rounds.",
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
