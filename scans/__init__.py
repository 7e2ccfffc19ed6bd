"""Scanned pages: read a folder of scans, decode their Code128 barcodes, write raw.scan_*.

``scans.ingest.ingest_scans`` is the entry point; ``scans.synthetic`` renders test pages.
No Dagster import here: ``dagster_project.defs.scans`` wraps this as an asset.
"""
