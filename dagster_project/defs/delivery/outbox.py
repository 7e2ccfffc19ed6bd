"""The outbox in the warehouse: every message queued once per channel, sent from there.

Why an outbox: a message (a person's digest, the monthly report) is stored under an id
that says what it is (a hash of recipient, day or month, and content) and sent from the
table. A send that fails stays in the table with its
error and is retried on the next run until ``max_attempts``; a message that was sent is
never sent again, because its id is recorded as sent both in the outbox and in an
append-only sent log beside the warehouse (the outbox lives in a build copy that a crash
may discard; the log does not).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from dagster_project.defs.delivery.channels import Attachment, Channel, DeliveryError, Message

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


def digest_id(person_id: str, day: str, content: str) -> str:
    """The id of a message in the outbox: the same content to the same recipient for the
    same day (or month) is one message, queued and sent once."""
    return hashlib.sha256(f"{person_id}|{day}|{content}".encode()).hexdigest()[:32]


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
