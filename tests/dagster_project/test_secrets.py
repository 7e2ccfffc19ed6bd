"""The webhook key stays out of the log and of ``delivery.outbox.last_error`` when a
delivery fails."""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import pytest

from dagster_project.defs.delivery.channels import WebhookChannel
from tests.dagster_project.test_delivery import _outbox, _run_delivery, warehouse  # noqa: F401 (fixture)

KEY = "k3y-0f-the-r0bot"


def test_failed_webhook_keeps_its_key_out_of_the_log_and_the_outbox(
    warehouse: Path,  # noqa: F811 (the imported fixture)
    webhook_server,
    caplog: pytest.LogCaptureFixture,
) -> None:
    state, url = webhook_server
    channel = WebhookChannel(url=url.replace("key=test", f"key={KEY}"), timeout_s=5)
    caplog.set_level(logging.DEBUG)
    state.errcode = 93000
    _run_delivery(warehouse, {"webhook": channel})
    state.errcode, state.status = 0, 500
    _run_delivery(warehouse, {"webhook": channel})

    errors = [row[4] for row in _outbox(warehouse)]
    assert errors and all("key=***" in error and "500" in error for error in errors)
    assert "errcode 93000" in caplog.text
    assert KEY not in caplog.text
    con = duckdb.connect(str(warehouse))
    try:
        stored = str(con.execute("select * from delivery.outbox").fetchall())
    finally:
        con.close()
    assert KEY not in stored
