"""The close job: the refresh (whose dbt build freezes every final month), then the report."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.common import keys

CLOSE_SELECTION = dg.AssetSelection.groups(*keys.REFRESH_GROUPS, keys.CLOSE)

monthly_close_job = dg.define_asset_job(
    "monthly_close",
    selection=CLOSE_SELECTION,
    description="refresh (freezing every final month not frozen yet), report the newest frozen month to management",
)
