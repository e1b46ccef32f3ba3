"""Sending one notification over its channel. A failure says whether retrying can help."""

from email.utils import formatdate
from typing import Protocol

import aiosmtplib
import httpx

from notification_service.config import NotificationSettings
from notification_service.delivery.mail_bytes import (
    MailFrom,
    UnsendableAddress,
    check_address,
    mail_bytes,
    needs_smtputf8,
)
from notification_service.delivery.smtp_connections import SmtpConnections
from notification_service.log.models import Notification


class Channel(Protocol):
    async def send(self, notification: Notification) -> int | None:
        """None, or the HTTP status the receiver answered; raises DeliveryFailed."""


class DeliveryFailed(Exception):
    def __init__(self, reason: str, *, permanent: bool, response_status: int | None = None) -> None:
        super().__init__(reason)
        self.permanent = permanent
        self.response_status = response_status


class EmailChannel:
    """Mail over SMTP: the message written as bytes (`mail_bytes`), sent on a reused
    connection (`SmtpConnections`). `close()` at shutdown says goodbye to the server."""

    def __init__(self, settings: NotificationSettings) -> None:
        self.settings = settings
        self.mail_from = MailFrom.parse(settings.mail_from)
        self.connections = SmtpConnections(settings)

    def message(self, notification: Notification, *, eight_bit: bool = False) -> bytes:
        return mail_bytes(
            self.mail_from,
            notification_id=notification.id,
            recipient=notification.recipient,
            subject=notification.subject,
            date=formatdate(usegmt=True),  # RFC 5322 requires it: when it is sent
            body_text=notification.body_text,
            body_html=notification.body_html,
            unsubscribe_url=notification.unsubscribe_url,
            eight_bit=eight_bit,
        )

    async def send(self, notification: Notification) -> None:
        try:
            check_address(notification.recipient)  # refused before any server is asked
        except UnsendableAddress as exc:
            raise DeliveryFailed(str(exc), permanent=True) from exc
        utf8 = needs_smtputf8(self.mail_from.address, notification.recipient)
        try:
            await self.connections.send(
                self.mail_from.address,
                notification.recipient,
                lambda eight_bit: self.message(notification, eight_bit=eight_bit),
                utf8=utf8,
            )
        except aiosmtplib.SMTPRecipientRefused as exc:
            raise DeliveryFailed(
                f"recipient refused: {exc.code} {exc.message}", permanent=exc.code >= 500
            ) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise DeliveryFailed(
                f"SMTP {exc.code}: {exc.message}", permanent=exc.code >= 500
            ) from exc
        except aiosmtplib.SMTPNotSupported as exc:
            # An address with non-ASCII characters needs the server's SMTPUTF8 (used at once
            # when it is offered); a server without it will not take this mail on retry either.
            raise DeliveryFailed(
                f"not supported by the mail server: {exc}", permanent=True
            ) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise DeliveryFailed(f"SMTP unavailable: {exc!r}", permanent=False) from exc

    async def close(self) -> None:
        await self.connections.close()


class WebhookChannel:
    """A Slack-compatible incoming webhook: POST {"text": ...}."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def send(self, notification: Notification) -> None:
        text = f"*{notification.subject}*\n{notification.body_text}"
        try:
            response = await self.client.post(notification.recipient, json={"text": text})
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"webhook unreachable: {exc!r}", permanent=False) from exc
        if response.status_code >= 400:
            permanent = response.status_code < 500 and response.status_code != 429
            raise DeliveryFailed(f"webhook answered {response.status_code}", permanent=permanent)
