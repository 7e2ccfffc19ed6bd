"""Scanned pages into ``raw.scan_files`` / ``raw.scan_pages``: a thin wrapper around ``scans``."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.common.resources import DUCKDB_POOL, WarehouseResource
from dagster_project.defs.scans.resources import ScansResource
from ingest.contract import create_raw_tables

SCAN_FILES_KEY = dg.AssetKey(["raw", "scan_files"])
SCAN_PAGES_KEY = dg.AssetKey(["raw", "scan_pages"])
SCAN_PATHS_KEY = dg.AssetKey(["raw", "scan_paths"])
SCAN_RUNS_KEY = dg.AssetKey(["raw", "scan_runs"])


@dg.multi_asset(
    name="scanned_pages",
    specs=[
        dg.AssetSpec(SCAN_FILES_KEY, group_name="scans", kinds={"duckdb"}),
        dg.AssetSpec(SCAN_PAGES_KEY, group_name="scans", kinds={"duckdb"}),
        dg.AssetSpec(SCAN_PATHS_KEY, group_name="scans", kinds={"duckdb"}),
        dg.AssetSpec(SCAN_RUNS_KEY, group_name="scans", kinds={"duckdb"}),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "every_file_readable",
            asset=SCAN_FILES_KEY,
            description=(
                "files that could not be read (this time, or at all) are recorded with their error; "
                "a warning, not a stop"
            ),
        )
    ],
    pool=DUCKDB_POOL,
)
def scanned_pages(context, warehouse: WarehouseResource, scans: ScansResource):
    """Read new scan files (known contents are skipped by hash), decode their barcodes and
    account for every path of the folder (copies, failures to retry, removed files)."""
    with warehouse.connect() as con:
        create_raw_tables(con)
        folder = scans.folder
        if folder is None or not folder.is_dir():
            context.log.info(f"no scans folder at {folder}; scan tables left as they are")
            files_seen = files_new = files_failed = pages = files_removed = 0
        else:
            from scans.ingest import ingest_scans

            run = ingest_scans(
                con,
                folder,
                barcode_pattern=scans.barcode_pattern,
                workers=scans.workers,
                progress=context.log.info,
            )
            files_seen, files_new, files_failed, pages, files_removed = (
                run.files_seen,
                run.files_new,
                run.files_failed,
                run.pages,
                run.files_removed,
            )
        # Contents read and found unreadable, and paths this run could not read (retried next run).
        error_files = con.execute(
            "select (select count(*) from raw.scan_files where status <> 'ok')"
            " + (select count(*) from raw.scan_paths where status = 'error')"
        ).fetchone()[0]
    yield dg.MaterializeResult(
        asset_key=SCAN_FILES_KEY,
        metadata={"files_seen": files_seen, "files_new": files_new, "files_failed": files_failed},
    )
    yield dg.MaterializeResult(asset_key=SCAN_PAGES_KEY, metadata={"pages_read": pages})
    yield dg.MaterializeResult(asset_key=SCAN_PATHS_KEY, metadata={"files_removed": files_removed})
    yield dg.MaterializeResult(asset_key=SCAN_RUNS_KEY, metadata={"scans_dir": str(folder) if folder else ""})
    yield dg.AssetCheckResult(
        asset_key=SCAN_FILES_KEY,
        check_name="every_file_readable",
        passed=error_files == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"files_with_errors": error_files},
    )
