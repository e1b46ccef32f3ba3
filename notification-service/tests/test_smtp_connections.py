"""Mail goes out on connections kept open and reused, against a real SMTP server on
loopback (aiosmtpd): one connection for a run of mails, no more than the configured number
at once, a new one when the server has gone away or the old one sat idle too long, and a
refused recipient does not cost the connection."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from checkin_testkit.apps import free_port
from mail import SmtpServer, mail_to
from notification_service.config import NotificationSettings
from notification_service.delivery.channels import DeliveryFailed, EmailChannel
from notification_service.log.models import Notification


def notification(recipient: str) -> Notification:
    return mail_to(recipient, "You claimed a reward", "Congratulations")


def addresses(n: int) -> list[str]:
    return [f"reuse-{uuid.uuid4().hex[:10]}@example.com" for _ in range(n)]


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def channel(
    settings: NotificationSettings, server: SmtpServer
) -> AsyncIterator[EmailChannel]:
    channel = EmailChannel(
        settings.model_copy(update={"smtp_port": server.port, "smtp_max_connections": 3})
    )
    yield channel
    await channel.close()


async def test_a_run_of_mails_goes_out_on_one_connection(
    channel: EmailChannel, server: SmtpServer
) -> None:
    for address in addresses(5):
        await channel.send(notification(address))
    assert len(server.mailbox.messages) == 5
    assert len(set(server.mailbox.peers)) == 1
    assert channel.connections.opened == 1


async def test_mails_at_once_use_no_more_connections_than_configured(
    channel: EmailChannel, server: SmtpServer
) -> None:
    await asyncio.gather(*(channel.send(notification(a)) for a in addresses(12)))
    assert len(server.mailbox.messages) == 12
    assert 1 < len(set(server.mailbox.peers)) <= 3


async def test_after_the_server_went_away_the_next_mail_goes_out_on_a_new_connection(
    channel: EmailChannel, server: SmtpServer
) -> None:
    first, second = addresses(2)
    await channel.send(notification(first))
    server.stop()  # the kept connection dies with it
    server.start()
    await channel.send(notification(second))  # no failure: nothing of it had been sent
    assert [m["To"] for m in server.mailbox.messages] == [first, second]
    assert len(set(server.mailbox.peers)) == 2


async def test_a_connection_idle_too_long_is_not_used_again(
    settings: NotificationSettings, server: SmtpServer
) -> None:
    channel = EmailChannel(
        settings.model_copy(update={"smtp_port": server.port, "smtp_idle_seconds": 0.2})
    )
    try:
        first, second, third = addresses(3)
        await channel.send(notification(first))
        await channel.send(notification(second))  # at once: the same connection
        await asyncio.sleep(0.3)
        await channel.send(notification(third))
    finally:
        await channel.close()
    peers = server.mailbox.peers
    assert peers[0] == peers[1] != peers[2]


async def test_a_refused_recipient_fails_permanently_and_keeps_the_connection(
    channel: EmailChannel, server: SmtpServer
) -> None:
    refused, accepted = addresses(2)
    await channel.send(notification(f"warm-{accepted}"))
    server.mailbox.refused.add(refused)
    with pytest.raises(DeliveryFailed) as failed:
        await channel.send(notification(refused))
    assert failed.value.permanent
    assert "550" in str(failed.value)
    await channel.send(notification(accepted))
    assert [m["To"] for m in server.mailbox.messages] == [f"warm-{accepted}", accepted]
    assert len(set(server.mailbox.peers)) == 1


async def test_with_the_server_down_a_mail_fails_as_temporary(
    channel: EmailChannel, server: SmtpServer
) -> None:
    await channel.send(notification(addresses(1)[0]))
    server.stop()
    with pytest.raises(DeliveryFailed) as failed:
        await channel.send(notification(addresses(1)[0]))
    assert not failed.value.permanent
    server.start()  # for the fixture's stop


async def test_an_address_with_a_line_break_fails_permanently_and_sends_nothing(
    channel: EmailChannel, server: SmtpServer
) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        await channel.send(notification("victim@example.com\r\nRCPT TO:<other@example.com>"))
    assert failed.value.permanent
    assert server.mailbox.messages == []


async def test_a_korean_body_goes_as_8_bits_to_a_server_that_offers_8bitmime(
    channel: EmailChannel, server: SmtpServer
) -> None:
    korean = notification(addresses(1)[0])
    korean.body_text = "축하합니다! 운송장 번호 TRK-42"
    await channel.send(korean)
    [mail] = server.mailbox.messages
    assert mail["Content-Transfer-Encoding"] == "8bit"
    body = mail.get_body(("plain",))
    assert body is not None and body.get_content().rstrip("\r\n") == korean.body_text
