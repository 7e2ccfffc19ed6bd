"""Fixed constants of the scan reader (its settings are in :mod:`ingest.settings`)."""

from __future__ import annotations

# PDFs are rendered at the embedded image's dpi clamped to this range (150-200 dpi pages
# lose their barcodes when downscaled); without one, at ``settings.SCAN_PDF_DPI``.
PDF_DPI_RANGE = (150.0, 300.0)
# Files written to DuckDB per transaction by the parent process.
WRITE_BATCH_FILES = 100
# A further reader worker starts only for this many more files to hash or read in a run:
# each costs ~0.4 s of CPU to start, ~15 pages' worth of reading.
FILES_PER_WORKER = 8
