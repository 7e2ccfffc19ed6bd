"""Hourly refresh through the working day and the monthly close (Asia/Shanghai)."""

from __future__ import annotations

import dagster as dg

from dagster_project.close import close_day_of_month
from dagster_project.defs.publish import jobs
from ingest import settings
from ingest.clock import TIMEZONE, format_as_of


def as_of_run_config(context: dg.ScheduleEvaluationContext) -> dict:
    """Evaluate as of the tick's local time, so a late or re-run tick gives the same figures."""
    moment = context.scheduled_execution_time
    if moment is None:
        from ingest.clock import local_now

        local = local_now()
    else:
        from zoneinfo import ZoneInfo

        local = moment.astimezone(ZoneInfo(TIMEZONE)).replace(tzinfo=None)
    return {"resources": {"params": {"config": {"as_of": format_as_of(local)}}}}


def _request(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    config = as_of_run_config(context)
    as_of = config["resources"]["params"]["config"]["as_of"]
    return dg.RunRequest(run_key=as_of, run_config=config, tags={"dangan/as_of": as_of})


@dg.schedule(
    job=jobs.refresh_job,
    cron_schedule=settings.REFRESH_CRON,
    execution_timezone=TIMEZONE,
    description="refresh sources and marts through the working day",
)
def refresh_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return _request(context)


@dg.schedule(
    job=jobs.monthly_close_job,
    cron_schedule=f"0 6 {close_day_of_month(settings.CLOSE_LAG_DAYS)} * *",
    execution_timezone=TIMEZONE,
    description="freeze the month whose close lag ran out and send management its report",
)
def monthly_close_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return _request(context)
