"""The jobs the schedules, the sensor and ``dangan build`` run: asset selections by group."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.delivery.assets import OUTBOX_KEY, SENT_KEY
from dagster_project.defs.scans.assets import SCAN_FILES_KEY, SCAN_PAGES_KEY

_core = dg.AssetSelection.groups("sources", "scans", "dbt", "publish")

REFRESH_SELECTION = _core
# `dangan build`: the refresh plus today's digests recorded in the outbox (never sent).
BUILD_SELECTION = _core | dg.AssetSelection.assets(OUTBOX_KEY)
DIGEST_SELECTION = _core | dg.AssetSelection.assets(OUTBOX_KEY, SENT_KEY)
CLOSE_SELECTION = _core | dg.AssetSelection.groups("close")
SCANS_SELECTION = dg.AssetSelection.assets(
    SCAN_FILES_KEY, SCAN_PAGES_KEY
).downstream() - dg.AssetSelection.groups("delivery", "close")

refresh_job = dg.define_asset_job(
    "refresh", selection=REFRESH_SELECTION, description="sources, scans and marts, then publish"
)
reminder_digest_job = dg.define_asset_job(
    "reminder_digest", selection=DIGEST_SELECTION, description="refresh, then send each person's digest"
)
monthly_close_job = dg.define_asset_job(
    "monthly_close", selection=CLOSE_SELECTION, description="refresh, freeze the closed month, report"
)
scans_job = dg.define_asset_job(
    "scans", selection=SCANS_SELECTION, description="new scans and the marts that depend on them"
)
