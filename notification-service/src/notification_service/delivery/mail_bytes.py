"""A notification as the bytes of an RFC 5322 / MIME message, written out directly.

The email package's EmailMessage parsed back every header and part it was given and then
flattened them again: about 1.5 ms of CPU per mail on the 2-core machine, a third of the
notification service's work per claim. The messages sent here have one shape (headers,
a text part and maybe an HTML alternative), so they are written as bytes: CRLF lines,
no line over 998 octets, non-ASCII header text as RFC 2047 encoded words, and a
non-ASCII body as UTF-8 as it is when the server takes 8-bit bodies (8BITMIME, RFC 6152:
readable in any mailbox file) or else in base64. An address with non-ASCII characters
only SMTPUTF8 can carry (RFC 6531): it is written as UTF-8, and `needs_smtputf8` says so."""

import base64
import re
import uuid
from dataclasses import dataclass
from email.header import Header
from email.utils import formataddr, parseaddr

CRLF = b"\r\n"
# What a header's text may hold as it is: printable ASCII and the space.
PLAIN = re.compile(r"[ -~]*")
# What an address may hold: no space, no control character, no angle bracket.
ADDRESS = re.compile(r"[^\s<>@\x00-\x1f\x7f]+@[^\s<>@\x00-\x1f\x7f]+")
LINE_BREAKS = re.compile(r"[\r\n]+")
LONGEST_LINE = 998


class UnsendableAddress(ValueError):
    """An address no mail server can be given (a line break in it, no @, ...)."""


@dataclass(frozen=True)
class MailFrom:
    """The From header and the envelope's sender, worked out once from `mail_from`."""

    header: bytes
    address: str

    @classmethod
    def parse(cls, mail_from: str) -> "MailFrom":
        name, address = parseaddr(mail_from)
        check_address(address)
        if not name:
            return cls(header=b"From: " + address.encode() + CRLF, address=address)
        # the name quoted or in encoded words as need be (formataddr takes ASCII
        # addresses only: the address is put in after it)
        shown = formataddr((name, "x@x"), charset="utf-8").removesuffix("<x@x>")
        return cls(header=f"From: {shown}<{address}>".encode() + CRLF, address=address)


def check_address(address: str) -> str:
    if not ADDRESS.fullmatch(address):
        raise UnsendableAddress(f"not an address a mail server takes: {address!r}")
    return address


def needs_smtputf8(*addresses: str) -> bool:
    return not all(a.isascii() for a in addresses)


def header(name: str, text: str) -> bytes:
    """`name: text` on one line when it is printable ASCII; otherwise as RFC 2047 encoded
    words, folded. A line break in the text becomes a space: a header is one line."""
    text = LINE_BREAKS.sub(" ", text)
    if PLAIN.fullmatch(text) and len(name) + 2 + len(text) <= LONGEST_LINE:
        return f"{name}: {text}".encode() + CRLF
    encoded = Header(text, "utf-8", header_name=name).encode(linesep="\r\n")
    return f"{name}: {encoded}".encode() + CRLF


def part(subtype: str, text: str, *, eight_bit: bool) -> bytes:
    """A text part: as it is when its lines are short and it is ASCII (or the server
    takes 8-bit bodies), else in base64."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    short = all(len(line.encode()) <= LONGEST_LINE for line in lines)
    if short and text.isascii():
        encoding, body = "7bit", "\r\n".join(lines).encode()
    elif short and eight_bit:
        encoding, body = "8bit", "\r\n".join(lines).encode()
    else:
        encoding = "base64"
        body = base64.encodebytes("\r\n".join(lines).encode()).replace(b"\n", CRLF)
    head = f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: {encoding}'
    return head.encode() + CRLF + CRLF + body.rstrip(CRLF) + CRLF


def mail_bytes(
    sender: MailFrom,
    *,
    notification_id: uuid.UUID,
    recipient: str,
    subject: str,
    date: str,
    body_text: str,
    body_html: str | None,
    unsubscribe_url: str | None,
    eight_bit: bool = False,
) -> bytes:
    """The whole message; `eight_bit` when the server offers 8BITMIME (the mail is then
    sent with BODY=8BITMIME). The Message-ID is the same on every attempt: should a crash
    between the server's acceptance and our commit send a mail twice, mail systems can
    tell the copies are one message."""
    check_address(recipient)
    lines = [
        sender.header,
        b"To: " + recipient.encode() + CRLF,
        header("Subject", subject),
        header("Date", date),
        header("Message-ID", f"<{notification_id}@checkin.example>"),
        header("X-Notification-Id", str(notification_id)),
    ]
    if unsubscribe_url:  # RFC 2369 and RFC 8058 one-click: one line, never encoded words
        if not PLAIN.fullmatch(unsubscribe_url) or " " in unsubscribe_url:
            raise ValueError(f"not a URL to put in a header: {unsubscribe_url!r}")
        lines.append(b"List-Unsubscribe: <" + unsubscribe_url.encode() + b">" + CRLF)
        lines.append(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" + CRLF)
    lines.append(b"MIME-Version: 1.0" + CRLF)
    text = part("plain", body_text, eight_bit=eight_bit)
    if body_html is None:
        return b"".join(lines) + text
    html = part("html", body_html, eight_bit=eight_bit)
    boundary = f"=_{uuid.uuid4().hex}"
    while boundary.encode() in text or boundary.encode() in html:
        boundary = f"=_{uuid.uuid4().hex}"
    mark = b"--" + boundary.encode()
    lines.append(f'Content-Type: multipart/alternative; boundary="{boundary}"'.encode() + CRLF)
    return b"".join(lines) + CRLF + mark + CRLF + text + mark + CRLF + html + mark + b"--" + CRLF
