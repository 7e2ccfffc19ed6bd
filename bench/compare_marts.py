"""Do two revisions of the project build the same marts from the same data?

A refactoring must leave every figure where it was. This builds one generated data set
twice, at the same ``as_of``, with the code of a *before* revision (extracted from git)
and with the working tree, then compares every column of every mart the *before* build
has, row for row (``except all`` both ways, so duplicates and nulls count). Columns the
*after* build adds are reported, not compared; neither are the moments a build read a
file or ran (``MOMENT_COLUMNS``), which differ between any two builds. Floating-point
columns are compared rounded to ``FLOAT_DECIMALS`` decimals (summation-order noise).

Usage:
    python bench/compare_marts.py --before REV [--scale tiny] [--seed 42] [--work DIR] [--data DIR]

Exit status 0 when every mart is identical, 1 otherwise; the report goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# When a build ran or read a file, and which build it was (build_info.version, the build
# copy's name), not what it computed: differs between any two builds.
MOMENT_COLUMNS = frozenset(
    {"read_at", "built_at", "first_seen_at", "last_seen_at", "removed_at", "scans_read_at", "version"}
)
# Floating-point columns are compared to this many decimals: a sum of doubles depends on the
# order its rows are added in, which a restructured query may change (last-bit noise).
FLOAT_DECIMALS = 10
FLOAT_TYPES = frozenset({"DOUBLE", "FLOAT", "REAL"})


@dataclass(frozen=True)
class MartDifference:
    table: str
    missing_columns: tuple[str, ...] = ()
    only_before: int = 0
    only_after: int = 0
    rows_before: int = 0
    rows_after: int = 0
    added_columns: tuple[str, ...] = ()

    @property
    def identical(self) -> bool:
        return not self.missing_columns and self.only_before == 0 and self.only_after == 0


@dataclass
class Comparison:
    marts: list[MartDifference] = field(default_factory=list)
    missing_tables: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not self.missing_tables and all(mart.identical for mart in self.marts)


def extract_revision(rev: str, into: Path) -> Path:
    """The tree of ``rev`` as plain files (no checkout of the working tree is touched)."""
    into.mkdir(parents=True, exist_ok=True)
    archive = into.with_suffix(".tar")
    with archive.open("wb") as out:
        subprocess.run(["git", "-C", str(ROOT), "archive", rev], stdout=out, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    archive.unlink()
    return into


def run_dangan(tree: Path, args: list[str], log: Path) -> float:
    """``dangan ARGS`` with the code of ``tree`` first on the import path; seconds taken."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    env.pop("DANGAN_DBT_PROJECT_DIR", None)
    started = time.perf_counter()
    with log.open("w") as out:
        done = subprocess.run(
            [sys.executable, "-m", "dagster_project.cli", *args],
            cwd=tree,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    if done.returncode != 0:
        raise RuntimeError(f"dangan {' '.join(args)} in {tree} failed; see {log}")
    return time.perf_counter() - started


def compare_warehouses(before: Path, after: Path, ignore: frozenset[str] = frozenset()) -> Comparison:
    """Every mart of ``before`` against ``after``; ``ignore`` names more columns not to compare."""
    import duckdb

    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.execute(f"attach '{before}' as before_wh (read_only)")
    con.execute(f"attach '{after}' as after_wh (read_only)")

    def columns(catalog: str) -> dict[str, list[str]]:
        rows = con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_catalog = ? and table_schema = 'marts' order by table_name, ordinal_position",
            [catalog],
        ).fetchall()
        tables: dict[str, list[str]] = {}
        for table, column, data_type in rows:
            tables.setdefault(table, []).append(column)
            if data_type in FLOAT_TYPES:
                float_columns.add((table, column))
        return tables

    float_columns: set[tuple[str, str]] = set()

    before_tables, after_tables = columns("before_wh"), columns("after_wh")
    result = Comparison()
    for table, before_columns in sorted(before_tables.items()):
        if table not in after_tables:
            result.missing_tables.append(table)
            continue
        after_columns = after_tables[table]
        missing = tuple(column for column in before_columns if column not in after_columns)
        added = tuple(column for column in after_columns if column not in before_columns)
        shared = ", ".join(
            f'round("{column}", {FLOAT_DECIMALS})' if (table, column) in float_columns else f'"{column}"'
            for column in before_columns
            if column in after_columns and column not in MOMENT_COLUMNS | ignore
        )

        def count(sql: str) -> int:
            return con.execute(sql).fetchone()[0]

        result.marts.append(
            MartDifference(
                table=table,
                missing_columns=missing,
                added_columns=added,
                rows_before=count(f"select count(*) from before_wh.marts.{table}"),
                rows_after=count(f"select count(*) from after_wh.marts.{table}"),
                only_before=count(
                    f"select count(*) from (select {shared} from before_wh.marts.{table} "
                    f"except all select {shared} from after_wh.marts.{table})"
                ),
                only_after=count(
                    f"select count(*) from (select {shared} from after_wh.marts.{table} "
                    f"except all select {shared} from before_wh.marts.{table})"
                ),
            )
        )
    con.close()
    return result


