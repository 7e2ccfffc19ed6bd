"""Every dbt model, seed and test as Dagster assets and asset checks, built with ``dbt build``."""

from __future__ import annotations

import contextlib
import contextvars
import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets

from dagster_project.defs.common.resources import DUCKDB_POOL, RunParams, WarehouseResource
from dagster_project.defs.dbt import runner
from dagster_project.defs.dbt.resources import dbt_project, prepare_manifest, project_code_hash


class DanganTranslator(DagsterDbtTranslator):
    """Keys ``<schema>/<table>``: sources in schema ``raw`` meet the loading assets' keys,
    and a model published under an alias (``marts.code_labels``, copied from the seed of
    the same name) is known by the table it writes."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "source":
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        if resource_type in ("model", "seed", "snapshot"):
            schema = dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props.get("schema")
            table = dbt_resource_props.get("alias") or dbt_resource_props["name"]
            return dg.AssetKey([schema, table])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "dbt"


translator = DanganTranslator(
    settings=DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_source_tests_as_checks=True)
)
# dbt's data tests as plain dbt nodes: no Dagster asset check per test (see tests_as_checks).
translator_without_checks = DanganTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=False))

_tests_as_checks: contextvars.ContextVar[bool] = contextvars.ContextVar("dbt_tests_as_checks", default=True)


@contextlib.contextmanager
def tests_not_as_checks() -> Iterator[None]:
    """Definitions loaded inside this block run dbt's data tests without a Dagster asset
    check per test.

    Why: ``dangan build`` runs on an ephemeral instance that nobody can open afterwards, and
    recording ~360 check evaluations (each planned, then stored and updated in the event
    log) cost about as much CPU as the rest of Dagster's part of a tiny build. The tests
    still run in the same ``dbt build``: an error-severity test that fails fails the dbt
    step and the build, every test that did not pass is logged, and the step logs how many
    passed, warned and failed (the build's summary shows it). The code location that
    ``dangan dagster`` serves keeps one asset check per test.
    """
    token = _tests_as_checks.set(False)
    try:
        yield
    finally:
        _tests_as_checks.reset(token)


def load_manifest() -> dict[str, Any]:
    """The prepared manifest, read afresh when the file changed.

    The assets are built from the manifest when the definitions are built, not when this
    module is imported, so a process that loads the definitions again (``dangan build``
    after a ``dbt parse``, a test session) never runs with a manifest older than dbt's.
    """
    dbt_project.prepare_if_dev()
    path = Path(dbt_project.manifest_path)
    if not path.exists():
        # First load on a fresh checkout: parse once; later loads reuse target/manifest.json.
        prepare_manifest(dbt_project)
    stamp = path.stat().st_mtime_ns
    if _manifest_cache.get("stamp") != stamp:
        _manifest_cache.update(stamp=stamp, manifest=json.loads(path.read_text(encoding="utf-8")))
    return _manifest_cache["manifest"]


_manifest_cache: dict[str, Any] = {}


# Unit tests check the SQL against fixed fixtures: they belong to development and CI (the
# dbt tests run them), not to every production build, where they cost time and where a
# model reading warehouse state (frozen months) sees more than its fixtures.
BUILD_ARGS = ["build", "--exclude-resource-type", "unit_test"]

KEEP_INVOCATIONS = 10
RUN_TYPES = frozenset({"model", "seed", "snapshot", "test"})
PROGRESS_EVERY_S = 10.0


class DbtProgress:
    """A line every few seconds while dbt works (done/total and the node just finished),
    and a line at once for any node that did not pass."""

    def __init__(self, log: Any, total: int) -> None:
        self.log = log
        self.total = total
        self.last = time.monotonic()

    def __call__(self, event: Mapping[str, Any], done: int) -> None:
        node = event["data"].get("node_info", {})
        status = str(node.get("node_status", ""))
        name = node.get("node_name", "?")
        if status not in ("success", "pass"):
            self.log.info(f"dbt {name}: {status}")
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY_S:
            self.last = now
            self.log.info(f"dbt: {done}/{self.total} done ({name})")


def prune_invocation_dirs(target: Path, keep: int = KEEP_INVOCATIONS) -> None:
    """Each dbt invocation gets its own folder under target/ (logs, run_results.json);
    keep the newest few for diagnosis so an hourly schedule does not fill the disk."""
    folders = sorted(
        (path for path in target.glob("dbt_models-*") if path.is_dir()),
        key=lambda path: path.stat().st_mtime,
    )
    for old in folders[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


# Jobs whose data tests read every row; the others (the hourly build, `dangan build`) test
# the rows written since the previous build (macro get_where_subquery in test_rows.sql).
ALL_ROWS_JOBS = frozenset({"monthly_close"})


def dbt_vars(
    params: RunParams, build_file: Path, *, all_rows: bool = True, code_hash: str = ""
) -> dict[str, str]:
    """The vars of one build: its moment, what ``marts.build_info`` reports about it, and
    which rows the data tests read.

    ``build_version`` is the build copy's file name (time and run id), which is the name
    the published version keeps, so the warehouse says which version it is.
    """
    return {
        "as_of": params.as_of_text,
        "build_version": build_file.name,
        "dangan_version": version("dangan"),
        "test_rows": "all" if all_rows or params.full_refresh else "changed",
        "code_hash": code_hash,
    }


def incremental_code_changed(build_file: Path, code_hash: str) -> bool:
    """Whether the incremental models of ``build_file`` were computed by other code (or
    by none yet): then the build runs dbt with --full-refresh (macro incremental_state)."""
    import duckdb

    # Read-write like every other connection to the build copy in this process: DuckDB
    # refuses a second connection to one file with another configuration.
    con = duckdb.connect(str(build_file))
    try:
        recorded = con.execute("select distinct code_hash from intermediate.incremental_state").fetchall()
    except duckdb.CatalogException:
        return True
    finally:
        con.close()
    return recorded != [(code_hash,)]


def mart_keys(manifest: Mapping[str, Any]) -> list[dg.AssetKey]:
    """The asset keys of every model in schema ``marts``."""
    return [
        translator.get_asset_key(node)
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node.get("schema") == "marts"
    ]


def test_outcome(event: Mapping[str, Any]) -> str | None:
    """``passed``, ``warned``, ``failed`` or ``skipped`` for a data test's result event, else none."""
    node = event["data"].get("node_info", {})
    if not str(node.get("unique_id", "")).startswith("test."):
        return None
    status = str(node.get("node_status", ""))
    return {"pass": "passed", "warn": "warned", "fail": "failed", "error": "failed"}.get(status, "skipped")


def tests_line(outcomes: Counter[str]) -> str:
    """The dbt step's count of data tests by outcome (read back by the build's summary)."""
    line = f"dbt tests: {outcomes['passed']} passed, {outcomes['warned']} warned, {outcomes['failed']} failed"
    return line + (f", {outcomes['skipped']} skipped" if outcomes["skipped"] else "")


def build_on_spark(
    context: dg.AssetExecutionContext, build_file: Path, params: RunParams, manifest: Mapping[str, Any]
) -> Iterator[dg.MaterializeResult]:
    """The dbt step on Apache Spark (``dangan build --engine spark``): the build copy's raw
    layer goes to local Spark as Parquet, dbt builds every seed, model and data test there
    and the marts come back into the build copy, which is then published like any build.

    In a process of its own (``dagster_project.spark_engine``): the JVM lives and dies with
    it. Its lines are relayed as they come; the Parquet files are removed afterwards, the
    dbt log of the invocation is kept.
    """
    work = runner.invocation_target(context)
    total = sum(1 for node in manifest["nodes"].values() if node["resource_type"] in RUN_TYPES - {"snapshot"})
    command = [
        sys.executable,
        "-m",
        "dagster_project.spark_engine",
        str(build_file),
        str(work),
        "--as-of",
        params.as_of_text,
        "--marts",
        str(build_file),
        "--build-version",
        build_file.name,
        "--total",
        str(total),
    ]
    context.log.info(f"dbt on Spark (local session): {work}")
    tail: list[str] = []
    try:
        with subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
        ) as process:
            assert process.stdout is not None
            for line in process.stdout:
                line = line.rstrip()
                tail = [*tail[-40:], line]
                if line.startswith(("dbt", "spark:")):
                    context.log.info(line)
            code = process.wait()
    finally:
        for part in ("raw", "marts", "spark-warehouse"):
            shutil.rmtree(work / part, ignore_errors=True)
    if code != 0:
        raise dg.Failure(
            description=f"dbt build on Spark failed (exit code {code}): " + " ".join(tail[-12:]),
            metadata={"dbt_log": dg.MetadataValue.path(str(work / "dbt" / "dbt.log"))},
        )
    selected = context.selected_asset_keys
    for key in keys_in_build_order(manifest):
        if key in selected:
            yield dg.MaterializeResult(asset_key=key, metadata={"engine": "spark"})


