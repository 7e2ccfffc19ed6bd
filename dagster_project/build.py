"""``dangan build``: materialise every asset in process and publish, with progress lines.

Why in process and not through a Dagster daemon: the build is one serial chain on one
DuckDB file; the in-process executor and a manifest prepared once (not parsed on every
load) roughly halve the overhead compared with the default multiprocess executor.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

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


def _progress_logger(write: Callable[[str], None]) -> dg.LoggerDefinition:
    """Short ``HH:MM:SS step: message`` lines for the terminal instead of Dagster's full log."""

    @dg.logger(description="one line per step event, for the terminal")
    def progress(init_context: dg.InitLoggerContext) -> logging.Logger:
        started = time.monotonic()

        class Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                meta = getattr(record, "dagster_meta", {}) or {}
                step = meta.get("step_key") or ""
                event = meta.get("dagster_event")
                text = meta.get("orig_message") or record.getMessage()
                if event is not None:
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
) -> dg.Definitions:
    """The project's definitions with this build's resources and a terminal logger.

    Besides ``dangan_build`` it carries the project's jobs (monthly close, digest, scans),
    so that they can be run the same way, e.g. by tests or from a shell.
    """
    from dagster_project.definitions import defs as load_defs
    from dagster_project.defs.common.resources import RunParams, WarehouseResource
    from dagster_project.defs.delivery.resources import DeliveryResource
    from dagster_project.defs.publish.jobs import BUILD_SELECTION
    from dagster_project.defs.scans.resources import ScansResource
    from dagster_project.defs.sources.resources import SourcesResource

    base = load_defs()
    resources = dict(base.resources or {})
    resources.update(
        warehouse=WarehouseResource(path=str(warehouse)),
        params=RunParams(as_of=as_of, full_refresh=full_refresh),
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
        loggers={"console": _progress_logger(write)},
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
) -> int:
    """Load sources and scans, build every mart, publish; 0 on success, 1 with a message.

    ``job`` picks another of the project's jobs (``monthly_close``, ``reminder_digest``,
    ``scans``) with the same resources; ``delivery`` replaces the default (send nothing);
    ``allow_shrink`` names the tables this build may shrink beyond the seed's limit.
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
    write(f"dangan build as of {moment} into {warehouse}")
    try:
        if prepare_manifest():
            write("dbt manifest prepared (dbt parse)")
        definitions = build_definitions(**definitions_args)
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
        logger.debug("build set-up failed", exc_info=True)
        print(f"dangan build failed before any step ran: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    if not result.success:
        print(
            f"dangan build failed; the published warehouse {warehouse} is unchanged"
            f" (version {wh.published_version(warehouse)}); its working copy is removed. "
            f"{_failure_message(result)}",
            file=sys.stderr,
        )
        return 1
    write(f"published {wh.published_version(warehouse)} as {warehouse} in {time.monotonic() - started:.1f}s")
    return 0