def build_with(tree: Path, data: Path, warehouse: Path, as_of: str, log: Path) -> float:
    """``dangan build`` of the folder source ``data`` (and its scans) with the code of ``tree``."""
    args = ["build", "--source", str(data), "--scans", str(data / "scans")]
    return run_dangan(tree, [*args, "--warehouse", str(warehouse), "--as-of", as_of], log)


def build_both(
    before_rev: str, scale: str, seed: int, work: Path, data: Path | None = None
) -> tuple[Comparison, dict]:
    """Both builds of one data set (generated by the *before* code unless ``data`` is given),
    one after the other, each from an empty warehouse; seconds per step in the dict."""
    before_tree = extract_revision(before_rev, work / "before")
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    timings = {}
    if data is None:
        data = work / "data"
        timings["generate"] = run_dangan(
            before_tree,
            ["generate", "--scale", scale, "--seed", str(seed), "--out", str(data)],
            logs / "generate.log",
        )
    as_of = json.loads((data / "manifest.json").read_text())["as_of"]
    for name, tree in (("before", before_tree), ("after", ROOT)):
        timings[name] = build_with(tree, data, work / f"{name}.duckdb", as_of, logs / f"build-{name}.log")
    return compare_warehouses(work / "before.duckdb", work / "after.duckdb"), timings


def report(comparison: Comparison) -> str:
    lines = [
        "| mart | rows before | rows after | only before | only after | result |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for mart in comparison.marts:
        verdict = "identical" if mart.identical else "DIFFERENT"
        if mart.missing_columns:
            verdict += f" (columns gone: {', '.join(mart.missing_columns)})"
        if mart.added_columns:
            verdict += f"; added: {', '.join(mart.added_columns)}"
        lines.append(
            f"| {mart.table} | {mart.rows_before} | {mart.rows_after} | {mart.only_before} "
            f"| {mart.only_after} | {verdict} |"
        )
    for table in comparison.missing_tables:
        lines.append(f"| {table} | | | | | MISSING after |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="git revision whose marts are the reference")
    parser.add_argument("--scale", default="tiny")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", default=None, help="working folder (default: a temporary one)")
    parser.add_argument("--data", default=None, help="an already generated data set to build instead")
    args = parser.parse_args(argv)
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="dangan-compare-"))
    data = Path(args.data) if args.data else None
    comparison, timings = build_both(args.before, args.scale, args.seed, work, data)
    what = f"data {data}" if data else f"{args.scale} seed {args.seed}"
    print(f"before {args.before} vs working tree, {what}, work {work}")
    print(", ".join(f"{name} {seconds:.0f} s" for name, seconds in timings.items()))
    print(report(comparison))
    print("every mart identical" if comparison.identical else "MARTS DIFFER")
    return 0 if comparison.identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
