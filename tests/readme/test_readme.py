"""Every command and query of README.md, taken from README.md itself, works as written.

The commands are read from the README's ``bash`` blocks and its queries from its ``sql``
and ``python`` blocks, so the test breaks when the README drifts from the code. What each
kind gets:
- every ``.venv/bin/dangan`` line is parsed by the real command-line parser (a synopsis
  with ``a|b`` alternatives and ``[optional]`` parts once per alternative, the optional
  parts included; a synopsis may leave out required arguments, never name unknown ones);
- ``make`` targets are dry-run (``make -n``);
- the Dagster UI and the dbt docs commands are run as written (on a free port instead of
  the README's), from a folder whose ``data/warehouse.duckdb`` is the session's tiny
  warehouse: the UI until its code location is loaded, then stopped with SIGTERM; the
  docs until their catalogue is served, then stopped the same way;
- the analyst queries run on the tiny warehouse and must return rows.
Building and generating are not run here: the session's tiny warehouse is built by the
same ``run_build`` (tests/conftest.py), and ``make demo`` by hand.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DANGAN = ".venv/bin/dangan"
STOP_TIMEOUT_S = 40
pytestmark = pytest.mark.slow


def fenced_blocks(language: str, text: str | None = None) -> list[str]:
    """The bodies of the README's fenced blocks of one language, in order."""
    text = README.read_text(encoding="utf-8") if text is None else text
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def shell_commands(block: str) -> list[str]:
    """The block's commands: continuation lines joined, comments and prompts dropped."""
    joined = re.sub(r"\\\n\s*", " ", block)
    commands = []
    for line in joined.splitlines():
        line = re.split(r"\s#\s", line, maxsplit=1)[0].strip()
        if line and not line.startswith("#"):
            commands.append(line)
    return commands


def readme_commands() -> list[str]:
    return [command for block in fenced_blocks("bash") for command in shell_commands(block)]


def dangan_commands() -> list[str]:
    """Every ``dangan`` invocation of the README (the part after a shell pipe, if any)."""
    found = []
    for command in readme_commands():
        for segment in command.split(" | "):
            segment = segment.strip()
            if segment.startswith(DANGAN):
                found.append(segment)
    return found


def expansions(command: str) -> list[list[str]]:
    """A synopsis as concrete argument lists: ``[...]`` included, each ``a|b`` alternative."""
    words = shlex.split(command.replace("[", " ").replace("]", " "))[1:]
    choices = [word.split("|") if "|" in word and "://" not in word else [word] for word in words]
    return [list(combination) for combination in itertools.product(*choices)]


def is_synopsis(command: str) -> bool:
    return "[" in command or re.search(r"(?<!\S)\S+\|\S+", command.split("://")[0]) is not None


class ParseError(Exception):
    pass


def parse(argv: list[str]) -> None:
    from dagster_project.cli import build_parser

    def fail(self: argparse.ArgumentParser, message: str) -> None:
        raise ParseError(message)

    original = argparse.ArgumentParser.error
    argparse.ArgumentParser.error = fail
    try:
        build_parser().parse_args(argv)
    finally:
        argparse.ArgumentParser.error = original


def test_the_readme_names_the_commands_this_test_runs() -> None:
    """GIVEN the README WHEN its commands are read THEN it has the two quick-start make
    targets, the Dagster UI and docs commands and the analyst queries this test relies on
    (an empty extraction would let every other test pass on nothing)."""
    commands = readme_commands()
    assert "make demo" in commands and "make test" in commands
    assert any(c.startswith(f"{DANGAN} dagster") for c in commands)
    assert any(c.startswith(f"{DANGAN} docs") for c in commands)
    assert len(fenced_blocks("sql")) >= 5
    assert len(fenced_blocks("python")) == 1


@pytest.mark.parametrize("command", dangan_commands())
def test_each_dangan_command_of_the_readme_is_accepted_by_the_cli(command: str) -> None:
    """GIVEN a ``dangan`` line of the README WHEN the real parser reads it THEN it accepts
    it (a synopsis may leave required arguments out, never name an unknown one)."""
    for argv in expansions(command):
        try:
            parse(argv)
        except ParseError as error:
            if is_synopsis(command) and "the following arguments are required" in str(error):
                continue
            raise AssertionError(f"README command {' '.join(argv)!r}: {error}") from None


@pytest.mark.parametrize("target", ["demo", "test"])
def test_each_make_target_of_the_readme_exists(target: str) -> None:
    """GIVEN ``make demo`` / ``make test`` of the README WHEN make dry-runs them THEN both exist."""
    assert f"make {target}" in readme_commands()
    done = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_cli_synopsis_naming_an_unknown_option_is_refused() -> None:
    """GIVEN a command with an option the CLI does not have WHEN checked as the README's
    are THEN it is refused (the check above can fail)."""
    with pytest.raises(ParseError, match="unrecognized arguments"):
        parse(["docs", "--warehouse", "data/warehouse.duckdb", "--colour", "red"])


