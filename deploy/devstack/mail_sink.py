"""The local stack's stand-in for the shop's mail server: an SMTP server that keeps every
mail it accepts, as sent, in a Maildir (`<state>/mail`; `mailbox.Maildir` reads it).

A mail is answered 250 only once its file is on disk (written, fsynced, moved from `tmp/`
to `new/`), as a mail server takes responsibility for a mail it accepts. That is done in a
worker thread, so mails arriving on other connections meanwhile are accepted in parallel,
as by a real mail server. aiosmtpd's own `Mailbox` handler, used before, parsed and
re-wrote each mail and fsynced it in the event loop, so each mail waited for every fsync
before it: in the benchmark's mail run that was half of the sink's time.

    python deploy/devstack/mail_sink.py --port 8025 --maildir .dev/mail
"""

import argparse
import asyncio
import os
import socket
import time
import uuid
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session


class Maildir:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        for sub in ("tmp", "new", "cur"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        self.host = socket.gethostname().replace("/", "-").replace(":", "-")

    def keep(self, content: bytes) -> str:
        """Delivers `content` the Maildir way (tmp, fsync, rename into new); its name."""
        name = f"{time.time_ns()}.{uuid.uuid4().hex}.{self.host}"
        written = self.folder / "tmp" / name
        with written.open("xb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        written.rename(self.folder / "new" / name)
        return name


class KeepInMaildir:
    """aiosmtpd's handler: every mail of the DATA command into the Maildir."""

    def __init__(self, maildir: Maildir) -> None:
        self.maildir = maildir

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        await asyncio.to_thread(self.maildir.keep, content)
        return "250 Message accepted for delivery"


async def serve(host: str, port: int, maildir: Maildir) -> None:
    loop = asyncio.get_running_loop()
    handler = KeepInMaildir(maildir)
    server = await loop.create_server(lambda: SMTP(handler, hostname="mail-sink"), host, port)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--maildir", type=Path, required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.host, args.port, Maildir(args.maildir)))


if __name__ == "__main__":
    main()
