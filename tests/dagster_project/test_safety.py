"""``dangan build`` refuses what would lose or overwrite data: a truncated export of a
table replaced whole, a second build on the same warehouse, a publish over a version it
did not start from."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dagster_project.build import run_build
from ingest import warehouse as wh

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _fresh_warehouse(tiny_warehouse: Path, folder: Path) -> Path:
    """A warehouse of its own whose published version is a copy of the tiny one."""
    warehouse = folder / "warehouse.duckdb"
    copy = wh.build_dir(warehouse) / "seed-copy.duckdb"
    copy.parent.mkdir(parents=True)
    copy.write_bytes(wh.published_file(tiny_warehouse).read_bytes())
    wh.publish(copy, warehouse)
    return warehouse


def _count(warehouse: Path, sql: str) -> int:
    con = wh.connect_published(warehouse)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_header_only_staff_export_fails_the_build_and_names_the_override(
    tiny_source: Path, tiny_as_of: str, tiny_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """GIVEN a published warehouse and a source whose staff.csv holds only its header
    WHEN it is built
    THEN the build fails naming staff and --allow-shrink, and the published staff stay."""
    warehouse = _fresh_warehouse(tiny_warehouse, tmp_path / "w")
    version = wh.published_version(warehouse)
    staff_before = _count(warehouse, "select count(*) from raw.staff")
    source = tmp_path / "source"
    shutil.copytree(tiny_source / "marketing", source / "marketing")
    shutil.copytree(tiny_source / "archive", source / "archive")
    staff = source / "marketing" / "staff.csv"
    staff.write_text(staff.read_text(encoding="utf-8-sig").splitlines()[0] + "\n", encoding="utf-8")

    code = run_build(source, None, None, None, warehouse, tiny_as_of, False)

    message = capsys.readouterr().err
    assert code == 1
    assert (
        f"this load would remove {staff_before:,} of the {staff_before:,} rows of raw.staff (100%)" in message
    )
    assert "--allow-shrink staff" in message
    assert wh.published_version(warehouse) == version
    assert _count(warehouse, "select count(*) from raw.staff") == staff_before > 0


def test_allow_shrink_must_name_a_source_table(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code = run_build(tmp_path, None, None, None, tmp_path / "w.duckdb", None, False, allow_shrink=["staf"])
    assert code == 2
    assert "--allow-shrink names no source table: staf" in capsys.readouterr().err


def test_build_during_the_monthly_close_is_refused_and_the_close_publishes_its_frozen_months(
    tiny_source: Path, tiny_as_of: str, tiny_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """GIVEN the monthly close running in another process
    WHEN a manual build is started on the same warehouse, and then a third one
    THEN the manual builds are refused at once naming the close's process, and the close
    publishes its version with its frozen months."""
    warehouse = _fresh_warehouse(tiny_warehouse, tmp_path / "w")
    before = wh.published_version(warehouse)
    script = (
        "import sys; from pathlib import Path; from dagster_project.build import run_build; "
        "sys.exit(run_build(Path(sys.argv[1]), None, None, None, Path(sys.argv[2]), sys.argv[3], False, "
        "job='monthly_close'))"
    )
    close = subprocess.Popen(
        [sys.executable, "-c", script, str(tiny_source), str(warehouse), tiny_as_of],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert close.stdout.readline().startswith("dangan build as of")
        codes = [run_build(tiny_source, None, None, None, warehouse, tiny_as_of, False) for _ in range(2)]
        refused = capsys.readouterr().err
        output = close.stdout.read()
    finally:
        close.wait(timeout=600)

    assert close.returncode == 0, output
    assert codes == [1, 1]
    assert refused.count(f"dangan build refused: {warehouse} is being built by pid {close.pid}") == 2
    assert wh.published_version(warehouse) != before
    assert f"published {wh.published_version(warehouse)}" in output
    assert _count(warehouse, "select count(*) from frozen.kpi_monthly") > 0
    assert not wh.lock_file(warehouse).exists()


def test_builds_failing_on_a_full_disk_leave_nothing_behind_and_the_next_one_publishes(
    tiny_source: Path, tiny_as_of: str, tiny_warehouse: Path, tmp_path: Path
) -> None:
    """GIVEN a published warehouse
    WHEN two builds in a row run out of space (a file-size limit of half the published
    file: the working copy breaks off half-way) and a third has room
    THEN the two failures leave no working copy and no lock, the published version stays,
    and the third build publishes."""
    warehouse = _fresh_warehouse(tiny_warehouse, tmp_path / "w")
    version = wh.published_version(warehouse)
    limit = wh.published_file(warehouse).stat().st_size // 2
    script = (
        "import resource, sys; from pathlib import Path; "
        "limit = int(sys.argv[4]); resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)); "
        "from dagster_project.build import run_build; "
        "sys.exit(run_build(Path(sys.argv[1]), None, None, None, Path(sys.argv[2]), sys.argv[3], True))"
    )
    for _ in range(2):
        failed = subprocess.run(
            [sys.executable, "-c", script, str(tiny_source), str(warehouse), tiny_as_of, str(limit)],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert failed.returncode == 1, failed.stdout + failed.stderr
        assert "File too large" in failed.stderr
        assert list(wh.build_dir(warehouse).iterdir()) == []
        assert not wh.lock_file(warehouse).exists()
        assert wh.published_version(warehouse) == version

    assert run_build(tiny_source, None, None, None, warehouse, tiny_as_of, True) == 0
    assert wh.published_version(warehouse) != version


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting to be reaped is not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_children_die_when_the_build_process_is_killed(tmp_path: Path) -> None:
    """GIVEN a process inside ``children_die_with_this_process`` (as `dangan build` runs)
    with a child of its own, started by a parent that does not give it a group of its own
    WHEN that process alone is killed with SIGKILL
    THEN its child dies too, within seconds."""
    script = (
        "import subprocess, sys, time; from dagster_project.build import children_die_with_this_process\n"
        "with children_die_with_this_process():\n"
        "    child = subprocess.Popen(['sleep', '300'])\n"
        "    print(child.pid, flush=True)\n"
        "    time.sleep(300)\n"
    )
    build = subprocess.Popen(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True
    )
    child = 0
    try:
        child = int(build.stdout.readline())
        assert _running(child)
        assert os.getpgid(build.pid) == build.pid, "the build leads its own process group"
        assert os.getpgid(build.pid) != os.getpgrp()
        build.send_signal(signal.SIGKILL)
        build.wait()
        deadline = time.monotonic() + 10
        while _running(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _running(child), "the child still runs after the build was killed"
    finally:
        if build.poll() is None:
            build.send_signal(signal.SIGKILL)
            build.wait()
        if child and _running(child):
            os.kill(child, signal.SIGKILL)
