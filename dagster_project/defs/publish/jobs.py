"""The refresh job and what ``dangan build`` runs: unions of asset groups.

Every job refreshes the sources, scans and marts and ends with the publish; the other
domains' jobs (the morning digest, the close, new scans) add their own groups.
"""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.common import keys

REFRESH_SELECTION = dg.AssetSelection.groups(*keys.REFRESH_GROUPS)
# `dangan build`: the refresh plus today's digests recorded in the outbox (never sent).
BUILD_SELECTION = dg.AssetSelection.groups(*keys.REFRESH_GROUPS, keys.DIGESTS)

refresh_job = dg.define_asset_job(
    "refresh", selection=REFRESH_SELECTION, description="sources, scans and marts, then publish"
)
