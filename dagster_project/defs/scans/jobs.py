"""The job the scans sensor starts: new scans and everything built from them, then publish."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.common import keys

# Downstream of the scan tables: the marts built from them and the publish; not the
# digests or the close, which belong to their own schedules.
SCANS_SELECTION = dg.AssetSelection.groups(keys.SCANS).downstream() - dg.AssetSelection.groups(
    keys.DIGESTS, keys.DELIVERY, keys.CLOSE
)

scans_job = dg.define_asset_job(
    "scans", selection=SCANS_SELECTION, description="new scans and the marts that depend on them"
)
