"""Reminder digests through the outbox, and the monthly report to management."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.delivery.resources import DeliveryResource
from dagster_project.defs.publish.resources import DUCKDB_POOL, RunParams, WarehouseResource
from dagster_project.delivery import (
    Attachment,
    Message,
    compose_digests,
    deliver_pending,
    digest_id,
    enqueue,
    sent_log_path,
)
from ingest.clock import local_now

OUTBOX_KEY = dg.AssetKey(["delivery", "outbox"])
SENT_KEY = dg.AssetKey(["delivery", "sent"])
REPORT_KEY = dg.AssetKey(["delivery", "monthly_report"])
FROZEN_KEY = dg.AssetKey(["frozen", "closed_month"])
REMINDERS_KEY = dg.AssetKey(["marts", "reminders"])
DIGEST_MART_KEY = dg.AssetKey(["marts", "reminder_digest"])


@dg.asset(
    key=OUTBOX_KEY,
    deps=[REMINDERS_KEY, DIGEST_MART_KEY],
    group_name="delivery",
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
    con = warehouse.connect(context.run_id)
    try:
        messages = compose_digests(con, params.moment)
        added = enqueue(con, messages, delivery.enabled().values(), local_now())
        pending = con.execute("select count(*) from delivery.outbox where status = 'pending'").fetchone()[0]
    finally:
        con.close()
    context.log.info(f"{len(messages)} digests composed, {added} outbox rows added")
    return dg.MaterializeResult(metadata={"digests": len(messages), "queued": added, "pending": pending})


@dg.asset(
    key=SENT_KEY,
    deps=[OUTBOX_KEY],
    group_name="delivery",
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
    check_specs=[dg.AssetCheckSpec("no_failed_deliveries", asset=SENT_KEY)],
)
def sent(context, warehouse: WarehouseResource, delivery: DeliveryResource):
    """Send what is pending (or failed, under the attempt limit); failures stay visible."""
    con = warehouse.connect(context.run_id)
    try:
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
    finally:
        con.close()
    yield dg.MaterializeResult(
        metadata={"sent": report.sent, "failed": report.failed, "already_sent": report.skipped_already_sent}
    )
    yield dg.AssetCheckResult(
        check_name="no_failed_deliveries",
        passed=failed_rows == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"failed_rows": failed_rows},
    )


@dg.asset(key=REPORT_KEY, deps=[FROZEN_KEY], group_name="close", kinds={"duckdb"}, pool=DUCKDB_POOL)
def monthly_report(
    context,
    warehouse: WarehouseResource,
    params: RunParams,
    delivery: DeliveryResource,
) -> dg.MaterializeResult:
    """The closed month's rankings and indicators (.xlsx) to management, via the outbox."""
    from dagster_project.close import closed_month
    from dagster_project.report import monthly_report_xlsx, report_summary

    month = closed_month(params.moment, params.close_lag_days)
    build_file = warehouse.build_file(context.run_id)
    report_dir = warehouse.published.parent / "reports"
    report_dir.mkdir(parents=True, exist_ok=True)
    con = warehouse.connect(context.run_id)
    try:
        workbook = monthly_report_xlsx(con, month)
        summary = report_summary(con, month)
        path = report_dir / f"dangan-report-{month:%Y-%m}.xlsx"
        path.write_bytes(workbook)
        attachment = Attachment(path.name, workbook)
        messages = [
            Message(
                digest_id=digest_id(f"management:{recipient}", f"{month:%Y-%m}", summary),
                kind="monthly_report",
                person_id=f"management:{recipient}",
                subject=f"档案管控 {month:%Y年%m月} 考核结果",
                body=summary,
                email=recipient,
                mobile="@all",
            )
            for recipient in delivery.report_recipients
        ]
        channels = delivery.enabled()
        enqueue(con, messages, channels.values(), local_now())
        result = deliver_pending(
            con,
            channels,
            now=local_now(),
            max_attempts=delivery.max_attempts,
            sent_log=sent_log_path(warehouse.published),
            attachments={message.digest_id: (attachment,) for message in messages},
            kind="monthly_report",
        )
    finally:
        con.close()
    context.log.info(f"monthly report {path.name} written from {build_file.name}; {result.sent} sent")
    return dg.MaterializeResult(
        metadata={"month": f"{month:%Y-%m}", "path": str(path), "sent": result.sent, "failed": result.failed}
    )
