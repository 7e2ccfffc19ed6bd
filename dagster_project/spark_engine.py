"""The dbt project built on Apache Spark, with the DuckDB warehouse as the one interface.

A province or the national roll-up does not fit one machine; the business rules are dbt
models that run unchanged on Spark (the dispatch macros of ``dbt/macros/engine_functions.sql``).
The hand-over is Parquet both ways, so the dashboard and the analysts keep reading DuckDB:

1. every table of the warehouse's ``raw`` schema is written as one Parquet file per table
   (``export_raw``; a local folder or an object-store URI DuckDB can write to);
2. Spark declares each file as table ``raw.<name>`` (``register_raw``) and dbt builds the
   project with the ``spark`` target of ``dbt/profiles.yml`` (local Spark inside this
   process: ``method: session``), every model whole into a catalogue of this run;
3. every table of Spark's ``marts`` schema is written back as Parquet (``export_marts``) and
   loaded into the DuckDB file's ``marts`` schema (``load_marts``).

``dangan build --engine spark`` does this in its dbt step, on the build copy (the marts are
loaded into the same file, then published as any build); it runs it as
``python -m dagster_project.spark_engine WAREHOUSE WORK --as-of ... --marts WAREHOUSE``, so
that the JVM lives and dies with that process.

Every Spark build computes every model whole from the raw layer: Spark's catalogue lives
as long as the process, so the frozen months and the history of the DuckDB warehouse are
not carried over (they stay in the DuckDB file, untouched). Keeping them on a cluster needs
a persistent metastore with Delta or Iceberg tables (``docs/SCALE.md``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from importlib.metadata import version
from pathlib import Path
from typing import Any

import duckdb

from ingest import settings

RAW_SCHEMA = "raw"
MARTS_SCHEMA = "marts"
# Local Spark's settings; the same as the spark target's server_side_parameters in
# dbt/profiles.yml (dbt's session reuses the session started here), and the JVM's heap,
# which only the process starting the JVM can set.
SESSION_SETTINGS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.catalogImplementation": "in-memory",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.timestampType": "TIMESTAMP_NTZ",
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.memory": settings.SPARK_DRIVER_MEMORY,
}
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
PROGRESS_EVERY_S = 10.0
# dbt's node outcomes, as the DuckDB build's dbt step counts its data tests.
TEST_OUTCOMES = {"pass": "passed", "warn": "warned", "fail": "failed", "error": "failed"}


class SparkBuildError(RuntimeError):
    """dbt on Spark did not build every node; the message names them and the log."""


def _checked_name(name: str, where: str) -> str:
    """Table names go into SQL text: only plain lower-case identifiers are accepted."""
    if not _NAME.match(name):
        raise ValueError(f"{where}: table name {name!r} is not a plain identifier")
    return name


def _location(root: str | Path, name: str) -> str:
    """``root/name.parquet`` for a local folder or an object-store URI (``s3://bucket/x``)."""
    text = str(root)
    if "://" in text:
        return f"{text.rstrip('/')}/{name}.parquet"
    return str(Path(text) / f"{name}.parquet")


def export_raw(warehouse: Path, root: str | Path) -> list[str]:
    """Every table of ``raw`` in ``warehouse`` as ``root/<table>.parquet``; the table names."""
    if "://" not in str(root):
        Path(root).mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [
            _checked_name(row[0], f"{warehouse} schema {RAW_SCHEMA}")
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = ? order by table_name",
                [RAW_SCHEMA],
            ).fetchall()
        ]
        for table in tables:
            target = _location(root, table).replace("'", "''")
            con.execute(f"copy {RAW_SCHEMA}.{table} to '{target}' (format parquet)")
    finally:
        con.close()
    return tables


