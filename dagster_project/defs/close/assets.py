"""The monthly close: freeze the latest final month once, then report it to management."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.close.freeze import decide_close, freeze_month
from dagster_project.defs.close.report import monthly_report_xlsx, report_summary
from dagster_project.defs.common import keys
from dagster_project.defs.common.resources import DUCKDB_POOL, RunParams, WarehouseResource
from dagster_project.defs.delivery.channels import Attachment, Message
from dagster_project.defs.delivery.outbox import deliver_pending, digest_id, enqueue, sent_log_path
from dagster_project.defs.delivery.resources import DeliveryResource
from ingest.clock import local_now


@dg.asset(
    key=keys.FROZEN,
    deps=[keys.KPI_MONTHLY, keys.SCORECARD_MONTHLY, keys.THRESHOLDS],
    group_name=keys.CLOSE,
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
)
def closed_month(context, warehouse: WarehouseResource, params: RunParams) -> dg.MaterializeResult:
    """Copy the latest final month's indicators and scorecard into ``frozen.*`` once, for good.

    Which month is final follows from the close lag of the warehouse being built (the
    seed), so the close runs every day and on most days finds nothing to do.
    """
    with warehouse.connect() as con:
        decision = decide_close(con, params.moment)
        if decision.month is None:
            context.log.info(
                f"nothing to freeze as of {params.as_of_text}: the latest final month"
                f" {decision.final_month:%Y-%m} (close lag {decision.close_lag_days} days) is frozen already"
            )
            return dg.MaterializeResult(
                metadata={
                    "month": f"{decision.final_month:%Y-%m}",
                    "close_lag_days": decision.close_lag_days,
                    "already_frozen": True,
                }
            )
        result = freeze_month(con, decision.month, local_now())
    context.log.info(f"month {result.month:%Y-%m} frozen: {result.rows}")
    return dg.MaterializeResult(
        metadata={
            "month": f"{result.month:%Y-%m}",
            "close_lag_days": decision.close_lag_days,
            "already_frozen": result.already_frozen,
            **result.rows,
        }
    )


@dg.asset(
    key=keys.MONTHLY_REPORT,
    deps=[keys.FROZEN, keys.CODE_LABELS],
    group_name=keys.CLOSE,
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
)
def monthly_report(
    context,
    warehouse: WarehouseResource,
    params: RunParams,
    delivery: DeliveryResource,
) -> dg.MaterializeResult:
    """The latest final month's rankings and indicators (.xlsx) to management, via the outbox.

    Looked at every day with the close: each recipient gets a month's report once (its
    outbox id names the recipient and the month); a failed send is retried by later runs.
    """
    report_dir = warehouse.published.parent / "reports"
    report_dir.mkdir(parents=True, exist_ok=True)
    with warehouse.connect() as con:
        month = decide_close(con, params.moment).final_month
        workbook = monthly_report_xlsx(con, month)
        summary = report_summary(con, month)
        path = report_dir / f"dangan-report-{month:%Y-%m}.xlsx"
        path.write_bytes(workbook)
        attachment = Attachment(path.name, workbook)
        messages = [
            Message(
                digest_id=digest_id(f"management:{recipient}", f"{month:%Y-%m}", "monthly_report"),
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
        queued = enqueue(con, messages, channels.values(), local_now())
        result = deliver_pending(
            con,
            channels,
            now=local_now(),
            max_attempts=delivery.max_attempts,
            sent_log=sent_log_path(warehouse.published),
            attachments={message.digest_id: (attachment,) for message in messages},
            kind="monthly_report",
        )
    context.log.info(
        f"monthly report {path.name}: {queued} queued, {result.sent} sent, {result.failed} failed,"
        f" {result.skipped_already_sent} sent before"
    )
    return dg.MaterializeResult(
        metadata={"month": f"{month:%Y-%m}", "path": str(path), "sent": result.sent, "failed": result.failed}
    )