def keys_in_build_order(manifest: Mapping[str, Any]) -> list[dg.AssetKey]:
    """The asset keys of every seed and model, each after the ones it reads (Dagster takes
    the materialisations of a multi-asset in that order only)."""
    from graphlib import TopologicalSorter

    built = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed", "snapshot")
    }
    graph = {
        unique_id: [parent for parent in node.get("depends_on", {}).get("nodes", []) if parent in built]
        for unique_id, node in built.items()
    }
    return [
        translator.get_asset_key(built[unique_id]) for unique_id in TopologicalSorter(graph).static_order()
    ]


def build_dbt_assets(manifest: Mapping[str, Any], *, checks: bool = True) -> dg.AssetsDefinition:
    """The dbt assets; with ``checks`` each data test is a Dagster asset check as well."""
    chosen = translator if checks else translator_without_checks

    @dbt_assets(
        manifest=manifest,
        project=dbt_project,
        dagster_dbt_translator=chosen,
        pool=DUCKDB_POOL,
    )
    def dbt_models(context, warehouse: WarehouseResource, params: RunParams):
        """``dbt build`` of the selected models on this run's build copy, as of the run's moment."""
        build_file = warehouse.build_file(context.run_id)
        target = Path(dbt_project.project_dir) / dbt_project.target_path
        prune_invocation_dirs(target)
        if params.engine == "spark":
            yield from build_on_spark(context, build_file, params, manifest)
            return
        selection, indirect = runner.selection_args(context, manifest, chosen)
        all_rows = context.run.job_name in ALL_ROWS_JOBS
        code_hash = project_code_hash()
        full_refresh = params.full_refresh or incremental_code_changed(build_file, code_hash)
        variables = dbt_vars(params, build_file, all_rows=all_rows or full_refresh, code_hash=code_hash)
        args = [*BUILD_ARGS, "--vars", json.dumps(variables), *selection]
        if indirect:
            args += ["--indirect-selection", indirect]
        if full_refresh:
            # History and frozen months are configured full_refresh: false and stay.
            context.log.info("dbt --full-refresh: every incremental model is computed whole")
            args.append("--full-refresh")
        total = sum(1 for node in manifest["nodes"].values() if node["resource_type"] in RUN_TYPES)
        progress = DbtProgress(context.log, total)
        run: runner.DbtRun | None = None
        results: list[dict[str, Any]] = []
        outcomes: Counter[str] = Counter()
        for item in runner.stream(
            args, build_file, target_path=runner.invocation_target(context), on_result=progress
        ):
            if isinstance(item, runner.DbtRun):
                run = item
                continue
            results.append(item)
            outcome = test_outcome(item)
            if outcome is not None:
                outcomes[outcome] += 1
                if not checks:
                    continue
            yield from runner.dagster_events([item], context, manifest, chosen)
        assert run is not None
        context.log.info(
            f"dbt: {len(results)} models, seeds and tests in {run.elapsed_s:.1f}s"
            f" ({'ok' if run.success else 'failed'})"
        )
        context.log.info(tests_line(outcomes))
        runner.raise_for_failure(run)

    return dbt_models


@dg.definitions
def dbt_definitions() -> dg.Definitions:
    return dg.Definitions(assets=[build_dbt_assets(load_manifest(), checks=_tests_as_checks.get())])
