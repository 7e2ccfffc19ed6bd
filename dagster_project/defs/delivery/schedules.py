"""The morning reminders digest (催办), 08:00 Asia/Shanghai."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.publish import jobs
from dagster_project.defs.publish import schedules as publish_schedules
from ingest import settings
from ingest.clock import TIMEZONE


@dg.schedule(
    job=jobs.reminder_digest_job,
    cron_schedule=settings.DIGEST_CRON,
    execution_timezone=TIMEZONE,
    description="refresh, then send every person the digest of their open reminders",
)
def reminder_digest_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    config = publish_schedules.as_of_run_config(context)
    as_of = config["resources"]["params"]["config"]["as_of"]
    return dg.RunRequest(run_key=f"digest-{as_of}", run_config=config, tags={"dangan/as_of": as_of})