@pytest.fixture(scope="module")
def readme_folder(tiny_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder laid out like the checkout for the README's relative paths: ``.venv`` the
    project's, ``data/warehouse.duckdb`` the session's tiny warehouse (a link, as published)."""
    folder = tmp_path_factory.mktemp("readme")
    (folder / ".venv").symlink_to(ROOT / ".venv")
    (folder / "data").mkdir()
    (folder / "data" / "warehouse.duckdb").symlink_to(tiny_warehouse.resolve())
    return folder


@pytest.mark.parametrize("query", fenced_blocks("sql"), ids=lambda q: " ".join(q.split())[:60])
def test_each_analyst_query_of_the_readme_returns_rows_on_the_tiny_warehouse(
    query: str, readme_folder: Path
) -> None:
    """GIVEN the tiny warehouse WHEN a query of the README runs on it read-only THEN it
    returns at least one row (a query on ``current_date`` would find none in the demo)."""
    con = duckdb.connect(str(readme_folder / "data" / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(query).fetchall()
    finally:
        con.close()
    assert rows, f"README query returned no rows:\n{query}"


def test_the_python_snippet_of_the_readme_opens_the_warehouse_read_only(
    readme_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN the README's Python lines WHEN run in the checkout's layout THEN they open the
    warehouse, read-only: a write is refused."""
    (snippet,) = fenced_blocks("python")
    monkeypatch.chdir(readme_folder)
    scope: dict[str, object] = {}
    exec(snippet, scope)
    con = scope["con"]
    try:
        assert con.execute("select count(*) from marts.build_info").fetchone() == (1,)
        with pytest.raises(duckdb.Error):
            con.execute("create table marts.scratch (x int)")
    finally:
        con.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _readme_command(prefix: str, port: int) -> list[str]:
    """The README's command starting with ``prefix``, its ``--port`` value replaced."""
    (command,) = [c for c in readme_commands() if c.startswith(prefix) and "[" not in c]
    argv = shlex.split(command)
    argv[argv.index("--port") + 1] = str(port)
    return argv


@contextlib.contextmanager
def _running(argv: list[str], cwd: Path, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """The command in a session of its own; at the end, SIGTERM to it alone, then whatever
    of its session is left is killed (and reported by the test that asks)."""
    with log.open("w") as output:
        process = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def _session_members(session: int) -> list[int]:
    import psutil

    members = []
    for proc in psutil.process_iter(["pid", "status"]):
        with contextlib.suppress(psutil.Error):
            if os.getsid(proc.info["pid"]) == session and proc.info["status"] != psutil.STATUS_ZOMBIE:
                members.append(proc.info["pid"])
    return members


def _stop_and_wait(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=STOP_TIMEOUT_S)
    deadline = time.monotonic() + 5
    while _session_members(process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _session_members(process.pid), "processes left running after SIGTERM"
    return code


def _post_json(url: str, payload: dict) -> dict:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


LOCATIONS = """{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus
  locationOrLoadError { __typename ... on PythonError { message } } } } } }"""


def test_the_dagster_ui_command_of_the_readme_loads_the_code_location_and_stops_on_sigterm(
    readme_folder: Path, tmp_path: Path
) -> None:
    """GIVEN the README's Dagster UI command, run as written in a shell without any of the
    project's variables WHEN its webserver answers THEN the code location ``dangan`` is
    loaded without error, and on SIGTERM the command exits and leaves no process behind."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DANGAN_", "DAGSTER_"))}
    env.update(DAGSTER_HOME=str(tmp_path / "dagster"), DANGAN_DATA_DIR=str(tmp_path / "data"))
    log = tmp_path / "dagster.log"
    with _running(_readme_command(f"{DANGAN} dagster", port), readme_folder, env, log) as process:
        deadline = time.monotonic() + 300
        entries: list[dict] = []
        while time.monotonic() < deadline and process.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                answer = _post_json(f"http://127.0.0.1:{port}/graphql", {"query": LOCATIONS})
                entries = answer["data"]["workspaceOrError"]["locationEntries"]
                if entries and all(entry["loadStatus"] == "LOADED" for entry in entries):
                    break
            time.sleep(2)
        assert process.poll() is None, f"dangan dagster exited: {log.read_text()[-3000:]}"
        assert [entry["name"] for entry in entries] == ["dangan"], log.read_text()[-3000:]
        assert entries[0]["loadStatus"] == "LOADED", log.read_text()[-3000:]
        assert entries[0]["locationOrLoadError"]["__typename"] == "RepositoryLocation", entries
        assert _stop_and_wait(process) == 0


def test_the_dbt_docs_command_of_the_readme_serves_the_catalogue_of_a_copy_and_stops_on_sigterm(
    readme_folder: Path, tmp_path: Path
) -> None:
    """GIVEN the README's dbt docs command WHEN it runs beside the tiny warehouse (which
    stays published and untouched) THEN its server returns a catalogue with the marts, and
    on SIGTERM the command exits and leaves no process behind."""
    port = _free_port()
    published = (readme_folder / "data" / "warehouse.duckdb").resolve()
    before = published.stat().st_mtime_ns
    log = tmp_path / "docs.log"
    env = {k: v for k, v in os.environ.items() if k != "DANGAN_DBT_DB"}
    with _running(_readme_command(f"{DANGAN} docs", port), readme_folder, env, log) as process:
        deadline = time.monotonic() + 240
        catalog: dict = {}
        while time.monotonic() < deadline and process.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/catalog.json", timeout=5) as response:
                    catalog = json.loads(response.read())
                break
            time.sleep(1)
        assert process.poll() is None, f"dangan docs exited: {log.read_text()[-3000:]}"
        assert "model.dangan.reminders" in catalog.get("nodes", {}), log.read_text()[-3000:]
        assert "category" in catalog["nodes"]["model.dangan.reminders"]["columns"]
        assert _stop_and_wait(process) == 0
    assert published.stat().st_mtime_ns == before
