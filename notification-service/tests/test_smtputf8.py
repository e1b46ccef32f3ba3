"""An address with non-ASCII characters: sent with SMTPUTF8 where the mail server offers
it; where it does not, the mail fails at once as permanent (it was retried six times as
"temporary" before), against real SMTP servers on loopback."""

import pytest
from checkin_testkit.apps import free_port
from mail import SmtpServer, mail_to
from notification_service.config import NotificationSettings
from notification_service.delivery.channels import DeliveryFailed, EmailChannel
from notification_service.log.models import Notification

ADDRESS = "소연.김@example.com"


def notification(recipient: str) -> Notification:
    return mail_to(recipient, "보상을 받으셨습니다", "축하합니다")


@pytest.fixture
def server_with_smtputf8() -> SmtpServer:
    server = SmtpServer(free_port(), smtputf8=True)
    server.start()
    yield server  # type: ignore[misc]
    server.stop()


async def test_a_non_ascii_address_is_sent_with_smtputf8_when_offered(
    settings: NotificationSettings, server_with_smtputf8: SmtpServer
) -> None:
    channel = EmailChannel(settings.model_copy(update={"smtp_port": server_with_smtputf8.port}))
    await channel.send(notification(ADDRESS))
    [mail] = server_with_smtputf8.mailbox.to(ADDRESS)
    assert mail["Subject"] == "보상을 받으셨습니다"


async def test_without_smtputf8_a_non_ascii_address_fails_at_once_as_permanent(
    settings: NotificationSettings, smtp: SmtpServer
) -> None:
    channel = EmailChannel(settings)  # the suite's server, which does not offer SMTPUTF8
    with pytest.raises(DeliveryFailed) as failed:
        await channel.send(notification(ADDRESS))
    assert failed.value.permanent
    assert "SMTPUTF8" in str(failed.value)
