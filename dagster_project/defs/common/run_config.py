"""The run config and run request of a schedule tick: ``as_of`` is the tick's local time."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import dagster as dg

from ingest.clock import TIMEZONE, format_as_of, local_now


def as_of_run_config(context: dg.ScheduleEvaluationContext) -> dict:
    """Evaluate as of the tick's local time, so a late or re-run tick gives the same figures."""
    tick = context.scheduled_execution_time
    local = local_now() if tick is None else tick.astimezone(ZoneInfo(TIMEZONE)).replace(tzinfo=None)
    return {"resources": {"params": {"config": {"as_of": format_as_of(local)}}}}


def as_of_request(context: dg.ScheduleEvaluationContext, run_key_prefix: str = "") -> dg.RunRequest:
    """One run per tick: the run key is the tick's moment (with a prefix per schedule)."""
    config = as_of_run_config(context)
    as_of = config["resources"]["params"]["config"]["as_of"]
    return dg.RunRequest(run_key=f"{run_key_prefix}{as_of}", run_config=config, tags={"dangan/as_of": as_of})
