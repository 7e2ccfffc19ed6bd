"""``dangan build``: materialise every asset in process and publish, with progress lines.

Why in process and not through a Dagster daemon: the build is one serial chain on one
DuckDB file; the in-process executor and a manifest prepared once (not parsed on every
load) roughly halve the overhead compared with the default multiprocess executor.
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any

import dagster as dg

from ingest import settings
from ingest.clock import format_as_of, parse_as_of
from ingest.contract import TABLES_BY_NAME

logger = logging.getLogger(__name__)

BUILD_JOB = "dangan_build"

# Run beside a build: waits until the build process is gone (its parent changes), then
# kills the build's process group, every child of the build included.
_WATCHDOG = """
import os, signal, sys, time
group, build = int(sys.argv[1]), int(sys.argv[2])
signal.signal(signal.SIGINT, signal.SIG_IGN)
while os.getppid() == build:
    time.sleep(0.2)
os.killpg(group, signal.SIGKILL)
"""


@contextlib.contextmanager
def children_die_with_this_process() -> Iterator[None]:
    """Make every child of this process die with it, even when it is killed with SIGKILL.

    Why: a killed build's children (scan workers, any tool it starts) would otherwise run
    on, writing into a working copy nobody will publish and holding it open. Nothing runs in a process
    killed with SIGKILL, so a small watchdog process waits for this one to vanish and then
    kills the process group. The group must be this process's own: it becomes its
    leader if it is not one yet (a session leader always is one already).
    """
    if os.getpgrp() != os.getpid():
        try:
            os.setpgid(0, 0)
        except OSError:
            logger.warning("cannot lead a process group; children of a killed build may outlive it")
            yield
            return
    watchdog = subprocess.Popen(
        [sys.executable, "-c", _WATCHDOG, str(os.getpgrp()), str(os.getpid())],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        watchdog.kill()
        watchdog.wait()


# Messages of dagster-dbt that say nothing about this build: the default selection (every
# build selects all), and singular tests over several models recorded as observations
# rather than checks (a known limitation, the tests still run and fail the build).
HARMLESS = (
    re.compile(r"^A dbt subsetted execution is not being performed"),
    re.compile(r"^Logging an `AssetObservation` instead of an `AssetCheckResult`"),
)
# The progress lines the quiet output turns into bars.
SCANS_TOTAL = re.compile(r"scans: (\d+) files to read")
SCANS_DONE = re.compile(r"scans: (\d+) files read")
DBT_DONE = re.compile(r"dbt: (\d+)/(\d+) done")
DBT_FINISHED = re.compile(r"dbt: (\d+) models, seeds and tests")
DBT_TESTS = re.compile(r"^dbt tests: (.+)$")
# The dbt step's line for a node that did not pass (``DbtProgress``): "dbt <node>: <status>".
DBT_NOT_PASSED = re.compile(r"^dbt [\w.]+: .+$")


class QuietProgress:
    """The quiet terminal output: a progress bar per long step (scans, dbt) on a terminal,
    nothing on a pipe; the lines it swallows are summed up at the end instead."""

    def __init__(self) -> None:
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}
        self.not_passed: list[str] = []
        self.tests = ""

    def _bar(self, name: str, total: int | None) -> Any:
        if self._progress is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            console = Console(stderr=True)
            if not console.is_terminal:
                return None
            self._progress = Progress(
                TextColumn("{task.description:<6}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )
            self._progress.start()
        if name not in self._tasks:
            self._tasks[name] = self._progress.add_task(name, total=total)
        elif total is not None:
            self._progress.update(self._tasks[name], total=total)
        return self._tasks[name]

    def observe(self, text: str) -> None:
        """Move a bar when ``text`` is one of the progress lines."""
        if match := SCANS_TOTAL.search(text):
            self._advance("scans", 0, int(match.group(1)))
        elif match := SCANS_DONE.search(text):
            self._advance("scans", int(match.group(1)), None)
        elif match := DBT_DONE.search(text):
            self._advance("dbt", int(match.group(1)), int(match.group(2)))
        elif match := DBT_FINISHED.search(text):
            self._advance("dbt", int(match.group(1)), int(match.group(1)))
        elif match := DBT_TESTS.search(text):
            self.tests = match.group(1)
        elif DBT_NOT_PASSED.search(text):
            self.not_passed.append(text)

    def _advance(self, name: str, done: int, total: int | None) -> None:
        task = self._bar(name, total)
        if task is not None:
            self._progress.update(task, completed=done)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def _progress_logger(
    write: Callable[[str], None], verbose: bool = True, quiet: QuietProgress | None = None
) -> dg.LoggerDefinition:
    """Short ``[elapsed] step: message`` lines for the terminal instead of Dagster's full log;
    with ``verbose`` off only warnings, failures and the progress bars of ``quiet``."""

    @dg.logger(description="one line per step event, for the terminal")
    def progress(init_context: dg.InitLoggerContext) -> logging.Logger:
        started = time.monotonic()

        class Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                meta = getattr(record, "dagster_meta", {}) or {}
                step = meta.get("step_key") or ""
                event = meta.get("dagster_event")
                text = meta.get("orig_message") or record.getMessage()
                if any(pattern.search(text) for pattern in HARMLESS):
                    return
                if not verbose:
                    text = self.quiet_text(event, record, text)
                    if text is None:
                        return
                elif event is not None:
                    kind = event.event_type_value
                    if kind not in {
                        "STEP_START",
                        "STEP_SUCCESS",
                        "STEP_FAILURE",
                        "ASSET_CHECK_EVALUATION",
                        "RUN_FAILURE",
                    }:
                        return
                    if kind == "ASSET_CHECK_EVALUATION":
                        data = event.event_specific_data
                        if data.passed:
                            return
                        text = (
                            f"check {data.asset_key.to_user_string()}:{data.check_name} failed"
                            f" ({data.severity.value})"
                        )
                    else:
                        text = kind.lower().replace("_", " ")
                elif record.levelno < logging.INFO:
                    return
                elapsed = time.monotonic() - started
                write(f"[{elapsed:6.1f}s] {step + ': ' if step else ''}{text}")

            def quiet_text(self, event: Any, record: logging.LogRecord, text: str) -> str | None:
                """What the quiet output shows of a record: failures and warnings; a
                failed check of severity WARN is left to the end summary."""
                if quiet is not None:
                    quiet.observe(text)
                if event is not None:
                    kind = event.event_type_value
                    if kind in ("STEP_FAILURE", "RUN_FAILURE"):
                        return kind.lower().replace("_", " ")
                    if kind == "ASSET_CHECK_EVALUATION":
                        data = event.event_specific_data
                        if not data.passed and data.severity == dg.AssetCheckSeverity.ERROR:
                            return f"check {data.asset_key.to_user_string()}:{data.check_name} failed"
                    return None
                return text if record.levelno >= logging.WARNING else None

        log = logging.Logger("dangan.build", level=logging.DEBUG)
        log.addHandler(Handler())
        return log

    return progress


def _dbt_failures(text: str) -> list[str]:
    """The failed dbt nodes of an invocation, from the run_results.json beside its dbt.log."""
    match = re.search(r"(\S+)/dbt\.log", text)
    if not match:
        return []
    results = Path(match.group(1)) / "run_results.json"
    try:
        data = json.loads(results.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return []
    failures = []
    for item in data.get("results", []):
        if item.get("status") in ("error", "fail", "runtime error"):
            message = " ".join(str(item.get("message") or "").split())[:300]
            failures.append(f"dbt {item.get('unique_id')} {item.get('status')}: {message}")
    return failures


def _failure_message(result: dg.ExecuteInProcessResult) -> str:
    """One paragraph: which step, which model/table/check, and the error."""
    parts = []
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            message = (error.message if error else "unknown error").strip()
            cause = error.cause if error else None
            while cause is not None:
                message += f" Caused by: {cause.message.strip()}"
                cause = cause.cause
            parts.append(f"step {event.step_key} failed: {message}")
            parts.extend(_dbt_failures(message))
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            if not data.passed and data.severity == dg.AssetCheckSeverity.ERROR:
                parts.append(f"check {data.check_name} on {data.asset_key.to_user_string()} failed")
    text = " ".join(parts)
    if "KeyError: 'test." in text or "KeyError: 'model." in text or "KeyError: 'seed." in text:
        parts.append(
            "dbt reported a node that is not in the prepared manifest: the dbt project changed"
            " while building; build again (the manifest is re-parsed first)."
        )
    skipped = [event.step_key for event in result.all_events if event.event_type_value == "STEP_SKIPPED"]
    if skipped:
        parts.append(f"not run: {', '.join(sorted(set(skipped)))}")
    return " ".join(parts) or "the run failed without a step failure (see the Dagster log)"


def build_definitions(
    *,
    source: Path | None,
    marketing_url: str | None,
    archive_url: str | None,
    scans: Path | None,
    warehouse: Path,
    as_of: str,
    full_refresh: bool,
    write: Callable[[str], None] = print,
    delivery: dg.ConfigurableResource | None = None,
    allow_shrink: Collection[str] = (),
    verbose: bool = True,
    quiet: QuietProgress | None = None,
    engine: str = "duckdb",
) -> dg.Definitions:
    """The project's definitions with this build's resources and a terminal logger.

    Besides ``dangan_build`` it carries the project's jobs (monthly close, digest, scans),
    so that they can be run the same way, e.g. by tests or from a shell.
    """
    from dagster_project.definitions import defs as load_defs
    from dagster_project.defs.common.resources import RunParams, WarehouseResource
    from dagster_project.defs.dbt.assets import tests_not_as_checks
    from dagster_project.defs.delivery.resources import DeliveryResource
    from dagster_project.defs.publish.jobs import BUILD_SELECTION
    from dagster_project.defs.scans.resources import ScansResource
    from dagster_project.defs.sources.resources import SourcesResource

    # No asset check per dbt test: nobody opens this run's ephemeral instance afterwards;
    # the tests still run, fail the build and are counted in the summary.
    with tests_not_as_checks():
        base = load_defs()
    resources = dict(base.resources or {})
    resources.update(
        warehouse=WarehouseResource(path=str(warehouse)),
        params=RunParams(as_of=as_of, full_refresh=full_refresh, engine=engine),
        sources=SourcesResource(
            source_dir=str(source) if source else "",
            marketing_url=marketing_url or "",
            archive_url=archive_url or "",
            allow_shrink=sorted(allow_shrink),
        ),
        scans=ScansResource(
            scans_dir=str(scans) if scans else "",
            barcode_pattern=settings.BARCODE_PATTERN,
            workers=settings.SCAN_WORKERS,
        ),
        # `dangan build` never sends anything unless told: delivery belongs to the schedules.
        delivery=delivery or DeliveryResource(),
    )
    return dg.Definitions(
        assets=list(base.assets or []),
        asset_checks=list(base.asset_checks or []),
        jobs=[dg.define_asset_job(BUILD_JOB, selection=BUILD_SELECTION), *(base.jobs or [])],
        resources=resources,
        executor=dg.in_process_executor,
        loggers={"console": _progress_logger(write, verbose, quiet)},
    )


def run_build(
    source: Path | None,
    marketing_url: str | None,
    archive_url: str | None,
    scans: Path | None,
    warehouse: Path,
    as_of: str | None,
    full_refresh: bool,
    *,
    instance: dg.DagsterInstance | None = None,
    write: Callable[[str], None] = print,
    job: str = BUILD_JOB,
    delivery: dg.ConfigurableResource | None = None,
    allow_shrink: Collection[str] = (),
    verbose: bool = True,
    engine: str = "duckdb",
) -> int:
    """Load sources and scans, build every mart, publish; 0 on success, 1 with a message.

    ``job`` picks another of the project's jobs (``monthly_close``, ``reminder_digest``,
    ``scans``) with the same resources; ``delivery`` replaces the default (send nothing);
    ``allow_shrink`` names the tables this build may shrink beyond the seed's limit.
    With ``verbose`` off (``dangan build`` without ``--verbose``) the terminal gets
    progress bars, warnings and failures, and a summary at the end. ``engine`` ``spark``
    runs the dbt step on local Apache Spark (``dagster_project.spark_engine``).
    """
    settings.disable_telemetry()
    from ingest import warehouse as wh

    try:
        moment = format_as_of(parse_as_of(as_of))
    except ValueError as error:
        print(f"dangan build: {error}", file=sys.stderr)
        return 2
    unknown = sorted(set(allow_shrink) - set(TABLES_BY_NAME))
    if unknown:
        print(f"dangan build: --allow-shrink names no source table: {', '.join(unknown)}", file=sys.stderr)
        return 2
    if source is None and not (marketing_url and archive_url):
        print("dangan build: give --source DIR or both --marketing-url and --archive-url", file=sys.stderr)
        return 2
    # Not resolve(): the warehouse path is a symlink to the current version, and the build
    # must work beside the link, not beside the version it points to.
    warehouse = Path(warehouse).absolute()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(wh.build_lock(warehouse, f"dangan build {job}"))
        except wh.WarehouseBusyError as error:
            print(f"dangan build refused: {error}", file=sys.stderr)
            return 1
        return _run_locked(
            definitions_args={
                "source": Path(source).resolve() if source else None,
                "marketing_url": marketing_url,
                "archive_url": archive_url,
                "scans": Path(scans).resolve() if scans else None,
                "warehouse": warehouse,
                "as_of": moment,
                "full_refresh": full_refresh,
                "write": write,
                "delivery": delivery,
                "allow_shrink": allow_shrink,
                "verbose": verbose,
                "engine": engine,
            },
            job=job,
            instance=instance,
            started=started,
        )


def _run_locked(
    *, definitions_args: dict, job: str, instance: dg.DagsterInstance | None, started: float
) -> int:
    """The build proper, while this process holds the warehouse's build lock."""
    from dagster_project.defs.dbt.resources import prepare_manifest
    from ingest import warehouse as wh

    warehouse: Path = definitions_args["warehouse"]
    moment: str = definitions_args["as_of"]
    write: Callable[[str], None] = definitions_args["write"]
    quiet = None if definitions_args["verbose"] else QuietProgress()
    engine = definitions_args["engine"]
    write(
        f"dangan build as of {moment} into {warehouse}"
        + (f" (dbt on {engine})" if engine != "duckdb" else "")
    )
    try:
        if prepare_manifest():
            write("dbt manifest prepared (dbt parse)")
        definitions = build_definitions(**definitions_args, quiet=quiet)
        # An ephemeral instance made here is disposed here: left to the garbage collector,
        # its SQLite storage could be closed from whichever thread happens to collect it.
        with contextlib.ExitStack() as owned:
            result = definitions.resolve_job_def(job).execute_in_process(
                instance=instance or owned.enter_context(dg.DagsterInstance.ephemeral()),
                raise_on_error=False,
                # Loggers only start when named in run config; without this Dagster's full
                # debug console log would run instead of the progress lines.
                run_config={"loggers": {"console": {}}},
                tags={"dangan/as_of": moment},
            )
    except Exception as error:  # the definitions themselves could not be loaded
        if quiet is not None:
            quiet.stop()
        logger.debug("build set-up failed", exc_info=True)
        print(f"dangan build failed before any step ran: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    if quiet is not None:
        quiet.stop()
    if not result.success:
        print(
            f"dangan build failed; the published warehouse {warehouse} is unchanged"
            f" (version {wh.published_version(warehouse)}); its working copy is removed. "
            f"{_failure_message(result)}",
            file=sys.stderr,
        )
        return 1
    write(f"published {wh.published_version(warehouse)} as {warehouse} in {time.monotonic() - started:.1f}s")
    if quiet is not None:
        for line in build_summary(
            warehouse,
            result.run_id,
            definitions_args["scans"],
            not_passed=quiet.not_passed,
            tests=quiet.tests,
        ):
            write(line)
    return 0


def broken_demo_files(scans: Path | None) -> dict[str, str]:
    """The files a generated data set broke on purpose (path in the scans folder -> how),
    from the set's own manifest and scans index beside the scans folder; empty for any
    other folder."""
    if scans is None:
        return {}
    from ingest.synthetic.manifest import ManifestError, read_manifest

    try:
        index_name = read_manifest(Path(scans).parent).get("scans_index")
    except ManifestError:
        return {}
    index = Path(scans).parent / str(index_name or "")
    if not index_name or not index.is_file():
        return {}
    with index.open(encoding="utf-8", newline="") as handle:
        return {
            row["file_path"]: row["kind"].removeprefix("broken:")
            for row in csv.DictReader(handle)
            if row.get("kind", "").startswith("broken:")
        }


def build_summary(
    warehouse: Path, run_id: str, scans: Path | None, *, not_passed: Collection[str] = (), tests: str = ""
) -> list[str]:
    """A few lines on what the published build holds: rows loaded and rejected by this run,
    scans read and why some failed (the demo's deliberately broken files named as such),
    marts built, dbt's data tests by outcome (``tests``, the dbt step's count), and how to
    open the dashboard."""
    from ingest import warehouse as wh

    con = wh.connect_published(warehouse)
    try:
        tables, loaded, rejected = con.execute(
            "select count(*), coalesce(sum(loaded_rows), 0), coalesce(sum(rejected_rows), 0)"
            " from raw.ingest_runs where run_id = ?",
            [run_id],
        ).fetchone()
        scan_run = con.execute(
            "select files_seen, files_new, files_failed, pages from raw.scan_runs"
            " order by finished_at desc limit 1"
        ).fetchone()
        failed = con.execute(
            "select file_path, error from raw.scan_files where status = 'error' order by file_path"
        ).fetchall()
        marts = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts'"
        ).fetchone()[0]
    finally:
        con.close()
    lines = ["", "summary"]
    lines.append(
        f"  sources  {loaded:,} rows loaded, {rejected:,} rejected ({tables} tables; raw.ingest_rejects)"
    )
    if scan_run is None:
        lines.append("  scans    none read (no --scans folder)")
    else:
        seen, new, _, pages = scan_run
        lines.append(
            f"  scans    {seen:,} files in the folder, {new:,} read this build ({pages:,} pages),"
            f" {len(failed)} unreadable (marts.scan_files)"
        )
        broken = broken_demo_files(scans)
        deliberate = [path for path, _ in failed if path in broken]
        if deliberate:
            lines.append(
                f"           {len(deliberate)} of them deliberately broken demo files:"
                f" {', '.join(f'{path} ({broken[path]})' for path in deliberate)}"
            )
        for path, error in failed:
            if path not in broken:
                lines.append(f"           {error}")
    lines.append(f"  marts    {marts} tables in schema marts")
    if tests:
        lines.append(f"  tests    {tests} (dbt data tests)")
    if not_passed:
        lines.append(f"  dbt      {len(not_passed)} nodes did not pass (dangan build --verbose lists them)")
    lines.append(f"  open     .venv/bin/dangan dashboard --warehouse {warehouse}  -> http://localhost:8501")
    return lines
