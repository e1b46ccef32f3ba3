"""Sending one notification over its channel. A failure says whether retrying can help."""

from email import policy
from email.headerregistry import BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import Policy
from email.utils import formatdate
from typing import Protocol

import aiosmtplib
import httpx

from notification_service.config import NotificationSettings
from notification_service.log.models import Notification


class Channel(Protocol):
    async def send(self, notification: Notification) -> int | None:
        """None, or the HTTP status the receiver answered; raises DeliveryFailed."""


class DeliveryFailed(Exception):
    def __init__(self, reason: str, *, permanent: bool, response_status: int | None = None) -> None:
        super().__init__(reason)
        self.permanent = permanent
        self.response_status = response_status


class OneLineHeader(UnstructuredHeader, BaseHeader):
    """Sent as it is on one line (a header line may have 998 characters, RFC 5322): folding
    a long unsubscribe URL at 78 would turn it into RFC 2047 encoded words, which no mail
    client reads as a URL. The header object folds itself, whatever policy sends it."""

    def fold(self, *, policy: Policy) -> str:
        return f"{self.name}: {self}{policy.linesep}"


HEADERS = HeaderRegistry()
HEADERS.map_to_type("list-unsubscribe", OneLineHeader)
MAIL_POLICY = policy.SMTP.clone(header_factory=HEADERS)


class EmailChannel:
    def __init__(self, settings: NotificationSettings) -> None:
        self.settings = settings

    def message(self, notification: Notification) -> EmailMessage:
        message = EmailMessage(policy=MAIL_POLICY)
        message["From"] = self.settings.mail_from
        message["To"] = notification.recipient
        message["Subject"] = notification.subject
        message["Date"] = formatdate(usegmt=True)  # RFC 5322 requires it: when it is sent
        # The same on every attempt: should a crash between the SMTP server's acceptance and
        # our commit send a mail twice, mail systems can tell the copies are one message.
        message["Message-ID"] = f"<{notification.id}@checkin.example>"
        message["X-Notification-Id"] = str(notification.id)
        if notification.unsubscribe_url:  # RFC 2369 and RFC 8058 one-click
            message["List-Unsubscribe"] = f"<{notification.unsubscribe_url}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(notification.body_text)
        if notification.body_html:
            message.add_alternative(notification.body_html, subtype="html")
        return message

    async def send(self, notification: Notification) -> None:
        s = self.settings
        try:
            await aiosmtplib.send(
                self.message(notification),
                hostname=s.smtp_host,
                port=s.smtp_port,
                use_tls=s.smtp_security == "tls",
                start_tls=s.smtp_security == "starttls",  # False, not None: None means "if offered"
                username=s.smtp_username,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                timeout=s.smtp_timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            raise DeliveryFailed(
                f"recipient refused: {exc.recipients[0]}", permanent=all(c >= 500 for c in codes)
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
