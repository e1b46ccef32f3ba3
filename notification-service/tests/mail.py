"""A real SMTP server for tests (aiosmtpd), that can be taken down and can refuse addresses."""

import asyncio
import threading
import uuid
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from notification_service.log.models import Notification


def mail_to(recipient: str, subject: str, body: str) -> Notification:
    """A claim's mail to `recipient`, as the log holds it, for a channel to send."""
    return Notification(
        id=uuid.uuid4(),
        cause=f"test:{uuid.uuid4()}",
        kind="reward_claimed",
        channel="email",
        recipient=recipient,
        subject=subject,
        body_text=body,
        status="pending",
        attempts=0,
        next_attempt_at=datetime.now(UTC),
        created_at=datetime.now(UTC),
    )


class Mailbox:
    """Keeps every accepted message; refuses `refused` recipients with a 550."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        # the client's (address, port) of each accepted message: which connection it came on
        self.peers: list[tuple[str, int]] = []
        self.refused: set[str] = set()
        self._lock = threading.Lock()
        # While `holding` is set, DATA waits (up to 10 s) until `release` is set, and
        # `in_data` tells that a sender is in the middle of its conversation.
        self.holding = threading.Event()
        self.release = threading.Event()
        self.in_data = threading.Event()

    async def handle_RCPT(
        self,
        server: Any,
        session: Any,
        envelope: Any,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.lower() in self.refused:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.holding.is_set():
            self.in_data.set()
            await asyncio.to_thread(self.release.wait, 10)
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)  # type: ignore[arg-type]
            self.peers.append(session.peer)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if m["To"] == address]


class SmtpServer:
    def __init__(self, port: int, *, smtputf8: bool = False) -> None:
        self.port = port
        self.smtputf8 = smtputf8
        self.mailbox = Mailbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(
            self.mailbox, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=self.smtputf8
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
