"""Signed links in mails that work without signing in: the one-click unsubscribe.

A token is `<user id hex>.<HMAC-SHA256 of purpose and id, base64url, 128 bits>`; it has
no expiry (an old reminder's link still works) and names nothing but the shopper's id."""

import base64
import hashlib
import hmac
import secrets
import uuid
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notification_service.directory.models import LinkSecret

PURPOSE = b"unsubscribe:reminders:"
SECRET_NAME = "links"  # noqa: S105 (the row's name, not a secret)


class LinkSigner:
    def __init__(self, secret: bytes, public_url: str) -> None:
        self._secret = secret
        self.public_url = public_url.rstrip("/")

    def _mac(self, user_id: uuid.UUID) -> str:
        digest = hmac.new(self._secret, PURPOSE + user_id.hex.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()

    def token(self, user_id: uuid.UUID) -> str:
        return f"{user_id.hex}.{self._mac(user_id)}"

    def verify(self, token: str) -> uuid.UUID | None:
        """The shopper the token was made for, or None for anything not made here."""
        raw_id, _, mac = token.partition(".")
        try:
            user_id = uuid.UUID(hex=raw_id)
        except ValueError:
            return None
        if len(raw_id) != 32 or not hmac.compare_digest(mac, self._mac(user_id)):
            return None
        return user_id

    def unsubscribe_url(self, user_id: uuid.UUID) -> str:
        return f"{self.public_url}/notifications/unsubscribe?token={quote(self.token(user_id))}"


async def load_secret(session: AsyncSession, *, now: datetime) -> bytes:
    """The stored key, made on the first start (replicas starting at once agree on one)."""
    await session.execute(
        insert(LinkSecret)
        .values(name=SECRET_NAME, secret=secrets.token_bytes(32), created_at=now)
        .on_conflict_do_nothing()
    )
    stored = await session.scalar(select(LinkSecret.secret).where(LinkSecret.name == SECRET_NAME))
    assert stored is not None
    return bytes(stored)
