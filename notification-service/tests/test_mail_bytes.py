"""The mail written as bytes is a well-formed message: read back by the email package
(a strict reader, with defects listed), every header and part is what was given, lines
end in CRLF and stay under 998 octets, nothing but an address needs 8 bits, and no text
given can add a header."""

import uuid
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from notification_service.delivery.mail_bytes import (
    MailFrom,
    UnsendableAddress,
    mail_bytes,
    needs_smtputf8,
)

DATE = "Mon, 30 Nov 2026 15:25:29 +0000"
LONG_URL = "https://rewards.shop.example/unsubscribe?t=" + "a1B2" * 120
CASES = {
    "ascii, text only": ("shopper@example.com", "You claimed a reward", "Hello\nthere\n", None),
    "ascii with html": ("a@example.com", "Prize", "Hello", "<p>Hello</p>\n<p>again</p>"),
    "korean subject and body": (
        "b@example.com",
        "보상을 받으셨습니다: 무선 이어폰",
        "축하합니다!\n\n배송지를 입력해 주세요.",
        "<p>축하합니다</p>",
    ),
    "a long korean subject, folded": ("c@example.com", "받으셨습니다 " * 25, "x", None),
    "a line of 5,000 characters": ("d@example.com", "Long", "word " * 1000, "<b>" * 2000),
    "windows and old mac line ends": ("e@example.com", "Ends", "one\r\ntwo\rthree\n", None),
    "a subject that tries to add a header": (
        "f@example.com",
        "Hi\r\nBcc: thief@example.com",
        "body",
        None,
    ),
    "a body line that looks like a boundary and a dot": ("g@example.com", "S", "--x\n.\n", None),
    "a non-ascii address": ("소연.김@example.com", "주문", "본문", "<p>본문</p>"),
}


def read(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def written(
    recipient: str, subject: str, text: str, html: str | None, eight_bit: bool = False, **kw: str
) -> bytes:
    return mail_bytes(
        MailFrom.parse(kw.get("mail_from", "Check-in Rewards <no-reply@checkin.example>")),
        notification_id=uuid.UUID("0b5d3c6e-7a1f-4a55-9d0e-2f1e6b7c8d90"),
        recipient=recipient,
        subject=subject,
        date=DATE,
        body_text=text,
        body_html=html,
        unsubscribe_url=kw.get("unsubscribe_url"),
        eight_bit=eight_bit,
    )


def lines_of(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")


@pytest.mark.parametrize("eight_bit", [False, True], ids=["7-bit server", "8BITMIME server"])
@pytest.mark.parametrize("case", CASES)
def test_the_message_reads_back_as_given(case: str, eight_bit: bool) -> None:
    recipient, subject, text, html = CASES[case]
    raw = written(recipient, subject, text, html, eight_bit)
    message = read(raw)
    assert not message.defects
    assert message["To"] == recipient
    assert message["From"] == "Check-in Rewards <no-reply@checkin.example>"
    assert message["Subject"] == subject.replace("\r\n", " ")  # a header is one line
    assert message["Date"] == DATE
    assert message["Message-ID"] == "<0b5d3c6e-7a1f-4a55-9d0e-2f1e6b7c8d90@checkin.example>"
    assert message["X-Notification-Id"] == "0b5d3c6e-7a1f-4a55-9d0e-2f1e6b7c8d90"
    assert message["MIME-Version"] == "1.0"
    plain = message.get_body(("plain",))
    assert plain is not None
    assert lines_of(plain.get_content()) == lines_of(text)
    if html is None:
        assert not message.is_multipart()
    else:
        assert message.get_content_type() == "multipart/alternative"
        shown = message.get_body(("html",))
        assert shown is not None
        assert lines_of(shown.get_content()) == lines_of(html)
        assert all(not part.defects for part in message.walk())


@pytest.mark.parametrize("eight_bit", [False, True], ids=["7-bit server", "8BITMIME server"])
@pytest.mark.parametrize("case", CASES)
def test_lines_end_in_crlf_and_are_short_and_8_bits_only_where_allowed(
    case: str, eight_bit: bool
) -> None:
    recipient, subject, text, html = CASES[case]
    raw = written(recipient, subject, text, html, eight_bit)
    assert raw.endswith(b"\r\n")
    head, _, _ = raw.partition(b"\r\n\r\n")
    for line in raw[:-2].split(b"\r\n"):
        assert b"\r" not in line and b"\n" not in line
        assert len(line) <= 998
    for line in head.split(b"\r\n"):
        assert line.isascii() or line.startswith(b"To: ")
    if not eight_bit:
        assert all(line.isascii() or line.startswith(b"To: ") for line in raw.split(b"\r\n"))
    assert needs_smtputf8("no-reply@checkin.example", recipient) == (not recipient.isascii())


def test_for_an_8bitmime_server_a_korean_body_is_readable_as_it_is() -> None:
    text = "축하합니다! 운송장 번호 TRK-42"
    assert text.encode() in written("k@example.com", "S", text, None, eight_bit=True)
    assert text.encode() not in written("k@example.com", "S", text, None, eight_bit=False)
    # a line too long for SMTP goes in base64 even then
    long_line = "가" * 400  # 1,200 octets in UTF-8
    raw = written("k@example.com", "S", long_line, None, eight_bit=True)
    assert long_line.encode() not in raw
    plain = read(raw).get_body(("plain",))
    assert plain is not None and plain.get_content().rstrip("\n") == long_line


def test_no_text_given_adds_a_header() -> None:
    message = read(written("f@example.com", "Hi\r\nBcc: thief@example.com", "b", None))
    assert message["Bcc"] is None
    assert message.get_all("Subject") == ["Hi Bcc: thief@example.com"]


def test_the_unsubscribe_link_stays_on_one_line_however_long() -> None:
    raw = written("h@example.com", "Reminder", "body", "<p>b</p>", unsubscribe_url=LONG_URL)
    assert f"\r\nList-Unsubscribe: <{LONG_URL}>\r\n".encode() in raw
    message = read(raw)
    assert message["List-Unsubscribe"] == f"<{LONG_URL}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_no_unsubscribe_headers_without_a_link() -> None:
    message = read(written("h@example.com", "Claimed", "body", None))
    assert message["List-Unsubscribe"] is None
    assert message["List-Unsubscribe-Post"] is None


@pytest.mark.parametrize(
    ("mail_from", "shown"),
    [
        ("no-reply@shop.example", "no-reply@shop.example"),
        ("Seoul Mart <no-reply@shop.example>", "Seoul Mart <no-reply@shop.example>"),
        ("서울마트 <no-reply@shop.example>", "서울마트 <no-reply@shop.example>"),
        ('"Mart, Inc." <no-reply@shop.example>', '"Mart, Inc." <no-reply@shop.example>'),
    ],
)
def test_the_sender_is_shown_as_configured(mail_from: str, shown: str) -> None:
    message = read(written("i@example.com", "S", "b", None, mail_from=mail_from))
    assert message["From"] == shown
    assert MailFrom.parse(mail_from).address == "no-reply@shop.example"


@pytest.mark.parametrize(
    "address",
    ["", "no-at-sign", "two@@example.com", "a b@example.com", "a@example.com\r\nBcc: x@y.z"],
)
def test_an_address_no_server_takes_is_refused(address: str) -> None:
    with pytest.raises(UnsendableAddress):
        written(address, "S", "b", None)
