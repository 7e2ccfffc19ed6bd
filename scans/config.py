"""Fixed constants of the scan reader (its settings are in :mod:`ingest.settings`)."""

from __future__ import annotations

# PDFs are rendered at the embedded image's dpi clamped to this range (150-200 dpi pages
# lose their barcodes when downscaled); without one, at ``settings.SCAN_PDF_DPI``.
PDF_DPI_RANGE = (150.0, 300.0)
# Files written to DuckDB per transaction by the parent process.
WRITE_BATCH_FILES = 100
# A further reader worker starts only for this many more files to hash or read in a run:
# each costs ~0.4 s of CPU to start, some 7 files' reading (~1.35 pages a file at ~45 ms a
# page); with 64 files of its own the start is under a tenth of its work. The time
# budget needs a worker even for one file, so a run always starts one.
FILES_PER_WORKER = 64
