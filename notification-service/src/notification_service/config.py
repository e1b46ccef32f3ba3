"""Notification service settings (environment variables prefixed `NOTIFICATION_`)."""

from datetime import time
from typing import Literal

from checkin_shared.runtime import RuntimeSettings
from checkin_shared.settings import BusinessTimeSettings, dev_database_url
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict


class NotificationSettings(RuntimeSettings, BusinessTimeSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATION_", extra="ignore", frozen=True)

    database_url: str = dev_database_url("notification_svc")
    locale: Literal["ko", "en"] = "ko"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = 10.0
    # Connections to the mail server are kept open and reused: at most this many at once,
    # each closed once idle this long (servers drop idle clients after a few minutes).
    smtp_max_connections: int = Field(4, ge=1)
    smtp_idle_seconds: float = Field(30.0, gt=0)
    mail_from: str = Field(
        "Check-in Rewards <no-reply@checkin.example>", description="The sender of every mail"
    )
    # Branding: what mails show and link to.
    shop_name: str = "Check-in Rewards"
    event_page_url: str | None = Field(None, description="The event page mails link to")
    logo_url: str | None = Field(None, description="An image shown atop every mail")
    # Outgoing webhook URLs: http on loopback too (make dev, tests); deployments leave it off.
    allow_loopback_urls: bool = False
    public_url: str = Field(
        "http://127.0.0.1:8000",
        description="Where shoppers reach the gateway: the base of links in mails "
        "(one-click unsubscribe)",
    )
    slack_webhook_url: str | None = None
    alert_recipients: list[str] = Field(
        default_factory=list, description="JSON list; seeds the admin-managed recipients"
    )
    reminder_at: time = time(20, 0)
    reminder_check_seconds: float = 30.0
    sender_poll_seconds: float = 1.0
    sender_batch_size: int = 20
    # Sending loops per process: one leases and sends while another waits on the server.
    sender_workers: int = Field(2, ge=1)
    # A notification being sent is not picked again before this (a crashed sender's
    # notifications are sent again once it passes).
    sender_lease_seconds: float = Field(60.0, gt=0)
    max_attempts: int = 6
    # The shop's webhooks get longer: a receiver down for hours still gets every event
    # (with the back-off capped at retry_max_seconds: about 2.5 h at the defaults).
    shop_webhook_max_attempts: int = Field(15, ge=1)
    retry_base_seconds: float = 5.0
    retry_max_seconds: float = 900.0

    @field_validator(
        "smtp_username",
        "smtp_password",
        "slack_webhook_url",
        "event_page_url",
        "logo_url",
        mode="before",
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        """An empty value (an unset key in a Secret or .env) means 'not configured'."""
        return None if value == "" else value
