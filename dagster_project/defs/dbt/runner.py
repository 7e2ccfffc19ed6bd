"""dbt run inside the Dagster step's process, on the manifest parsed once.

Why not ``DbtCliResource.cli``: it starts a second Python process, runs ``dbt --version``
in a third, opens a dbt adapter in the step's process only to look up relations, and the
dbt process parses the whole project again on every build (each build passes its own
``as_of`` and build copy, and dbt re-parses from scratch whenever vars or the profile's
path change). On the tiny demo those fixed costs were most of ``dangan build``.

Here dbt's programmatic entry point gets the manifest that ``dbt parse`` prepared
(``target/partial_parse.msgpack``), so nothing is parsed at build time; the manifest's
database name is set to the build copy's (DuckDB names the catalogue after the file), and
the run's vars are read when each model is compiled, as before. dbt's result events are
turned into Dagster events by dagster-dbt's own translation, so assets and checks look
exactly as they did.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg

from dagster_project.defs.dbt.resources import DBT_DB_ENV, dbt_project, newest_source_mtime, prepare_manifest

logger = logging.getLogger(__name__)

PARTIAL_PARSE_FILE = "partial_parse.msgpack"
RESULT_EVENTS = frozenset({"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"})

_cache: dict[str, Any] = {}


def prepared_manifest_path() -> Path:
    return Path(dbt_project.project_dir) / dbt_project.target_path / PARTIAL_PARSE_FILE


def prepared_manifest() -> Any:
    """dbt's ``Manifest`` object as ``dbt parse`` left it, parsed again only when stale.

    Stale means older than any file of the project (the test the definitions' manifest
    uses too), so the models dbt runs are the ones Dagster's assets were built from.
    """
    from dbt.contracts.graph.manifest import Manifest

    path = prepared_manifest_path()
    project_dir = Path(dbt_project.project_dir)
    if not path.exists() or path.stat().st_mtime < newest_source_mtime(project_dir):
        prepare_manifest(dbt_project, force=True)
    stamp = path.stat().st_mtime_ns
    if _cache.get("stamp") != stamp:
        manifest = Manifest.from_msgpack(path.read_bytes())
        # The `graph` of dbt's Jinja context (macro declares_updated_at reads it): dbt builds
        # it only when it parses, and the serialised manifest comes without it.
        manifest.build_flat_graph()
        _cache.update(stamp=stamp, manifest=manifest)
    return _cache["manifest"]


def point_at_database(manifest: Any, database: str) -> None:
    """Name the build copy's catalogue in every node, source and seed of the manifest.

    dbt-duckdb names the catalogue after the database file, and every relation dbt writes
    is qualified with it; the prepared manifest carries the name of whatever file it was
    parsed against.
    """
    for collection in (manifest.nodes, manifest.sources):
        for node in collection.values():
            previous = getattr(node, "database", None)
            if previous is None or previous == database:
                continue
            node.database = database
            relation_name = getattr(node, "relation_name", None)
            if relation_name:
                node.relation_name = relation_name.replace(f'"{previous}".', f'"{database}".', 1)


@dataclass
class DbtRun:
    """One dbt invocation: its result events (as dbt's JSON log lines) and its outcome."""

    target_path: Path
    events: list[dict[str, Any]] = field(default_factory=list)
    success: bool = False
    failures: list[str] = field(default_factory=list)
    exception: BaseException | None = None
    elapsed_s: float = 0.0

    @property
    def log_path(self) -> Path:
        return self.target_path / "dbt.log"


def invoke(
    args: Sequence[str],
    database: Path,
    *,
    target_path: Path,
    on_result: Callable[[dict[str, Any], int], None] | None = None,
) -> DbtRun:
    """Run one dbt command on ``database`` with the prepared manifest; never parses.

    ``on_result`` is called with each node's result event and the count so far (for
    progress lines). Files dbt writes (run_results.json, dbt.log, compiled SQL) go to
    ``target_path``.
    """
    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import msg_to_dict

    manifest = prepared_manifest()
    point_at_database(manifest, Path(database).stem)
    run = DbtRun(target_path=Path(target_path))
    project_dir = str(dbt_project.project_dir)

    def collect(message: Any) -> None:
        if message.info.name not in RESULT_EVENTS:
            return
        event = msg_to_dict(message)
        run.events.append(event)
        if on_result is not None:
            on_result(event, len(run.events))

    previous = os.environ.get(DBT_DB_ENV)
    os.environ[DBT_DB_ENV] = str(database)
    started = time.perf_counter()
    try:
        result = dbtRunner(manifest=manifest, callbacks=[collect]).invoke(
            [
                *args,
                "--project-dir",
                project_dir,
                "--profiles-dir",
                str(dbt_project.profiles_dir),
                "--target-path",
                str(run.target_path),
                "--log-path",
                str(run.target_path),
                "--log-level",
                "none",
                # The file log keeps warnings and errors (a failed node's message); dbt's
                # line per node start and finish cost more than the tests' SQL on tiny
                # data, and run_results.json has every node's status and timing.
                "--log-level-file",
                "warn",
                # No manifest.json per invocation (a second copy of the prepared one);
                # run_results.json is written below.
                "--no-write-json",
            ]
        )
        if hasattr(result.result, "write"):
            result.result.write(str(run.target_path / "run_results.json"))
    finally:
        run.elapsed_s = time.perf_counter() - started
        if previous is None:
            os.environ.pop(DBT_DB_ENV, None)
        else:
            os.environ[DBT_DB_ENV] = previous
    run.success = bool(result.success)
    run.exception = result.exception
    for item in getattr(result.result, "results", None) or []:
        status = str(getattr(item, "status", ""))
        if status in ("error", "fail", "runtime error"):
            message = " ".join(str(item.message or "").split())[:300]
            run.failures.append(f"dbt {item.node.unique_id} {status}: {message}")
    return run


def invocation_target(context: dg.AssetExecutionContext) -> Path:
    """A folder of its own under the project's target/ for one invocation's artefacts."""
    name = f"{context.op_execution_context.op.name}-{context.run.run_id[:7]}-{uuid.uuid4().hex[:7]}"
    return Path(dbt_project.project_dir) / dbt_project.target_path / name


def selection_args(
    context: dg.AssetExecutionContext, manifest: Mapping[str, Any], translator: Any
) -> tuple[list[str], str | None]:
    """The dbt selection for the assets and checks this step was asked for (all by default)."""
    from dagster_dbt.asset_utils import (
        DAGSTER_DBT_EXCLUDE_METADATA_KEY,
        DAGSTER_DBT_SELECT_METADATA_KEY,
        DAGSTER_DBT_SELECTOR_METADATA_KEY,
        get_subset_selection_for_context,
    )

    return get_subset_selection_for_context(
        context=context,
        manifest=manifest,
        select=context.op.tags.get(DAGSTER_DBT_SELECT_METADATA_KEY),
        exclude=context.op.tags.get(DAGSTER_DBT_EXCLUDE_METADATA_KEY),
        selector=context.op.tags.get(DAGSTER_DBT_SELECTOR_METADATA_KEY),
        dagster_dbt_translator=translator,
        current_dbt_indirect_selection_env=os.getenv("DBT_INDIRECT_SELECTION"),
    )


def stream(
    args: Sequence[str],
    database: Path,
    *,
    target_path: Path,
    on_result: Callable[[dict[str, Any], int], None] | None = None,
) -> Iterator[dict[str, Any] | DbtRun]:
    """:func:`invoke` in a worker thread, its result events yielded as dbt reports them,
    the finished :class:`DbtRun` last.

    Recording a node's result in Dagster (a materialisation, a check evaluation) takes
    milliseconds of Python; done while dbt works on the next node (DuckDB leaves the
    interpreter free while it computes) it no longer adds up after dbt has finished.
    ``on_result`` runs in the caller's thread.
    """
    events: queue.Queue[dict[str, Any] | None] = queue.Queue()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["run"] = invoke(
                args, database, target_path=target_path, on_result=lambda e, _n: events.put(e)
            )
        except BaseException as error:  # handed to the caller's thread below
            outcome["error"] = error
        finally:
            events.put(None)

    worker = threading.Thread(target=work, name="dbt", daemon=True)
    worker.start()
    count = 0
    while (event := events.get()) is not None:
        count += 1
        if on_result is not None:
            on_result(event, count)
        yield event
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    yield outcome["run"]


def dagster_events(
    events: Iterable[dict[str, Any]],
    context: dg.AssetExecutionContext,
    manifest: Mapping[str, Any],
    translator: Any,
) -> Iterator[Any]:
    """The Dagster events of dbt result events, as dagster-dbt makes them from dbt's log."""
    from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

    for event in events:
        yield from DbtCoreCliEventMessage(raw_event=event, event_history_metadata={}).to_default_asset_events(
            manifest=manifest,
            dagster_dbt_translator=translator,
            context=context,
            project=dbt_project,
        )


def raise_for_failure(run: DbtRun) -> None:
    """A failed invocation fails the step, naming the failed nodes and dbt's log."""
    if run.success:
        return
    detail = " ".join(run.failures)
    if run.exception is not None:
        detail = f"{type(run.exception).__name__}: {run.exception} {detail}".strip()
    raise dg.Failure(
        description=f"dbt build failed: {detail or 'see the log'} (log: {run.log_path})",
        metadata={"dbt_log": dg.MetadataValue.path(str(run.log_path))},
    )
