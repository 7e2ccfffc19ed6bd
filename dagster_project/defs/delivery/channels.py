"""Delivery channels: plain SMTP and a group-robot webhook, behind one small protocol.

A channel knows a person's address on it and how to send one message there; it raises
:class:`DeliveryError` with a text saying where and why when it cannot. What was sent,
what failed and what is retried is the outbox's business (:mod:`.outbox`), not a channel's.
"""

from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Protocol

from ingest.redact import redact, redact_url, url_secrets


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
            message = redact(f"SMTP {self.host}:{self.port} to {address}: {error}", [self.password])
            raise DeliveryError(message) from error


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
            raise DeliveryError(
                redact(f"webhook {redact_url(self.url)}: {error}", url_secrets(self.url))
            ) from error
        try:
            errcode = json.loads(reply).get("errcode", 0) if reply.strip() else 0
        except (json.JSONDecodeError, AttributeError):
            errcode = 0
        if errcode != 0:
            raise DeliveryError(
                redact(
                    f"webhook {redact_url(self.url)} answered errcode {errcode}: {reply[:200]}",
                    url_secrets(self.url),
                )
            )
