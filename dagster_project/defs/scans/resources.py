"""The scans folder and how barcodes on its pages are read."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from dagster_project.env import env_int_or, env_or
from ingest import settings


class ScansResource(dg.ConfigurableResource):
    scans_dir: str = ""
    barcode_pattern: str = settings.BARCODE_PATTERN
    workers: int = 2

    @property
    def folder(self) -> Path | None:
        return Path(self.scans_dir) if self.scans_dir else None


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "scans": ScansResource(
                scans_dir=env_or("DANGAN_SCANS_DIR", str(settings.SCANS_DIR)),
                barcode_pattern=env_or("DANGAN_BARCODE_PATTERN", settings.BARCODE_PATTERN),
                workers=env_int_or("DANGAN_SCAN_WORKERS", settings.SCAN_WORKERS),
            )
        }
    )
