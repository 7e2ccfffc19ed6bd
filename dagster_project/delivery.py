"""Reminder digests (催办) and their delivery: an outbox in the warehouse, two channels.

Why an outbox: a digest is composed once per person and day, stored with a content hash
as its id, and sent from there. A send that fails stays in the table with its error and
is retried on the next run until ``max_attempts``; a digest that was sent is never sent
again, because its id is recorded as sent both in the outbox and in an append-only sent
log beside the warehouse (the outbox lives in a build copy that a crash may discard; the
log does not).
"""

from __future__ import annotations

import hashlib
import json
import logging
import smtplib
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import duckdb
import pyarrow as pa

logger = logging.getLogger(__name__)

OUTBOX_DDL = """
create schema if not exists delivery;
create table if not exists delivery.outbox (
    digest_id varchar,
    kind varchar,
    person_id varchar,
    channel varchar,
    address varchar,
    subject varchar,
    body varchar,
    status varchar,
    attempts bigint,
    last_error varchar,
    created_at timestamp,
    sent_at timestamp
);
"""

LEVEL_ORDER = {"overdue": 0, "warning": 1, "reminder": 2}
LEVEL_LABEL = {"overdue": "超期", "warning": "预警", "reminder": "提醒"}
CATEGORY_LABEL = {
    "to_add": "待添加信息",
    "to_send": "待发送信息",
    "to_hand_over": "待移交信息",
    "dossier_to_transfer": "待移交卷宗",
    "contract": "合同预警信息",
    "sla": "业扩时限预警信息",
}
MAX_LINES = 50


