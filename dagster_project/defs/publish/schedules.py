"""Hourly refresh through the working day (Asia/Shanghai)."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.common.run_config import as_of_request
from dagster_project.defs.publish.jobs import refresh_job
from ingest import settings
from ingest.clock import TIMEZONE


@dg.schedule(
    job=refresh_job,
    cron_schedule=settings.REFRESH_CRON,
    execution_timezone=TIMEZONE,
    description="refresh sources and marts through the working day",
)
def refresh_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return as_of_request(context)
