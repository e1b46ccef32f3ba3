"""Access tokens, refresh-token families, rotation with reuse detection. Callers commit."""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth_service.config import AuthSettings
from auth_service.keys.signing import SigningKeys
from auth_service.purchases.eligibility import is_eligible
from auth_service.sessions.models import RefreshToken
from auth_service.sessions.schemas import TokenPair
from auth_service.users.models import Account


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class Issuer:
    settings: AuthSettings
    keys: SigningKeys

    def access_token(self, account: Account, *, eligible: bool, now: datetime) -> str:
        ttl = self.settings.access_token_ttl_seconds
        claims = {
            "sub": str(account.id),
            "role": account.role,
            "eligible": eligible,
            "iss": self.settings.jwt_issuer,
            "aud": self.settings.jwt_audience,
            "iat": int(now.timestamp()),
            "exp": int(now.timestamp()) + ttl,
            "jti": uuid.uuid4().hex,
        }
        return self.keys.sign(claims)

    async def new_pair(
        self, session: AsyncSession, account: Account, *, family_id: uuid.UUID, now: datetime
    ) -> TokenPair:
        """A fresh access token (eligibility re-read now) and refresh token in `family_id`."""
        raw = secrets.token_urlsafe(32)
        session.add(
            RefreshToken(
                family_id=family_id,
                user_id=account.id,
                token_hash=hash_token(raw),
                issued_at=now,
                expires_at=now + timedelta(seconds=self.settings.refresh_token_ttl_seconds),
            )
        )
        await session.flush()
        eligible = await is_eligible(session, account.id)
        return TokenPair(
            access_token=self.access_token(account, eligible=eligible, now=now),
            refresh_token=raw,
            expires_in=self.settings.access_token_ttl_seconds,
        )


class RefreshRejected(Exception):
    """The refresh token is unknown, expired or revoked."""


class RefreshReused(Exception):
    """A rotated token came back: its whole family was revoked (the refusal keeps that change)."""


async def rotate(
    session: AsyncSession, issuer: Issuer, *, raw_token: str, now: datetime
) -> TokenPair:
    """Exchange a refresh token for a new pair. The row lock serialises concurrent uses."""
    statement = (
        select(RefreshToken)
        .where(RefreshToken.token_hash == hash_token(raw_token))
        .with_for_update()
    )
    token = (await session.execute(statement)).scalar_one_or_none()
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        raise RefreshRejected
    if token.rotated_at is not None:
        await revoke_family(session, token.family_id, now=now)
        raise RefreshReused
    token.rotated_at = now
    account = await session.get(Account, token.user_id)
    if account is None:
        raise RefreshRejected
    return await issuer.new_pair(session, account, family_id=token.family_id, now=now)


async def revoke_family(session: AsyncSession, family_id: uuid.UUID, *, now: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def logout(
    session: AsyncSession, *, raw_token: str, user_id: uuid.UUID, now: datetime
) -> None:
    """Revoke the session this refresh token belongs to, if it is the caller's."""
    statement = select(RefreshToken.family_id).where(
        RefreshToken.token_hash == hash_token(raw_token), RefreshToken.user_id == user_id
    )
    family_id = (await session.execute(statement)).scalar_one_or_none()
    if family_id is not None:
        await revoke_family(session, family_id, now=now)
