"""``dangan build`` through the Dagster definitions on the tiny data set: publish, failure,
a killed build, and the monthly close."""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import dagster as dg
import openpyxl
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


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    con = wh.connect_published(warehouse)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_definitions_load_with_jobs_schedules_sensor_and_valid_schedule_config() -> None:
    from dagster_project.definitions import defs
    from dagster_project.defs.common.resources import DUCKDB_POOL

    definitions = defs()
    jobs = {job.name for job in definitions.resolve_all_job_defs()}
    assert {"refresh", "reminder_digest", "monthly_close", "scans"} <= jobs
    assert {s.name for s in definitions.schedules} == {
        "refresh_schedule",
        "reminder_digest_schedule",
        "monthly_close_schedule",
    }
    assert [s.name for s in definitions.sensors] == ["new_scans_sensor"]
    run_config = {"resources": {"params": {"config": {"as_of": "2026-11-17 06:00:00"}}}}
    for name in ("refresh", "monthly_close"):
        assert dg.validate_run_config(definitions.resolve_job_def(name), run_config)
    # Every asset that writes the DuckDB build copy waits for the pool of size 1.
    for assets_def in definitions.assets:
        keys = {key.path[0] for key in assets_def.keys}
        if keys & {"raw", "marts", "delivery", "frozen", "published_warehouse"}:
            assert assets_def.op.pool == DUCKDB_POOL, assets_def.keys
    graph = definitions.resolve_asset_graph()
    # dbt sources in schema raw are the loading assets' keys, so the graph is connected:
    # the marts descend from the loaded tables, and the publish from the marts.
    reminders = dg.AssetKey(["marts", "reminders"])
    assert dg.AssetKey(["raw", "customers"]) in graph.get_ancestor_asset_keys(reminders)
    assert reminders in graph.get_ancestor_asset_keys(dg.AssetKey(["published_warehouse"]))
    # The monthly close: computed figures → frozen (dbt) → marts and the report → publish.
    frozen = dg.AssetKey(["frozen", "kpi_monthly"])
    report = dg.AssetKey(["delivery", "monthly_report"])
    assert frozen in graph.get_ancestor_asset_keys(dg.AssetKey(["marts", "kpi_monthly"]))
    assert frozen in graph.get_ancestor_asset_keys(report)
    assert report in graph.get_ancestor_asset_keys(dg.AssetKey(["published_warehouse"]))
    check_keys = list(graph.asset_check_keys)
    assert any(check.asset_key.path[0] in ("marts", "staging", "intermediate") for check in check_keys)


def _folder_build_definitions(tmp_path: Path) -> dg.Definitions:
    """``dangan build``'s definitions over an empty source folder (nothing is run)."""
    from dagster_project.build import build_definitions

    return build_definitions(
        source=tmp_path,
        marketing_url=None,
        archive_url=None,
        scans=None,
        warehouse=tmp_path / "warehouse.duckdb",
        as_of="2026-11-17 06:00:00",
        full_refresh=False,
    )


def test_each_job_selects_its_groups_and_dangan_build_queues_but_neither_sends_nor_closes(
    tmp_path: Path,
) -> None:
    """The jobs are unions of asset groups: every job refreshes (sources, scans, dbt with
    its freezing of final months, publish); ``dangan build`` adds the digests' outbox only,
    the morning digest adds the send, the close adds the report."""
    from dagster_project.build import BUILD_JOB

    definitions = _folder_build_definitions(tmp_path)
    graph = definitions.resolve_asset_graph()

    def selected(job: str) -> set[dg.AssetKey]:
        return set(definitions.resolve_job_def(job).asset_layer.selected_asset_keys)

    outbox, sent = dg.AssetKey(["delivery", "outbox"]), dg.AssetKey(["delivery", "sent"])
    frozen, report = dg.AssetKey(["frozen", "kpi_monthly"]), dg.AssetKey(["delivery", "monthly_report"])
    refresh = selected("refresh")
    assert dg.AssetKey(["raw", "customers"]) in refresh
    assert dg.AssetKey(["marts", "kpi_monthly"]) in refresh
    assert dg.AssetKey(["published_warehouse"]) in refresh
    assert frozen in refresh, "every build freezes the months that became final"
    assert not refresh & {outbox, sent, report}
    assert selected(BUILD_JOB) == refresh | {outbox}
    assert selected("reminder_digest") == refresh | {outbox, sent}
    assert selected("monthly_close") == refresh | {report}
    assert selected("scans") <= refresh
    assert graph.get(report).group_name == "close"


def test_dangan_build_runs_dbt_tests_without_an_asset_check_each_but_the_code_location_keeps_them(
    tmp_path: Path,
) -> None:
    """GIVEN the code location's definitions and ``dangan build``'s WHEN their asset checks are
    listed THEN the code location has one per dbt data test on the dbt models, and the
    build (an ephemeral instance nobody opens) has none on them but keeps the loading
    assets' own checks on the raw tables."""
    from dagster_project.definitions import defs

    def dbt_checks(definitions: dg.Definitions) -> set[dg.AssetCheckKey]:
        return {
            key
            for key in definitions.resolve_asset_graph().asset_check_keys
            if key.asset_key.path[0] in ("staging", "intermediate", "marts")
        }

    definitions = _folder_build_definitions(tmp_path)
    assert dbt_checks(defs())
    assert dbt_checks(definitions) == set()
    assert any(key.asset_key.path[0] == "raw" for key in definitions.resolve_asset_graph().asset_check_keys)
    assert dbt_checks(defs()), "the build's switch ends with its definitions"