def spark_session(warehouse_dir: Path):
    """The local Spark session of this process (no UI port, quiet log), tables under ``warehouse_dir``."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    # Local mode: the driver listens on the loopback only.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master("local[2]").appName("dangan")
    for key, value in SESSION_SETTINGS.items():
        builder = builder.config(key, value)
    builder = builder.config("spark.sql.warehouse.dir", str(warehouse_dir))
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def register_raw(session, root: str | Path, tables: list[str]) -> None:
    """Each Parquet file of ``export_raw`` as Spark table ``raw.<table>``, before any model runs."""
    session.sql(f"create database if not exists {RAW_SCHEMA}")
    for table in tables:
        location = _location(root, _checked_name(table, "register_raw")).replace("'", "\\'")
        session.sql(f"drop table if exists {RAW_SCHEMA}.{table}")
        session.sql(f"create table {RAW_SCHEMA}.{table} using parquet location '{location}'")


class DbtProgress:
    """dbt's node results as the lines the DuckDB build's dbt step writes: ``dbt: N/M done
    (node)`` every few seconds, ``dbt <node>: <status>`` for a node that did not pass, and
    the count of data tests by outcome (``tests_line``)."""

    def __init__(self, total: int | None, write=print) -> None:
        self.total = total
        self.write = write
        self.done = 0
        self.tests: Counter[str] = Counter()
        self.last = time.monotonic()

    def __call__(self, event: Any) -> None:
        if event.info.name != "NodeFinished":
            return
        node = event.data.node_info
        self.done += 1
        status = str(node.node_status)
        if node.unique_id.startswith("test."):
            self.tests[TEST_OUTCOMES.get(status, "skipped")] += 1
        if status not in ("success", "pass"):
            self.write(f"dbt {node.node_name}: {status}")
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY_S:
            self.last = now
            total = f"/{self.total}" if self.total else ""
            self.write(f"dbt: {self.done}{total} done ({node.node_name})")

    def tests_line(self) -> str:
        tests = self.tests
        line = f"dbt tests: {tests['passed']} passed, {tests['warned']} warned, {tests['failed']} failed"
        return line + (f", {tests['skipped']} skipped" if tests["skipped"] else "")


def run_dbt(
    as_of: str,
    build_version: str,
    target_path: Path,
    with_tests: bool = True,
    *,
    total: int | None = None,
    write=print,
) -> None:
    """``dbt build`` of the project on the spark target, in this process (same session),
    with the vars of a DuckDB build (``build_version``: the warehouse version whose raw layer
    is built); the data tests on every row, the unit tests left to development and CI as
    in a DuckDB build; seeds and models only when ``with_tests`` is false. ``total``: the
    nodes expected, for the progress lines ``write`` gets."""
    from dbt.cli.main import dbtRunner

    settings.disable_telemetry()
    project = settings.DBT_PROJECT_DIR
    # The duckdb target's path is rendered with the profile; it is not opened here.
    os.environ.setdefault("DANGAN_DBT_DB", str(target_path / "unused.duckdb"))
    args = [
        "build",
        "--target",
        "spark",
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target-path",
        str(target_path),
        "--log-path",
        str(target_path),
        "--vars",
        json.dumps(
            {
                "as_of": as_of,
                "build_version": build_version,
                "dangan_version": version("dangan"),
                "test_rows": "all",
            }
        ),
        "--quiet",
        "--exclude-resource-type",
        "unit_test",
    ]
    if not with_tests:
        args += ["--resource-type", "seed", "--resource-type", "model"]
    progress = DbtProgress(total, write)
    result = dbtRunner(callbacks=[progress]).invoke(args)
    if with_tests:
        write(progress.tests_line())
    if result.success:
        write(f"dbt: {progress.done} models, seeds and tests on Spark (ok)")
        return
    failed = []
    for node in getattr(result.result, "results", None) or []:
        if str(node.status) not in {"success", "pass", "warn", "skipped"}:
            failed.append(f"{node.node.unique_id} ({node.status}): {(node.message or '')[:300]}")
    detail = "\n".join(failed) if failed else repr(result.exception)
    raise SparkBuildError(f"dbt build on Spark failed; log in {target_path / 'dbt.log'}:\n{detail}")


def export_marts(session, root: Path) -> list[str]:
    """Every table of Spark's ``marts`` schema as ``root/<table>`` (a Parquet folder)."""
    root.mkdir(parents=True, exist_ok=True)
    tables = sorted(
        _checked_name(row.tableName, f"Spark schema {MARTS_SCHEMA}")
        for row in session.sql(f"show tables in {MARTS_SCHEMA}").collect()
        if not row.isTemporary
    )
    for table in tables:
        session.table(f"{MARTS_SCHEMA}.{table}").coalesce(1).write.mode("overwrite").parquet(
            str(root / table)
        )
    return tables


