"""The morning reminders digest (催办), 08:00 Asia/Shanghai."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.common.run_config import as_of_request
from dagster_project.defs.delivery.jobs import reminder_digest_job
from ingest import settings
from ingest.clock import TIMEZONE


@dg.schedule(
    job=reminder_digest_job,
    cron_schedule=settings.DIGEST_CRON,
    execution_timezone=TIMEZONE,
    description="refresh, then send every person the digest of their open reminders",
)
def reminder_digest_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return as_of_request(context, run_key_prefix="digest-")
