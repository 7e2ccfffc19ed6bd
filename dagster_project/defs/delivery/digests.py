"""Today's reminder digest (催办) per person, as messages for the outbox.

The wording is a business rule and lives in dbt: ``marts.reminder_digest`` has one row
per person with the rendered subject and body (overdue first, then warnings, then
reminders). This module only turns those rows into messages with a stable id, so that
the same text to the same person on the same day is queued and sent once.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from dagster_project.defs.delivery.channels import Message
from dagster_project.defs.delivery.outbox import digest_id

# A name in the source data can carry markdown or HTML (``![x](http://…)``, ``<img …>``),
# and a group-robot channel renders its text as markdown: an image or link from outside
# would be fetched or shown. These replacements break every image, inline link and tag
# while a plain-text e-mail still reads the same; the digest's own ``- [超期]`` items
# (brackets without a following parenthesis) are left as they are.
NEUTRALISE = (("<", "＜"), (">", "＞"), ("](", "]\\("), ("![", "!\\["))


def neutralise_markup(text: str) -> str:
    """``text`` with no markdown image, inline link or HTML tag left in it."""
    for markup, harmless in NEUTRALISE:
        text = text.replace(markup, harmless)
    return text


def compose_digests(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Message]:
    """One message per person with open reminders, from ``marts.reminder_digest``."""
    day = as_of.strftime("%Y-%m-%d")
    rows = con.execute(
        "select person_id, subject, body, email, mobile from marts.reminder_digest"
        " where person_id is not null order by person_id"
    ).fetchall()
    return [
        Message(
            digest_id=digest_id(person_id, day, f"{subject}\n{body}"),
            kind="reminder_digest",
            person_id=person_id,
            subject=neutralise_markup(subject),
            body=neutralise_markup(body),
            email=email,
            mobile=mobile,
        )
        for person_id, subject, body, email, mobile in rows
    ]
