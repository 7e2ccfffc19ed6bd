"""The close, looked at every morning at 06:00 Asia/Shanghai.

Which month is final depends on the close lag, a seed read by dbt; a schedule cannot know
it before a warehouse exists. So the close job runs daily: its build freezes whatever has
become final (as any build does), and the report goes out once per month and recipient.
"""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.close.jobs import monthly_close_job
from dagster_project.defs.common.run_config import as_of_request
from ingest import settings
from ingest.clock import TIMEZONE


@dg.schedule(
    job=monthly_close_job,
    cron_schedule=settings.CLOSE_CRON,
    execution_timezone=TIMEZONE,
    description="refresh (freezing every month whose close lag ran out) and send management the newest frozen month's report",
)
def monthly_close_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return as_of_request(context)
