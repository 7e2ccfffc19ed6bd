"""Limits of the scan reader, from the environment with defaults for the embedded set-up.

A shared scan folder collects whatever people drop into it, so every file is read within
bounds: pixels per page (a decompression bomb claims gigapixels in a few bytes), pages per
file, and the resolution PDFs are rendered at.
"""

from __future__ import annotations

import os

# A4 at 600 dpi is 35 megapixels; anything far beyond that is not a scanned page.
MAX_PIXELS = int(os.environ.get("DANGAN_SCAN_MAX_PIXELS", "60000000"))
MAX_PAGES = int(os.environ.get("DANGAN_SCAN_MAX_PAGES", "200"))
# PDFs carry no pixels of their own page: rendered at the embedded image's dpi, clamped to
# this range (150-200 dpi pages lose their barcodes when downscaled), else the default.
PDF_DPI_DEFAULT = float(os.environ.get("DANGAN_SCAN_PDF_DPI", "200"))
PDF_DPI_RANGE = (150.0, 300.0)
# Files written to DuckDB per transaction by the parent process.
WRITE_BATCH_FILES = 100
# zxing-cpp as a last pass over pages libzbar left without an accepted code. Off by
# default: on the benchmark's pages it read none that the pyzbar passes (corners, whole
# page, median) missed, at 15-50 ms a page (bench/results/scans.md). Set to 1 to try it
# on real scans whose failures the synthetic pages do not model.
ZXING_PASS = os.environ.get("DANGAN_SCAN_ZXING", "0") in ("1", "true", "yes")
