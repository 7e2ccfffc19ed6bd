"""Reminder digests through real channels: an SMTP server and a webhook on loopback."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from dagster_project.defs.delivery.channels import SmtpChannel, WebhookChannel
from dagster_project.defs.delivery.digests import compose_digests
from dagster_project.defs.delivery.outbox import deliver_pending, enqueue, sent_log_path
from ingest import warehouse as wh

AS_OF = datetime(2026, 11, 20, 8, 0, 0)


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A warehouse file with the mart digests are sent from: marts.reminder_digest, one row
    per person as dbt renders it (S3 has neither e-mail nor mobile)."""
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(
        "create table marts.reminder_digest (person_id varchar, person_name varchar, mobile varchar,"
        " email varchar, subject varchar, body varchar)"
    )
    con.execute(
        """insert into marts.reminder_digest values
        ('S1', '张三', '13800000001', 'zhangsan@example.test', '档案催办：张三 2026-11-20（超期 1 条）',
         '张三，截至 2026-11-20 08:00 您有 3 条待办：超期 1，预警 1，提醒 1。' || chr(10)
         || '- [超期] 合同预警信息 CT-9（自 2026-10-01 00:00，期限 2026-11-01 00:00）' || chr(10)
         || '- [预警] 业扩时限预警信息 STEP-4（自 2026-11-10 09:00，期限 2026-11-22 09:00）' || chr(10)
         || '- [提醒] 待添加信息 STEP-3（自 2026-11-19 10:00，期限 2026-11-21 10:00）'),
        ('S2', '李四', '13800000002', 'lisi@example.test', '档案催办：李四 2026-11-20（超期 1 条）',
         '李四，截至 2026-11-20 08:00 您有 1 条待办：超期 1，预警 0，提醒 0。' || chr(10)
         || '- [超期] 待发送信息 STEP-7（自 2026-11-12 09:00，期限 2026-11-14 09:00）'),
        ('S3', '王五', null, null, '档案催办：王五 2026-11-20（超期 1 条）',
         '王五，截至 2026-11-20 08:00 您有 1 条待办：超期 1，预警 0，提醒 0。' || chr(10)
         || '- [超期] 待添加信息 STEP-8（自 2026-11-12 09:00，期限 2026-11-14 09:00）')"""
    )
    con.close()
    return path


def _outbox(path: Path) -> list[tuple]:
    con = duckdb.connect(str(path))
    try:
        return con.execute(
            "select person_id, channel, status, attempts, last_error from delivery.outbox order by person_id, channel"
        ).fetchall()
    finally:
        con.close()


def _run_delivery(path: Path, channels: dict, *, max_attempts: int = 3) -> None:
    con = duckdb.connect(str(path))
    try:
        enqueue(con, compose_digests(con, AS_OF), channels.values(), AS_OF)
        deliver_pending(con, channels, now=AS_OF, max_attempts=max_attempts, sent_log=sent_log_path(path))
    finally:
        con.close()


def test_digest_lists_a_persons_overdue_reminders_first(tiny_warehouse: Path) -> None:
    """GIVEN the tiny warehouse built by dbt (the digest text is marts.reminder_digest)
    WHEN today's digests are composed
    THEN every person with open reminders gets one, listing only their own reminders,
    overdue first, then warnings, then reminders."""
    con = wh.connect_published(tiny_warehouse)
    try:
        digests = {message.person_id: message for message in compose_digests(con, AS_OF)}
        reminders = con.execute(
            "select person_id, list(object_id) from marts.reminders where person_id is not null group by all"
        ).fetchall()
        order = dict(
            con.execute(
                "select zh, case code when 'overdue' then 0 when 'warning' then 1 else 2 end"
                " from marts.code_labels where kind = 'level'"
            ).fetchall()
        )
    finally:
        con.close()
    own = {person_id: set(objects) for person_id, objects in reminders}
    assert set(digests) == set(own)
    mixed = 0
    for person_id, message in digests.items():
        lines = [line for line in message.body.splitlines() if line.startswith("- [")]
        assert lines, person_id
        ranks = [order[line[3 : line.index("]")]] for line in lines]
        assert ranks == sorted(ranks), (person_id, lines)
        assert {line.split()[3].split("（")[0] for line in lines} <= own[person_id], person_id
        mixed += len(set(ranks)) > 1 and ranks[0] == 0
    assert mixed, "the tiny data set should have people with overdue and other reminders"


def test_email_digest_reaches_a_real_smtp_server_once(warehouse: Path, smtp_server) -> None:
    handler, port = smtp_server
    channels = {"email": SmtpChannel(host="127.0.0.1", port=port, sender="dangan@example.test")}
    _run_delivery(warehouse, channels)
    _run_delivery(warehouse, channels)
    recipients = sorted(message["To"] for message in handler.messages)
    assert recipients == ["lisi@example.test", "zhangsan@example.test"]
    zhang = next(m for m in handler.messages if m["To"] == "zhangsan@example.test")
    assert "CT-9" in zhang.get_content()
    assert "档案催办" in zhang["Subject"]
    rows = _outbox(warehouse)
    assert ("S1", "email", "sent", 1, None) in rows
    assert ("S3", "email", "failed", 0, "person S3 has no email address") in rows


