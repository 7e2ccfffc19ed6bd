"""Delivery channels for reminder digests and the monthly report; all off by default."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.delivery.channels import Channel, SmtpChannel, WebhookChannel
from dagster_project.env import env_int_or, env_or


class DeliveryResource(dg.ConfigurableResource):
    """``channels``: comma-separated subset of ``email``, ``webhook``; empty = deliver nothing."""

    channels: str = ""
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_sender: str = "dangan@localhost"
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: str = ""
    webhook_url: str = ""
    max_attempts: int = 5
    report_to: str = ""
    timeout_s: float = 10.0

    def enabled(self) -> dict[str, Channel]:
        wanted = {name.strip() for name in self.channels.split(",") if name.strip()}
        unknown = wanted - {"email", "webhook"}
        if unknown:
            raise ValueError(f"DANGAN_DELIVERY_CHANNELS has unknown channel(s) {sorted(unknown)}")
        channels: dict[str, Channel] = {}
        if "email" in wanted:
            channels["email"] = SmtpChannel(
                host=self.smtp_host,
                port=self.smtp_port,
                sender=self.smtp_sender,
                starttls=self.smtp_starttls,
                username=self.smtp_username,
                password=self.smtp_password,
                timeout_s=self.timeout_s,
            )
        if "webhook" in wanted:
            if not self.webhook_url:
                raise ValueError("webhook channel enabled but DANGAN_WEBHOOK_URL is empty")
            channels["webhook"] = WebhookChannel(url=self.webhook_url, timeout_s=self.timeout_s)
        return channels

    @property
    def report_recipients(self) -> list[str]:
        return [address.strip() for address in self.report_to.split(",") if address.strip()]


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "delivery": DeliveryResource(
                channels=env_or("DANGAN_DELIVERY_CHANNELS", ""),
                smtp_host=env_or("DANGAN_SMTP_HOST", "localhost"),
                smtp_port=env_int_or("DANGAN_SMTP_PORT", 25),
                smtp_sender=env_or("DANGAN_SMTP_SENDER", "dangan@localhost"),
                smtp_username=env_or("DANGAN_SMTP_USERNAME", ""),
                smtp_password=env_or("DANGAN_SMTP_PASSWORD", ""),
                webhook_url=env_or("DANGAN_WEBHOOK_URL", ""),
                max_attempts=env_int_or("DANGAN_DELIVERY_MAX_ATTEMPTS", 5),
                report_to=env_or("DANGAN_REPORT_TO", ""),
            )
        }
    )
