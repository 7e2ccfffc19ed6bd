"""Reminder digests through the outbox: queue today's digests, then send what is pending."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.common import keys
from dagster_project.defs.common.resources import DUCKDB_POOL, RunParams, WarehouseResource
from dagster_project.defs.delivery.digests import compose_digests
from dagster_project.defs.delivery.outbox import deliver_pending, enqueue, sent_log_path
from dagster_project.defs.delivery.resources import DeliveryResource
from ingest.clock import local_now


@dg.asset(
    key=keys.OUTBOX,
    deps=[keys.REMINDERS, keys.REMINDER_DIGEST],
    group_name=keys.DIGESTS,
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
)
def outbox(
    context,
    warehouse: WarehouseResource,
    params: RunParams,
    delivery: DeliveryResource,
) -> dg.MaterializeResult:
    """Queue today's per-person digest (overdue first) for every enabled channel."""
    with warehouse.connect() as con:
        messages = compose_digests(con, params.moment)
        added = enqueue(con, messages, delivery.enabled().values(), local_now())
        pending = con.execute("select count(*) from delivery.outbox where status = 'pending'").fetchone()[0]
    context.log.info(f"{len(messages)} digests composed, {added} outbox rows added")
    return dg.MaterializeResult(metadata={"digests": len(messages), "queued": added, "pending": pending})


@dg.asset(
    key=keys.SENT,
    deps=[keys.OUTBOX],
    group_name=keys.DELIVERY,
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
    check_specs=[dg.AssetCheckSpec("no_failed_deliveries", asset=keys.SENT)],
)
def sent(context, warehouse: WarehouseResource, delivery: DeliveryResource):
    """Send what is pending (or failed, under the attempt limit); failures stay visible."""
    with warehouse.connect() as con:
        report = deliver_pending(
            con,
            delivery.enabled(),
            now=local_now(),
            max_attempts=delivery.max_attempts,
            sent_log=sent_log_path(warehouse.published),
            kind="reminder_digest",
        )
        failed_rows = con.execute("select count(*) from delivery.outbox where status = 'failed'").fetchone()[
            0
        ]
    yield dg.MaterializeResult(
        metadata={"sent": report.sent, "failed": report.failed, "already_sent": report.skipped_already_sent}
    )
    yield dg.AssetCheckResult(
        check_name="no_failed_deliveries",
        passed=failed_rows == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"failed_rows": failed_rows},
    )
