"""Where the source systems are: a folder of tables or two SQLAlchemy URLs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from dagster_project.env import env_or
from ingest import settings

if TYPE_CHECKING:
    from ingest.sources import Source


class SourcesResource(dg.ConfigurableResource):
    """``source_dir`` (``<dir>/<system>/<table>.csv|.parquet``) wins over the URLs when set."""

    source_dir: str = ""
    marketing_url: str = ""
    archive_url: str = ""
    # Tables this run may shrink beyond the seed's shrink_max_share (`--allow-shrink`).
    allow_shrink: list[str] = []

    def source_for(self, system: str) -> Source:
        from ingest.sources import DatabaseSource, FolderSource

        if self.source_dir:
            return FolderSource(Path(self.source_dir))
        url = {"marketing": self.marketing_url, "archive": self.archive_url}[system]
        if not url:
            raise ValueError(f"no source configured for system {system!r}: set a source folder or its URL")
        return DatabaseSource(url)

    def describe(self, system: str) -> str:
        """Where the system is read from, as it may be logged (no password, no key)."""
        from ingest.redact import redact_url

        if self.source_dir:
            return str(Path(self.source_dir) / system)
        return redact_url({"marketing": self.marketing_url, "archive": self.archive_url}[system])


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "sources": SourcesResource(
                source_dir=env_or("DANGAN_SOURCE_DIR", ""),
                marketing_url=env_or("DANGAN_MARKETING_URL", settings.MARKETING_URL),
                archive_url=env_or("DANGAN_ARCHIVE_URL", settings.ARCHIVE_URL),
            )
        }
    )
