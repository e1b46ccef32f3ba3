"""The local stack's SMTP sink: every mail kept as sent in a Maildir, answered once it is
on disk, and mails on other connections accepted while one is being written."""

import asyncio
import contextlib
import mailbox
import sys
import threading
from collections.abc import AsyncIterator
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
from checkin_testkit.apps import free_port

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "deploy" / "devstack"))

from mail_sink import Maildir, serve  # noqa: E402


def mail(to: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "rewards@shop.example"
    message["To"] = to
    message["Subject"] = "Your reward"
    message.set_content(body)
    return message


@contextlib.asynccontextmanager
async def sink(maildir: Maildir) -> AsyncIterator[int]:
    port = free_port()
    server = asyncio.create_task(serve("127.0.0.1", port, maildir))
    for _ in range(100):
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            break
        await asyncio.sleep(0.02)
    try:
        yield port
    finally:
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server


async def test_every_mail_is_kept_as_sent_and_mailbox_reads_it(tmp_path: Path) -> None:
    async with sink(Maildir(tmp_path / "mail")) as port:
        await asyncio.gather(
            *(
                aiosmtplib.send(mail(f"s{i}@shop.example", f"Line one\n.dot line {i}\n"), port=port)
                for i in range(5)
            )
        )
    box = mailbox.Maildir(tmp_path / "mail", create=False)
    kept = {m["To"]: m for m in box}
    assert sorted(kept) == [f"s{i}@shop.example" for i in range(5)]
    body = kept["s3@shop.example"].get_payload(decode=True)
    assert isinstance(body, bytes)
    assert body.replace(b"\r\n", b"\n") == b"Line one\n.dot line 3\n"
    assert not list((tmp_path / "mail" / "tmp").iterdir())  # every file moved into new/


class SlowDisk(Maildir):
    """The first mail's write waits until it is let go."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.first = True
        self.let_go = threading.Event()

    def keep(self, content: bytes) -> str:
        if self.first:
            self.first = False
            assert self.let_go.wait(10)
        return super().keep(content)


async def test_a_mail_being_written_holds_up_no_other_connection(tmp_path: Path) -> None:
    maildir = SlowDisk(tmp_path / "mail")
    async with sink(maildir) as port:
        slow = asyncio.create_task(aiosmtplib.send(mail("first@shop.example", "1"), port=port))
        await asyncio.sleep(0.2)
        await asyncio.wait_for(aiosmtplib.send(mail("second@shop.example", "2"), port=port), 5)
        assert not slow.done()  # not answered before its file is on disk
        assert [m["To"] for m in mailbox.Maildir(tmp_path / "mail")] == ["second@shop.example"]
        maildir.let_go.set()
        await asyncio.wait_for(slow, 5)
    assert len(list(mailbox.Maildir(tmp_path / "mail"))) == 2
