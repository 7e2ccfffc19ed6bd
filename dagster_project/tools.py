"""``dangan dagster`` and ``dangan docs``: the Dagster UI and dbt's docs, each one command.

Why commands and not the bare tools: ``dagster dev`` started from a shell loads the code
location only with the project's environment (dbt beside the interpreter on ``PATH``,
``DANGAN_DBT_DB`` for dbt's profile, ``DAGSTER_HOME`` with telemetry off), and it leaves
its webserver and daemon running when it is sent SIGTERM. ``dbt docs generate`` opens its
database read-write, which the served warehouse must never be. Here the environment is set
once, the tool runs in a process group of its own that a SIGTERM or Ctrl-C stops whole,
and dbt's docs are generated on a private copy of the published version.

No Dagster import: the CLI stays quick to start.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from ingest import settings

DBT_DB_ENV = "DANGAN_DBT_DB"
# Where ``dangan docs`` writes dbt's docs (manifest, catalog, index.html): a folder of its
# own, so the build's prepared manifest under dbt/target is never replaced.
DOCS_TARGET = "target/docs"
STOP_GRACE_S = 15.0


def tool_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment the project's tools need: the virtualenv's ``bin`` first on ``PATH``
    (dagster-dbt looks for ``dbt`` there), telemetry off, a parse database for dbt."""
    env = dict(os.environ)
    env.update(settings.TELEMETRY_OFF)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bin_dir, *(p for p in env.get("PATH", "").split(os.pathsep) if p)])
    env.setdefault(DBT_DB_ENV, str((settings.DATA_DIR / "dbt-parse.duckdb").absolute()))
    env.update(extra or {})
    return env


def tool(name: str) -> str:
    """The executable ``name`` installed beside this interpreter, else on ``PATH``."""
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else name


def run_until_stopped(
    commands: Sequence[Sequence[str]], env: Mapping[str, str], cwd: Path | None = None
) -> int:
    """Run ``commands`` side by side in one process group of their own until one exits or
    this process is told to stop (SIGTERM, SIGINT, SIGHUP); then stop the whole group,
    SIGTERM first and SIGKILL after a grace period, so no webserver or daemon is left
    behind. Returns the first exit code seen (0 when stopped on request)."""
    first = subprocess.Popen(list(commands[0]), env=dict(env), cwd=cwd, process_group=0)
    processes = [first]
    stop_requested: list[int] = []

    def request_stop(signum: int, _frame: object) -> None:
        stop_requested.append(signum)

    previous = {
        sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    }
    try:
        processes += [
            subprocess.Popen(list(command), env=dict(env), cwd=cwd, process_group=first.pid)
            for command in commands[1:]
        ]
        while not stop_requested and all(process.poll() is None for process in processes):
            time.sleep(0.2)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        stop_group(first.pid, processes)
    if stop_requested:
        return 0
    return next((int(p.returncode) for p in processes if p.returncode is not None), 0)


def stop_group(group: int, processes: Sequence[subprocess.Popen]) -> None:
    """Stop every process of ``group`` (``processes`` are reaped)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S
    while time.monotonic() < deadline and _group_alive(group):
        for process in processes:
            process.poll()
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)
    for process in processes:
        process.wait()


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


WORKSPACE = Path(__file__).with_name("workspace.yaml")


def dagster_commands(host: str, port: int) -> list[list[str]]:
    """The webserver and the daemon (schedules, sensor) on the project's code location.

    What ``dagster dev`` starts, without its development mode: there every load of the
    code location runs ``dbt parse`` again, which alone outlasted the code server's start-up
    time on a busy machine; here the manifest is prepared once, when stale, as for a build.
    """
    workspace = ["-w", str(WORKSPACE)]
    return [
        [tool("dagster-webserver"), *workspace, "--host", host, "--port", str(port)],
        [tool("dagster-daemon"), "run", *workspace],
    ]


def run_dagster(host: str, port: int) -> int:
    """The Dagster UI and daemon on the project's definitions with the project's environment."""
    from dagster_project.defs.dbt.resources import prepare_manifest
    from dagster_project.home import ensure_home

    env = tool_env({"DAGSTER_HOME": str(ensure_home())})
    os.environ.setdefault(DBT_DB_ENV, env[DBT_DB_ENV])
    prepare_manifest()
    print(f"Dagster UI: http://{host}:{port} (Ctrl-C stops it)", flush=True)
    return run_until_stopped(dagster_commands(host, port), env, cwd=settings.PROJECT_ROOT)


def docs_target(project_dir: Path | None = None) -> Path:
    return Path(project_dir or settings.DBT_PROJECT_DIR) / DOCS_TARGET


def generate_docs(warehouse: Path, project_dir: Path | None = None) -> Path:
    """dbt's docs (manifest and catalogue) of ``warehouse``, generated on a copy of its
    published version; returns the folder holding ``index.html`` and ``catalog.json``.

    The copy keeps the file name of the link (DuckDB names the catalogue after the file,
    and dbt's relations name that catalogue) and always lies at the same place, so dbt's
    partial parsing of the docs folder holds from one run to the next; it is removed
    afterwards.
    """
    project_dir = Path(project_dir or settings.DBT_PROJECT_DIR)
    warehouse = Path(warehouse).absolute()
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: build one first (dangan build)")
    target = docs_target(project_dir)
    target.mkdir(parents=True, exist_ok=True)
    copy = target / warehouse.name
    shutil.copyfile(warehouse.resolve(), copy)
    command = [
        tool("dbt"),
        "docs",
        "generate",
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--target-path",
        str(target),
        "--log-path",
        str(target),
        # The docs need the catalogue and the descriptions; compiling every node's SQL
        # would take most of the time.
        "--no-compile",
        "--quiet",
    ]
    try:
        done = subprocess.run(command, env=tool_env({DBT_DB_ENV: str(copy)}), capture_output=True, text=True)
    finally:
        copy.unlink(missing_ok=True)
        Path(f"{copy}.wal").unlink(missing_ok=True)
    if done.returncode != 0:
        raise RuntimeError(
            f"dbt docs generate on a copy of {warehouse} failed: {(done.stdout + done.stderr).strip()[-2000:]}"
        )
    return target


def run_docs(warehouse: Path, host: str, port: int, serve: bool = True) -> int:
    """Generate dbt's docs from a copy of the warehouse, then serve them until stopped."""
    try:
        target = generate_docs(warehouse)
    except (FileNotFoundError, RuntimeError) as error:
        print(f"dangan docs: {error}", file=sys.stderr)
        return 1
    print(f"dbt docs of {Path(warehouse).absolute()} written to {target}", flush=True)
    if not serve:
        return 0
    project_dir = settings.DBT_PROJECT_DIR
    command = [
        tool("dbt"),
        "docs",
        "serve",
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--target-path",
        str(target),
        "--host",
        host,
        "--port",
        str(port),
        "--no-browser",
    ]
    print(f"dbt docs: http://{host}:{port} (Ctrl-C stops it)", flush=True)
    return run_until_stopped([command], tool_env(), cwd=project_dir)