def test_webhook_posts_markdown_in_group_robot_format(warehouse: Path, webhook_server) -> None:
    state, url = webhook_server
    _run_delivery(warehouse, {"webhook": WebhookChannel(url=url)})
    assert len(state.payloads) == 3
    payload = state.payloads[0]
    assert payload["msgtype"] == "markdown"
    assert "档案催办" in payload["markdown"]["content"]
    assert {row[2] for row in _outbox(warehouse)} == {"sent"}


def test_failing_webhook_is_retried_a_bounded_number_of_times_and_stays_visible(
    warehouse: Path, webhook_server
) -> None:
    state, url = webhook_server
    channels = {"webhook": WebhookChannel(url=url, timeout_s=5)}
    state.status = 500
    for _ in range(4):
        _run_delivery(warehouse, channels, max_attempts=3)
    rows = _outbox(warehouse)
    assert {(row[2], row[3]) for row in rows} == {("failed", 3)}
    assert all("500" in row[4] for row in rows)
    assert state.payloads == []

    state.status = 200
    state.errcode = 93000  # the robot's "invalid key" answer with HTTP 200 is a failure too
    _run_delivery(warehouse, channels, max_attempts=5)
    assert {row[3] for row in _outbox(warehouse)} == {4}
    assert all("errcode 93000" in row[4] for row in _outbox(warehouse))

    state.errcode = 0
    _run_delivery(warehouse, channels, max_attempts=5)
    assert {row[2] for row in _outbox(warehouse)} == {"sent"}
    assert len(state.payloads) == 3


def test_rejecting_smtp_server_leaves_failure_then_retry_sends(warehouse: Path, smtp_server) -> None:
    handler, port = smtp_server
    channels = {"email": SmtpChannel(host="127.0.0.1", port=port, sender="dangan@example.test")}
    handler.reject = True
    _run_delivery(warehouse, channels)
    failed = [row for row in _outbox(warehouse) if row[0] in ("S1", "S2")]
    assert {(row[2], row[3]) for row in failed} == {("failed", 1)}
    assert all("554" in row[4] for row in failed)
    handler.reject = False
    _run_delivery(warehouse, channels)
    assert len(handler.messages) == 2
    assert {row[2] for row in _outbox(warehouse) if row[0] in ("S1", "S2")} == {"sent"}


def test_digest_sent_before_a_lost_build_copy_is_not_sent_again(
    warehouse: Path, tmp_path: Path, smtp_server
) -> None:
    """GIVEN a digest sent from a build copy that was then discarded (crash before publish)
    WHEN the next build starts again from the older published file without the 'sent' mark
    THEN the sent log beside the warehouse stops a second send."""
    handler, port = smtp_server
    channels = {"email": SmtpChannel(host="127.0.0.1", port=port, sender="dangan@example.test")}
    published_copy = tmp_path / "copy.duckdb"
    published_copy.write_bytes(warehouse.read_bytes())
    _run_delivery(warehouse, channels)
    assert len(handler.messages) == 2
    # The copy never saw the send; give it the same sent log location.
    con = duckdb.connect(str(published_copy))
    try:
        enqueue(con, compose_digests(con, AS_OF), channels.values(), AS_OF)
        report = deliver_pending(con, channels, now=AS_OF, max_attempts=3, sent_log=sent_log_path(warehouse))
    finally:
        con.close()
    assert len(handler.messages) == 2
    assert report.skipped_already_sent == 2


def test_with_no_channel_enabled_digests_are_held_and_nothing_is_sent(warehouse: Path, smtp_server) -> None:
    handler, _ = smtp_server
    _run_delivery(warehouse, {})
    _run_delivery(warehouse, {})
    rows = _outbox(warehouse)
    assert rows == [
        ("S1", "none", "held", 0, None),
        ("S2", "none", "held", 0, None),
        ("S3", "none", "held", 0, None),
    ]
    assert handler.messages == []


def test_digest_text_is_the_reminder_digest_mart_row(warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse))
    con.execute(
        "create or replace table marts.reminder_digest as select 'S2' as person_id, '李四' as person_name,"
        " '13800000002' as mobile, 'lisi@example.test' as email,"
        " '档案催办：李四 2026-11-20（超期 1 条）' as subject, '李四，您有 1 条待办' as body"
    )
    digests = compose_digests(con, AS_OF)
    con.close()
    assert [(m.person_id, m.subject, m.body, m.email) for m in digests] == [
        ("S2", "档案催办：李四 2026-11-20（超期 1 条）", "李四，您有 1 条待办", "lisi@example.test")
    ]


def test_markdown_and_html_in_a_name_reach_no_channel_as_markup(warehouse: Path) -> None:
    """GIVEN a person whose name carries a markdown image and an HTML tag WHEN the digests
    are composed THEN neither is left in subject or body (the webhook renders markdown),
    and the digest's own "- [超期]" items read as before."""
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(
            "update marts.reminder_digest set subject = '档案催办：![x](http://example.invalid/p.png)<img src=x>', "
            "body = '![x](http://example.invalid/p.png)，您有 1 条待办' || chr(10) || '- [超期] 待添加信息 STEP-3' "
            "where person_id = 'S1'"
        )
        message = next(message for message in compose_digests(con, AS_OF) if message.person_id == "S1")
    finally:
        con.close()
    assert message.subject == "档案催办：!\\[x]\\(http://example.invalid/p.png)＜img src=x＞"
    assert message.body == "!\\[x]\\(http://example.invalid/p.png)，您有 1 条待办\n- [超期] 待添加信息 STEP-3"