class DeliveryError(RuntimeError):
    """A channel could not deliver a message; the text says where and why."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime: str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Message:
    digest_id: str
    kind: str
    person_id: str
    subject: str
    body: str
    email: str | None = None
    mobile: str | None = None
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)


class Channel(Protocol):
    name: str

    def address_for(self, message: Message) -> str | None: ...

    def send(self, message: Message, address: str) -> None: ...


@dataclass
class SmtpChannel:
    """Plain SMTP submission; STARTTLS and login when configured."""

    host: str
    port: int
    sender: str
    starttls: bool = False
    username: str = ""
    password: str = ""
    timeout_s: float = 10.0
    name: str = "email"

    def address_for(self, message: Message) -> str | None:
        return message.email or None

    def send(self, message: Message, address: str) -> None:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = address
        email["Subject"] = message.subject
        email.set_content(message.body)
        for attachment in message.attachments:
            main, _, sub = attachment.mime.partition("/")
            email.add_attachment(attachment.content, maintype=main, subtype=sub, filename=attachment.filename)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(email)
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(f"SMTP {self.host}:{self.port} to {address}: {error}") from error


@dataclass
class WebhookChannel:
    """A group-robot webhook (enterprise WeChat style): markdown text, ``errcode`` 0 = ok."""

    url: str
    timeout_s: float = 10.0
    name: str = "webhook"

    def address_for(self, message: Message) -> str | None:
        return message.mobile or message.person_id

    def send(self, message: Message, address: str) -> None:
        content = f"**{message.subject}**\n<@{address}>\n{message.body}"
        if message.attachments:
            names = ", ".join(attachment.filename for attachment in message.attachments)
            content += f"\n(附件见邮件: {names})"
        payload = json.dumps({"msgtype": "markdown", "markdown": {"content": content}}, ensure_ascii=False)
        request = urllib.request.Request(
            self.url,
            data=payload.encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                reply = response.read().decode("utf-8", "replace")
        except (OSError, urllib.error.URLError) as error:
            raise DeliveryError(f"webhook {self.url}: {error}") from error
        try:
            errcode = json.loads(reply).get("errcode", 0) if reply.strip() else 0
        except (json.JSONDecodeError, AttributeError):
            errcode = 0
        if errcode != 0:
            raise DeliveryError(f"webhook {self.url} answered errcode {errcode}: {reply[:200]}")


def digest_id(person_id: str, day: str, content: str) -> str:
    return hashlib.sha256(f"{person_id}|{day}|{content}".encode()).hexdigest()[:32]


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()[0][0]
    )


def compose_digests(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Message]:
    """One message per person with open reminders, overdue first, then warnings, reminders.

    The text is the mart ``marts.reminder_digest`` (the wording is a business rule and
    lives in dbt); without that mart it is composed here from ``marts.reminders``.
    """
    day = as_of.strftime("%Y-%m-%d")
    if _has_table(con, "marts", "reminder_digest"):
        rows = con.execute(
            "select person_id, subject, body, email, mobile from marts.reminder_digest"
            " where person_id is not null order by person_id"
        ).fetchall()
        return [
            Message(
                digest_id=digest_id(person_id, day, f"{subject}\n{body}"),
                kind="reminder_digest",
                person_id=person_id,
                subject=subject,
                body=body,
                email=email,
                mobile=mobile,
            )
            for person_id, subject, body, email, mobile in rows
        ]
    return _compose_from_reminders(con, as_of)


def _compose_from_reminders(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Message]:
    rows = con.execute(
        """
        select r.person_id, coalesce(s.staff_name, r.person_id), s.email, s.mobile,
               r.category, r.level, r.object_id, cast(r.since as varchar), cast(r.due_at as varchar)
        from marts.reminders as r
        left join raw.staff as s on s.staff_id = r.person_id
        where r.person_id is not null
        order by r.person_id,
                 case r.level when 'overdue' then 0 when 'warning' then 1 else 2 end,
                 r.due_at nulls last, r.category, r.object_id
        """
    ).fetchall()
    by_person: dict[str, list[tuple]] = {}
    for row in rows:
        by_person.setdefault(row[0], []).append(row)
    day = as_of.strftime("%Y-%m-%d")
    messages = []
    for person_id, items in by_person.items():
        name, email, mobile = items[0][1], items[0][2], items[0][3]
        counts = {level: sum(1 for item in items if item[5] == level) for level in LEVEL_ORDER}
        lines = [
            f"{name}，截至 {as_of:%Y-%m-%d %H:%M} 您有 {len(items)} 条待办："
            f"超期 {counts['overdue']}，预警 {counts['warning']}，提醒 {counts['reminder']}。",
            "",
        ]
        for item in items[:MAX_LINES]:
            category, level, object_id, since, due_at = item[4:9]
            lines.append(
                f"- [{LEVEL_LABEL.get(level, level)}] {CATEGORY_LABEL.get(category, category)}"
                f" {object_id}（自 {since or '-'}，期限 {due_at or '-'}）"
            )
        if len(items) > MAX_LINES:
            lines.append(f"- …… 另有 {len(items) - MAX_LINES} 条")
        body = "\n".join(lines)
        subject = f"档案催办：{name} {day}（超期 {counts['overdue']} 条）"
        messages.append(
            Message(
                digest_id=digest_id(person_id, day, body),
                kind="reminder_digest",
                person_id=person_id,
                subject=subject,
                body=body,
                email=email,
                mobile=mobile,
            )
        )
    return messages


def ensure_outbox(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(OUTBOX_DDL)


def enqueue(
    con: duckdb.DuckDBPyConnection, messages: Iterable[Message], channels: Iterable[Channel], now: datetime
) -> int:
    """Add each message once per channel; a (digest_id, channel) already there is kept as is.

    With no channel enabled the digests are still recorded, as ``held`` on channel
    ``none``, so that they can be read in the warehouse and nothing is sent.
    """
    ensure_outbox(con)
    messages = list(messages)
    channels = list(channels)
    rows = []
    for message in messages:
        if not channels:
            rows.append((message, "none", None, "held", None))
        for channel in channels:
            address = channel.address_for(message)
            error = None if address else f"person {message.person_id} has no {channel.name} address"
            rows.append((message, channel.name, address, "pending" if address else "failed", error))
    if not rows:
        return 0
    incoming = pa.table(
        {
            "digest_id": [m.digest_id for m, *_ in rows],
            "kind": [m.kind for m, *_ in rows],
            "person_id": [m.person_id for m, *_ in rows],
            "channel": [row[1] for row in rows],
            "address": pa.array([row[2] for row in rows], pa.string()),
            "subject": [m.subject for m, *_ in rows],
            "body": [m.body for m, *_ in rows],
            "status": [row[3] for row in rows],
            "last_error": pa.array([row[4] for row in rows], pa.string()),
        }
    )
    before = con.execute("select count(*) from delivery.outbox").fetchall()[0][0]
    con.register("dangan_incoming_outbox", incoming)
    try:
        con.execute(
            """
            insert into delivery.outbox
            select i.digest_id, i.kind, i.person_id, i.channel, i.address, i.subject, i.body,
                   i.status, 0, i.last_error, ?, null
            from dangan_incoming_outbox as i
            where not exists (
                select 1 from delivery.outbox as o
                where o.digest_id = i.digest_id and o.channel = i.channel
            )
            """,
            [now],
        )
    finally:
        con.unregister("dangan_incoming_outbox")
    return con.execute("select count(*) from delivery.outbox").fetchone()[0] - before


def sent_log_path(warehouse: Path) -> Path:
    return Path(warehouse).with_name(Path(warehouse).name + ".sent.jsonl")


def read_sent_log(path: Path) -> set[tuple[str, str]]:
    if not path.exists():
        return set()
    sent = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            sent.add((record["digest_id"], record["channel"]))
    return sent


def _append_sent_log(path: Path, digest: str, channel: str, sent_at: datetime) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as log:
        log.write(
            json.dumps({"digest_id": digest, "channel": channel, "sent_at": sent_at.isoformat()}) + "\n"
        )
        log.flush()


@dataclass(frozen=True)
class DeliveryReport:
    sent: int
    failed: int
    skipped_already_sent: int


def deliver_pending(
    con: duckdb.DuckDBPyConnection,
    channels: Mapping[str, Channel],
    *,
    now: datetime,
    max_attempts: int,
    sent_log: Path,
    attachments: Mapping[str, tuple[Attachment, ...]] | None = None,
    kind: str | None = None,
) -> DeliveryReport:
    """Try every pending or failed row (of ``kind``) under ``max_attempts`` once; record the outcome."""
    ensure_outbox(con)
    already = read_sent_log(sent_log)
    rows = con.execute(
        "select digest_id, kind, person_id, channel, address, subject, body from delivery.outbox"
        " where status in ('pending', 'failed') and attempts < ? and address is not null"
        " and (? is null or kind = ?) order by created_at, digest_id",
        [max_attempts, kind, kind],
    ).fetchall()
    sent = failed = skipped = 0
    for digest, kind, person_id, channel_name, address, subject, body in rows:
        if (digest, channel_name) in already:
            con.execute(
                "update delivery.outbox set status = 'sent', sent_at = coalesce(sent_at, ?)"
                " where digest_id = ? and channel = ?",
                [now, digest, channel_name],
            )
            skipped += 1
            continue
        channel = channels.get(channel_name)
        if channel is None:
            continue
        message = Message(
            digest, kind, person_id, subject, body, attachments=(attachments or {}).get(digest, ())
        )
        try:
            channel.send(message, address)
        except DeliveryError as error:
            logger.warning("delivery of %s to %s failed: %s", digest, person_id, error)
            con.execute(
                "update delivery.outbox set status = 'failed', attempts = attempts + 1, last_error = ?"
                " where digest_id = ? and channel = ?",
                [str(error), digest, channel_name],
            )
            failed += 1
            continue
        _append_sent_log(sent_log, digest, channel_name, now)
        con.execute(
            "update delivery.outbox set status = 'sent', attempts = attempts + 1, sent_at = ?,"
            " last_error = null where digest_id = ? and channel = ?",
            [now, digest, channel_name],
        )
        sent += 1
    return DeliveryReport(sent, failed, skipped)
