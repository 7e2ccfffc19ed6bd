"""Schedules evaluate as of their tick in Asia/Shanghai; the sensor fires on new scan files."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from dagster_project.defs.close.schedules import monthly_close_schedule
from dagster_project.defs.delivery.schedules import reminder_digest_schedule
from dagster_project.defs.publish.schedules import refresh_schedule
from dagster_project.defs.scans.resources import ScansResource
from dagster_project.defs.scans.sensors import new_scans_sensor

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _as_of(request: dg.RunRequest) -> str:
    return request.run_config["resources"]["params"]["config"]["as_of"]


def test_refresh_runs_hourly_through_the_working_day_in_shanghai_time() -> None:
    assert refresh_schedule.cron_schedule == "0 8-18 * * 1-5"
    assert refresh_schedule.execution_timezone == "Asia/Shanghai"
    tick = datetime(2026, 11, 27, 3, 0, tzinfo=ZoneInfo("UTC"))  # 11:00 in Shanghai
    request = refresh_schedule(dg.build_schedule_context(scheduled_execution_time=tick))
    assert _as_of(request) == "2026-11-27 11:00:00"
    assert request.run_key == "2026-11-27 11:00:00"


def test_morning_digest_is_at_eight_and_evaluates_as_of_its_tick() -> None:
    assert reminder_digest_schedule.cron_schedule == "0 8 * * *"
    assert reminder_digest_schedule.job_name == "reminder_digest"
    tick = datetime(2026, 11, 27, 8, 0, tzinfo=SHANGHAI)
    request = reminder_digest_schedule(dg.build_schedule_context(scheduled_execution_time=tick))
    assert _as_of(request) == "2026-11-27 08:00:00"


def test_monthly_close_is_looked_at_every_morning_at_six_as_of_its_tick() -> None:
    """The close lag is in the warehouse, not known to the schedule: the close job runs
    daily and its asset decides which month (if any) to freeze."""
    assert monthly_close_schedule.cron_schedule == "0 6 * * *"
    assert monthly_close_schedule.execution_timezone == "Asia/Shanghai"
    assert monthly_close_schedule.job_name == "monthly_close"
    tick = datetime(2026, 11, 17, 6, 0, tzinfo=SHANGHAI)
    request = monthly_close_schedule(dg.build_schedule_context(scheduled_execution_time=tick))
    assert _as_of(request) == "2026-11-17 06:00:00"
    assert request.run_key == "2026-11-17 06:00:00"


def _evaluate(folder: Path, cursor: str | None):
    context = dg.build_sensor_context(
        cursor=cursor, resources={"scans": ScansResource(scans_dir=str(folder))}
    )
    result = new_scans_sensor(context)
    return result, context.cursor


def test_scans_sensor_fires_once_per_new_or_changed_file(tmp_path: Path) -> None:
    (tmp_path / "2026" / "11").mkdir(parents=True)
    first = tmp_path / "2026" / "11" / "DG000000000001.png"
    first.write_bytes(b"page one")
    (tmp_path / "notes.txt").write_text("not a scan")

    result, cursor = _evaluate(tmp_path, None)
    assert isinstance(result, dg.RunRequest)
    assert result.tags["dangan/new_scan_files"] == "1"

    again, same_cursor = _evaluate(tmp_path, cursor)
    assert isinstance(again, dg.SkipReason)
    assert same_cursor == cursor

    second = tmp_path / "2026" / "11" / "DG000000000002.pdf"
    second.write_bytes(b"%PDF-1.4 second")
    new, cursor2 = _evaluate(tmp_path, cursor)
    assert isinstance(new, dg.RunRequest)
    assert new.tags["dangan/new_scan_files"] == "1"
    assert new.run_key != result.run_key

    stat = first.stat()
    os.utime(first, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    replaced, _ = _evaluate(tmp_path, cursor2)
    assert isinstance(replaced, dg.RunRequest)


def test_scans_sensor_skips_when_the_folder_is_missing(tmp_path: Path) -> None:
    result, _ = _evaluate(tmp_path / "absent", None)
    assert isinstance(result, dg.SkipReason)


def test_dagster_home_gets_an_instance_config_with_telemetry_off_and_a_pool_of_one(tmp_path: Path) -> None:
    from dagster_project.home import ensure_home

    home = ensure_home(tmp_path / "dagster")
    instance = dg.DagsterInstance.from_config(str(home))
    try:
        assert instance.telemetry_enabled is False
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
    finally:
        instance.dispose()


def test_dagster_cli_validates_the_code_location(tmp_path: Path) -> None:
    import subprocess
    import sys

    from dagster_project.home import ensure_home

    home = ensure_home(tmp_path / "dagster")
    dagster = Path(sys.executable).with_name("dagster")
    root = Path(__file__).resolve().parents[2]
    completed = subprocess.run(
        [str(dagster), "definitions", "validate"],
        cwd=root,
        env={**os.environ, "DAGSTER_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "Validation successful for code location dangan" in completed.stdout + completed.stderr