def load_marts(warehouse: Path, root: Path, tables: list[str]) -> None:
    """The Parquet marts of ``export_marts`` as tables of ``marts`` in the DuckDB ``warehouse``.

    Every name is qualified with the file's catalogue: a file named ``marts.duckdb`` has a
    catalogue ``marts`` as well, and a bare ``marts.<table>`` would be ambiguous there."""
    con = duckdb.connect(str(warehouse))
    try:
        catalog = '"' + con.execute("select current_database()").fetchone()[0].replace('"', '""') + '"'
        con.execute(f"create schema if not exists {catalog}.{MARTS_SCHEMA}")
        for table in tables:
            files = str(root / _checked_name(table, "load_marts") / "*.parquet").replace("'", "''")
            con.execute(
                f"create or replace table {catalog}.{MARTS_SCHEMA}.{table}"
                f" as select * from read_parquet('{files}')"
            )
    finally:
        con.close()


def build_on_spark(
    source_warehouse: Path,
    work: Path,
    as_of: str,
    marts_warehouse: Path,
    with_tests: bool = True,
    *,
    build_version: str | None = None,
    total: int | None = None,
    write=print,
) -> dict[str, float]:
    """The raw layer of ``source_warehouse`` built by dbt on local Spark as of ``as_of``, its
    marts loaded into ``marts_warehouse`` (which may be the same file); seconds per step (wall
    and this process's CPU; the JVM's own CPU is not in it). ``build_version`` is what
    ``marts.build_info`` reports (default: the source file's name)."""
    timings: dict[str, float] = {}

    def step(name: str, started: float, cpu: float) -> None:
        timings[f"{name}_s"] = round(time.perf_counter() - started, 1)
        timings[f"{name}_cpu_s"] = round(time.process_time() - cpu, 1)
        write(f"spark: {name} done in {timings[f'{name}_s']:.1f}s")

    started, cpu = time.perf_counter(), time.process_time()
    tables = export_raw(source_warehouse, work / "raw")
    step("export_raw", started, cpu)
    started, cpu = time.perf_counter(), time.process_time()
    session = spark_session(work / "spark-warehouse")
    register_raw(session, work / "raw", tables)
    step("spark_start", started, cpu)
    started, cpu = time.perf_counter(), time.process_time()
    run_dbt(as_of, build_version or source_warehouse.name, work / "dbt", with_tests, total=total, write=write)
    step("dbt", started, cpu)
    started, cpu = time.perf_counter(), time.process_time()
    marts = export_marts(session, work / "marts")
    load_marts(marts_warehouse, work / "marts", marts)
    step("marts_back", started, cpu)
    session.stop()
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the DuckDB warehouse whose raw schema is built")
    parser.add_argument("work", type=Path, help="a folder for the Parquet files and Spark's tables")
    parser.add_argument("--as-of", required=True)
    parser.add_argument("--marts", type=Path, required=True, help="the DuckDB file the marts are loaded into")
    parser.add_argument("--no-tests", action="store_true", help="seeds and models only, no dbt tests")
    parser.add_argument("--build-version", help="what marts.build_info reports (default: the source's name)")
    parser.add_argument("--total", type=int, help="dbt nodes expected, for the progress lines")
    args = parser.parse_args(argv)
    # Line by line: a caller relays the progress lines as they come.
    sys.stdout.reconfigure(line_buffering=True)
    timings = build_on_spark(
        args.source,
        args.work,
        args.as_of,
        args.marts,
        with_tests=not args.no_tests,
        build_version=args.build_version,
        total=args.total,
    )
    print(json.dumps(timings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
