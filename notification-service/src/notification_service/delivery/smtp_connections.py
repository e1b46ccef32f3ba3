"""Connections to the mail server, kept open and reused.

A new connection per mail cost a TCP connect, EHLO (and STARTTLS and AUTH where set up),
QUIT and a look-up of our own host name, on both sides, for every mail. Here at most
`size` connections are open; a mail takes an idle one (the most recently used) or opens
one, and speaks MAIL, RCPT and DATA on it. A connection idle longer than `idle_seconds`
is closed rather than used (mail servers drop idle clients after a few minutes,
RFC 5321 4.5.3.2.7). Should the server have closed a reused connection all the same, the
mail's first command finds it out before any of the mail was accepted, and the mail is
sent on a new connection. A refusal (4xx/5xx) leaves the connection usable after RSET;
any other failure closes it."""

import asyncio
import contextlib
import socket
import time
from collections.abc import Callable

import aiosmtplib

from notification_service.config import NotificationSettings

# A reused connection that answers its first command like this was closed meanwhile.
GONE = (aiosmtplib.SMTPServerDisconnected, ConnectionError)
SERVICE_CLOSING = 421


class SmtpConnections:
    def __init__(self, settings: NotificationSettings) -> None:
        self.settings = settings
        self._slots = asyncio.Semaphore(settings.smtp_max_connections)
        self._idle: list[tuple[aiosmtplib.SMTP, float]] = []
        self._local_hostname: str | None = None
        self.opened = 0  # how many connections were opened, for tests and curiosity

    async def send(
        self, sender: str, recipient: str, compose: Callable[[bool], bytes], *, utf8: bool
    ) -> None:
        """One mail to one recipient, `compose(eight_bit)` written for the connection it
        goes out on (whether the server takes 8-bit bodies); raises what aiosmtplib
        raises."""
        encoding = "utf-8" if utf8 else "ascii"
        timeout = self.settings.smtp_timeout_seconds

        async def begin(smtp: aiosmtplib.SMTP) -> bytes:
            if utf8 and not smtp.supports_extension("smtputf8"):
                raise aiosmtplib.SMTPNotSupported("SMTPUTF8 is not offered by the server")
            eight_bit = smtp.supports_extension("8bitmime")
            options = (["SMTPUTF8"] if utf8 else []) + (["BODY=8BITMIME"] if eight_bit else [])
            await smtp.mail(sender, options=options, encoding=encoding, timeout=timeout)
            return compose(eight_bit)

        async with self._slots:
            smtp, reused = await self._take()
            try:
                try:
                    message = await begin(smtp)
                except (*GONE, aiosmtplib.SMTPResponseException) as exc:
                    closing = getattr(exc, "code", SERVICE_CLOSING) == SERVICE_CLOSING
                    if not (reused and closing):
                        raise
                    smtp.close()
                    smtp = await self._open()
                    message = await begin(smtp)
                await smtp.rcpt(recipient, encoding=encoding, timeout=timeout)
                await smtp.data(message, timeout=timeout)
            except aiosmtplib.SMTPResponseException as exc:
                await self._after_refusal(smtp, exc)
                raise
            except aiosmtplib.SMTPNotSupported:  # nothing was said: the connection is fine
                self._idle.append((smtp, time.monotonic()))
                raise
            except BaseException:
                smtp.close()
                raise
            self._idle.append((smtp, time.monotonic()))

    async def close(self) -> None:
        """QUIT every idle connection (at shutdown)."""
        idle, self._idle = self._idle, []
        for smtp, _ in idle:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
                await smtp.quit(timeout=2)
            smtp.close()

    async def _take(self) -> tuple[aiosmtplib.SMTP, bool]:
        while self._idle:
            smtp, since = self._idle.pop()
            if smtp.is_connected and time.monotonic() - since < self.settings.smtp_idle_seconds:
                return smtp, True
            smtp.close()
        return await self._open(), False

    async def _open(self) -> aiosmtplib.SMTP:
        s = self.settings
        if self._local_hostname is None:  # what EHLO says: looked up once, not per mail
            self._local_hostname = await asyncio.to_thread(socket.getfqdn)
        smtp = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_security == "tls",
            start_tls=s.smtp_security == "starttls",  # False, not None: None means "if offered"
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            timeout=s.smtp_timeout_seconds,
            local_hostname=self._local_hostname,
        )
        await smtp.connect()
        try:
            if smtp.is_ehlo_or_helo_needed:
                try:
                    await smtp.ehlo()
                except aiosmtplib.SMTPHeloError:  # a server without ESMTP
                    await smtp.helo()
        except BaseException:
            smtp.close()
            raise
        self.opened += 1
        return smtp

    async def _after_refusal(
        self, smtp: aiosmtplib.SMTP, refusal: aiosmtplib.SMTPResponseException
    ) -> None:
        """The server said no to this mail: the envelope is reset and the connection kept,
        unless the server is closing it or the reset fails."""
        if refusal.code != SERVICE_CLOSING and smtp.is_connected:
            try:
                await smtp.rset(timeout=self.settings.smtp_timeout_seconds)
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                pass
            else:
                self._idle.append((smtp, time.monotonic()))
                return
        smtp.close()
