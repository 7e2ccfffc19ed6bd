"""The close job: the refresh, then the latest final month frozen and reported."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.common import keys

CLOSE_SELECTION = dg.AssetSelection.groups(*keys.REFRESH_GROUPS, keys.CLOSE)

monthly_close_job = dg.define_asset_job(
    "monthly_close",
    selection=CLOSE_SELECTION,
    description="refresh, freeze the latest final month unless frozen, report it to management",
)