def test_build_publishes_marts_and_reconciles_every_table(tiny_warehouse: Path) -> None:
    tables = {
        row[0]
        for row in _rows(
            tiny_warehouse, "select table_schema || '.' || table_name from information_schema.tables"
        )
    }
    for table in (
        "marts.kpi_monthly",
        "marts.scorecard_monthly",
        "marts.reminders",
        "raw.calendar_days",
        "raw.scan_pages",
    ):
        assert table in tables
    runs = _rows(
        tiny_warehouse,
        "select table_name, source_rows, loaded_rows, rejected_rows, status from raw.ingest_runs",
    )
    assert len(runs) >= 14
    assert all(source == loaded + rejected and status == "ok" for _, source, loaded, rejected, status in runs)
    assert _rows(tiny_warehouse, "select count(*) from marts.kpi_monthly")[0][0] > 0
    # The build's private copy was moved into the versions, not left behind.
    assert not list(wh.build_dir(tiny_warehouse).glob("*.duckdb"))
    assert tiny_warehouse.is_symlink()


def test_failed_build_exits_non_zero_names_the_table_and_keeps_the_published_version(
    tiny_source: Path, tiny_as_of: str, tiny_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    warehouse = _fresh_warehouse(tiny_warehouse, tmp_path / "w")
    version = wh.published_version(warehouse)
    broken = tmp_path / "broken"
    for system in ("marketing", "archive"):
        (broken / system).mkdir(parents=True)
        for table in (tiny_source / system).iterdir():
            if table.name.startswith("customers."):
                continue
            (broken / system / table.name).write_bytes(table.read_bytes())
    code = run_build(broken, None, None, None, warehouse, tiny_as_of, False)
    message = capsys.readouterr().err
    assert code == 1
    assert "customers" in message
    assert "unchanged" in message
    assert wh.published_version(warehouse) == version
    assert _rows(warehouse, "select count(*) from raw.customers")[0][0] > 0


def test_killed_build_leaves_the_published_warehouse_readable_and_the_next_build_works(
    tiny_source: Path, tiny_as_of: str, tiny_warehouse: Path, tmp_path: Path
) -> None:
    """GIVEN a published warehouse and a reader polling it
    WHEN a build is killed (SIGKILL, dbt included) while the marts are being built
    THEN the reader never fails, the published version and its rows are unchanged,
    and the next build publishes a new version."""
    warehouse = _fresh_warehouse(tiny_warehouse, tmp_path / "w")
    version = wh.published_version(warehouse)
    kpi_before = _rows(warehouse, "select count(*), round(sum(score), 6) from marts.kpi_monthly")
    script = (
        "import sys; from pathlib import Path; from dagster_project.build import run_build; "
        "sys.exit(run_build(Path(sys.argv[1]), None, None, Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4], True))"
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            script,
            str(tiny_source),
            str(tiny_source / "scans"),
            str(warehouse),
            tiny_as_of,
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    reads = 0
    deadline = time.monotonic() + 600
    try:
        for line in process.stdout:
            assert _rows(warehouse, "select count(*) from marts.kpi_monthly") == [(kpi_before[0][0],)]
            reads += 1
            if "dbt_models: step start" in line:
                time.sleep(2)
                break
            assert time.monotonic() < deadline, "build did not reach the dbt step"
        else:
            pytest.fail(f"build ended before the dbt step, exit code {process.wait()}")
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    assert reads > 3
    assert list(wh.build_dir(warehouse).glob("*.duckdb")), "the kill should leave the private copy behind"
    assert wh.published_version(warehouse) == version
    assert _rows(warehouse, "select count(*), round(sum(score), 6) from marts.kpi_monthly") == kpi_before

    assert run_build(tiny_source, None, None, tiny_source / "scans", warehouse, tiny_as_of, False) == 0
    assert wh.published_version(warehouse) != version
    assert _rows(warehouse, "select count(*), round(sum(score), 6) from marts.kpi_monthly") == kpi_before


def test_monthly_close_mails_the_frozen_month_and_a_later_build_keeps_it(
    tiny_source: Path, tiny_as_of: str, tiny_warehouse: Path, tmp_path: Path, smtp_server
) -> None:
    from dagster_project.defs.close.months import latest_frozen_month
    from dagster_project.defs.delivery.resources import DeliveryResource
    from ingest.clock import format_as_of, parse_as_of

    handler, port = smtp_server
    warehouse = _fresh_warehouse(tiny_warehouse, tmp_path / "w")
    delivery = DeliveryResource(
        channels="email", smtp_host="127.0.0.1", smtp_port=port, report_to="leader@example.test"
    )
    args = (tiny_source, None, None, tiny_source / "scans", warehouse)
    assert run_build(*args, tiny_as_of, False, job="monthly_close", delivery=delivery) == 0
    con = wh.connect_published(warehouse)
    try:
        month = latest_frozen_month(con)
    finally:
        con.close()
    assert month is not None

    frozen_sql = "select * exclude (frozen_at) from frozen.{} where month = '{}' order by all"
    frozen_kpi = _rows(warehouse, frozen_sql.format("kpi_monthly", month))
    frozen_scores = _rows(warehouse, frozen_sql.format("scorecard_monthly", month))
    assert frozen_kpi and frozen_scores
    mart_sql = (
        "select * exclude (frozen_at, points_lost) from marts.kpi_monthly where month = '{}' order by all"
    )
    mart_kpi = _rows(warehouse, mart_sql.format(month))
    assert [row for row in mart_kpi] == frozen_kpi
    frozen_at = _rows(warehouse, "select distinct frozen_at from frozen.kpi_monthly")

    assert len(handler.messages) == 1
    mail = handler.messages[0]
    assert mail["To"] == "leader@example.test"
    attachment = next(mail.iter_attachments())
    workbook = openpyxl.load_workbook(io.BytesIO(attachment.get_content()))
    assert workbook["排名"].cell(row=3, column=2).value == "排名"
    assert workbook["排名"].max_row - 3 == len(frozen_scores)

    # Later the archive system loses half its archive steps (a correction upstream). A full
    # reload a day on changes the provisional months but not the frozen ones.
    edited = tmp_path / "edited"
    shutil.copytree(tiny_source, edited, ignore=shutil.ignore_patterns("scans", "*.sqlite"))
    steps = edited / "archive" / "archive_steps.csv"
    with steps.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    with steps.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([rows[0], *rows[1::2]])
    before_open = _rows(warehouse, f"select * from marts.kpi_monthly where month > '{month}' order by all")
    assert before_open, "the build has a provisional month after the frozen one"
    later = format_as_of(parse_as_of(tiny_as_of) + timedelta(days=1))
    edited_args = (edited, None, None, tiny_source / "scans", warehouse)
    # Half the archive steps go: beyond the shrink limit, so the reload is told.
    assert (
        run_build(
            *edited_args, later, True, job="monthly_close", delivery=delivery, allow_shrink=["archive_steps"]
        )
        == 0
    )
    assert (
        _rows(warehouse, f"select * from marts.kpi_monthly where month > '{month}' order by all")
        != before_open
    )
    assert _rows(warehouse, frozen_sql.format("kpi_monthly", month)) == frozen_kpi
    assert _rows(warehouse, frozen_sql.format("scorecard_monthly", month)) == frozen_scores
    assert _rows(warehouse, "select distinct frozen_at from frozen.kpi_monthly") == frozen_at
    # The marts take the closed month from frozen.*, unchanged.
    assert _rows(warehouse, mart_sql.format(month)) == frozen_kpi
    assert len(handler.messages) == 1, "the same report is not sent twice"
    outbox = _rows(warehouse, "select kind, status from delivery.outbox where kind = 'monthly_report'")
    assert outbox == [("monthly_report", "sent")]


def test_scans_job_reads_a_new_file_and_rebuilds_the_marts_that_depend_on_it(
    tiny_source: Path, tiny_as_of: str, tiny_warehouse: Path, tmp_path: Path
) -> None:
    """GIVEN a published warehouse and a scan of a document not scanned before
    WHEN the job the scans sensor starts runs
    THEN the file is read, the document shows as scanned, and a new version is published."""
    from dagster_project.definitions import defs
    from dagster_project.defs.scans.jobs import SCANS_SELECTION
    from scans.synthetic import write_document_scan

    selected = SCANS_SELECTION.resolve(defs().resolve_asset_graph())
    assert dg.AssetKey(["marts", "customer_documents"]) in selected
    assert dg.AssetKey(["raw", "customers"]) not in selected
    assert dg.AssetKey(["published_warehouse"]) in selected

    warehouse = _fresh_warehouse(tiny_warehouse, tmp_path / "w")
    version = wh.published_version(warehouse)
    doc_id, barcode = _rows(
        warehouse,
        "select doc_id, barcode from marts.customer_documents where not scanned order by doc_id limit 1",
    )[0]
    scans = tmp_path / "scans"
    shutil.copytree(tiny_source / "scans", scans)
    write_document_scan(scans / "new" / f"{barcode}.png", barcode, fmt="png")
    files_before = _rows(warehouse, "select count(*) from raw.scan_files")[0][0]

    assert run_build(tiny_source, None, None, scans, warehouse, tiny_as_of, False, job="scans") == 0
    assert wh.published_version(warehouse) != version
    assert _rows(warehouse, "select count(*) from raw.scan_files")[0][0] == files_before + 1
    assert _rows(warehouse, f"select scanned from marts.customer_documents where doc_id = '{doc_id}'") == [
        (True,)
    ]
