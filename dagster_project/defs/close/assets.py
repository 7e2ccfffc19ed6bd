"""The monthly close: the newest frozen month reported to management (every build freezes)."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.close.months import latest_frozen_month
from dagster_project.defs.close.report import monthly_report_xlsx, report_summary
from dagster_project.defs.common import keys
from dagster_project.defs.common.resources import DUCKDB_POOL, RunParams, WarehouseResource
from dagster_project.defs.delivery.channels import Attachment, Message
from dagster_project.defs.delivery.outbox import deliver_pending, digest_id, enqueue, sent_log_path
from dagster_project.defs.delivery.resources import DeliveryResource
from ingest.clock import local_now


@dg.asset(
    key=keys.MONTHLY_REPORT,
    deps=[keys.KPI_MONTHS, keys.FROZEN_KPI_MONTHLY, keys.FROZEN_SCORECARD_MONTHLY, keys.CODE_LABELS],
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
    """The newest frozen month's rankings and indicators (.xlsx) to management, via the outbox.

    Looked at every day with the close: each recipient gets a month's report once (its
    outbox id names the recipient and the month); a failed send is retried by later runs.
    The month is frozen by the dbt build of the same run (or an earlier one), never here.
    """
    report_dir = warehouse.published.parent / "reports"
    report_dir.mkdir(parents=True, exist_ok=True)
    with warehouse.connect() as con:
        month = latest_frozen_month(con)
        if month is None:
            context.log.info(f"no month is frozen as of {params.as_of_text}: no report to send")
            return dg.MaterializeResult(metadata={"month": "", "sent": 0, "failed": 0})
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
