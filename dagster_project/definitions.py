"""The Dagster code location: every domain folder under ``defs/``.

``dagster dev`` (with ``DAGSTER_HOME`` from :func:`dagster_project.home.ensure_home`) and
``dangan build`` both load these definitions; every job runs in process, one step after
another, because all steps share one DuckDB build copy.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from ingest import settings

settings.disable_telemetry()


@dg.definitions
def defs() -> dg.Definitions:
    loaded = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
    return dg.Definitions.merge(loaded, dg.Definitions(executor=dg.in_process_executor))
