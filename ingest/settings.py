"""Settings: environment variables with defaults for the embedded set-up.

Only entry points (the CLI, resources' defaults, the dashboard) read this module; assets
get their configuration through Dagster resources.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = Path(os.environ.get("DANGAN_DBT_PROJECT_DIR", PROJECT_ROOT / "dbt"))

DATA_DIR = Path(os.environ.get("DANGAN_DATA_DIR", PROJECT_ROOT / "data"))
DEMO_DIR = DATA_DIR / "demo"
WAREHOUSE = Path(os.environ.get("DANGAN_WAREHOUSE", DATA_DIR / "warehouse.duckdb"))
SCANS_DIR = Path(os.environ.get("DANGAN_SCANS_DIR", DEMO_DIR / "scans"))
MARKETING_URL = os.environ.get("DANGAN_MARKETING_URL", f"sqlite:///{DEMO_DIR / 'marketing.sqlite'}")
ARCHIVE_URL = os.environ.get("DANGAN_ARCHIVE_URL", f"sqlite:///{DEMO_DIR / 'archive.sqlite'}")
# Scans link to documents and dossiers by the archive's own barcodes (a join in dbt), so
# any barcode format links without configuration. This optional filter (a regular
# expression, off when empty) keeps only the codes it matches for linking, for a site whose
# pages carry known foreign codes (meter labels, parcel stickers); every code read is
# recorded either way (raw_barcodes).
BARCODE_PATTERN = os.environ.get("DANGAN_BARCODE_PATTERN", "")
# Up to this many reader processes: one more starts for each scans.config.FILES_PER_WORKER
# files of a run, so a run over a few new files starts one.
SCAN_WORKERS = int(os.environ.get("DANGAN_SCAN_WORKERS", "2"))
# Bounds of the scan reader: a shared scan folder collects whatever people drop into it.
# A4 at 600 dpi is 35 megapixels; anything far beyond that is not a scanned page (a
# decompression bomb claims gigapixels in a few bytes).
SCAN_MAX_PIXELS = int(os.environ.get("DANGAN_SCAN_MAX_PIXELS", "60000000"))
SCAN_MAX_PAGES = int(os.environ.get("DANGAN_SCAN_MAX_PAGES", "200"))
# Budgets of one file's read, enforced in the reader's worker process: wall seconds to hash
# or to read it (a 200-page file at 300 dpi takes about a minute; beyond, the worker is
# stopped and the file tried again on the next run), bytes of the file itself, and the
# address space of the worker (0: no limit).
SCAN_FILE_TIMEOUT = float(os.environ.get("DANGAN_SCAN_FILE_TIMEOUT", "300"))
SCAN_MAX_FILE_MB = int(os.environ.get("DANGAN_SCAN_MAX_FILE_MB", "512"))
SCAN_MAX_MEMORY_MB = int(os.environ.get("DANGAN_SCAN_MAX_MEMORY_MB", "3072"))
# PDFs carry no pixels of their own page: rendered at the embedded image's dpi (clamped,
# see scans.config.PDF_DPI_RANGE), else at this one.
SCAN_PDF_DPI = float(os.environ.get("DANGAN_SCAN_PDF_DPI", "200"))
# zxing-cpp as a last pass over pages libzbar left without an accepted code. Off by
# default: on the benchmark's pages it read none that the pyzbar passes (corners, whole
# page, median) missed, at 15-50 ms a page (bench/results/scans.md). Set to 1 to try it
# on real scans whose failures the synthetic pages do not model.
SCAN_ZXING_PASS = os.environ.get("DANGAN_SCAN_ZXING", "0") in ("1", "true", "yes")

TELEMETRY_OFF = {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    "DAGSTER_DISABLE_TELEMETRY": "true",
}


def disable_telemetry() -> None:
    for key, value in TELEMETRY_OFF.items():
        os.environ.setdefault(key, value)


# Dagster: instance home (runs, schedules' state) and the control room's timing.
DAGSTER_HOME = Path(os.environ.get("DAGSTER_HOME", DATA_DIR / "dagster"))
# Hourly through the working day; the morning digest at 08:00; the close looked at every day
# at 06:00 (the close lag is the seed's, read from the warehouse: the close decides).
REFRESH_CRON = os.environ.get("DANGAN_REFRESH_CRON", "0 8-18 * * 1-5")
DIGEST_CRON = os.environ.get("DANGAN_DIGEST_CRON", "0 8 * * *")
CLOSE_CRON = os.environ.get("DANGAN_CLOSE_CRON", "0 6 * * *")

# The heap of local Spark (``dangan build --engine spark``): its one JVM runs every task, so
# this bounds the build's memory on Spark; what does not fit spills to disk. Set where the JVM
# starts (dagster_project.spark_engine); on a cluster it belongs to spark-defaults.conf.
SPARK_DRIVER_MEMORY = os.environ.get("DANGAN_SPARK_DRIVER_MEMORY", "2g")
# DuckDB's memory bound in a build, on every connection to the build copy (dbt's through the
# warehouse target of dbt/profiles.yml, which reads the same variable and holds the default,
# DuckDB's own 80 % of the RAM): beyond it DuckDB spills to a temporary folder beside the
# file. Empty here: the steps' connections keep DuckDB's default, the same as dbt's.
DUCKDB_MEMORY_LIMIT = os.environ.get("DANGAN_DUCKDB_MEMORY_LIMIT", "")
