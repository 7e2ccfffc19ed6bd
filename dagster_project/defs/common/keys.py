"""Asset keys and group names that cross domain lines.

A domain's own keys live in its ``assets.py``; the ones here are read or waited for by
another domain (the publish waits for the digests and the close; the close reads marts
and a seed), so they are written once, here, and no domain imports another's assets.
Jobs select by these group names.
"""

from __future__ import annotations

import dagster as dg

# Groups: the jobs are unions of these.
SOURCES = "sources"
SCANS = "scans"
DBT = "dbt"
DIGESTS = "digests"  # today's digests composed and queued in the outbox
DELIVERY = "delivery"  # the outbox sent through the enabled channels
CLOSE = "close"  # the newest frozen month reported to management
PUBLISH = "publish"

# dbt models and seeds read outside dbt (keys are <schema>/<table>).
THRESHOLDS = dg.AssetKey(["staging", "thresholds"])
CODE_LABELS = dg.AssetKey(["marts", "code_labels"])
KPI_MONTHLY = dg.AssetKey(["marts", "kpi_monthly"])
SCORECARD_MONTHLY = dg.AssetKey(["marts", "scorecard_monthly"])
KPI_MONTHS = dg.AssetKey(["marts", "kpi_months"])
FROZEN_KPI_MONTHLY = dg.AssetKey(["frozen", "kpi_monthly"])
FROZEN_SCORECARD_MONTHLY = dg.AssetKey(["frozen", "scorecard_monthly"])
REMINDERS = dg.AssetKey(["marts", "reminders"])
REMINDER_DIGEST = dg.AssetKey(["marts", "reminder_digest"])

# Assets of the Python domains that the publish waits for.
OUTBOX = dg.AssetKey(["delivery", "outbox"])
SENT = dg.AssetKey(["delivery", "sent"])
MONTHLY_REPORT = dg.AssetKey(["delivery", "monthly_report"])
PUBLISHED = dg.AssetKey(["published_warehouse"])

# Every job refreshes these before its own groups; the publish comes last.
REFRESH_GROUPS = (SOURCES, SCANS, DBT, PUBLISH)
