"""The morning digest job: the refresh, then today's digests queued and sent."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.common import keys

DIGEST_SELECTION = dg.AssetSelection.groups(*keys.REFRESH_GROUPS, keys.DIGESTS, keys.DELIVERY)

reminder_digest_job = dg.define_asset_job(
    "reminder_digest", selection=DIGEST_SELECTION, description="refresh, then send each person's digest"
)
