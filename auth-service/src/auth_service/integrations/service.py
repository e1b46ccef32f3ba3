"""API keys: made (shown once, kept hashed), listed, revoked at once; checked on every
call of the shop's servers. Helpers flush; the unit of work commits."""

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime

from checkin_shared.errors import ProblemError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth_service.integrations.models import ApiKey

PREFIX = "ck_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create(
    session: AsyncSession,
    *,
    name: str,
    scopes: Sequence[str],
    admin_id: uuid.UUID,
    now: datetime,
) -> tuple[ApiKey, str]:
    key = PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        id=uuid.uuid4(),
        name=name,
        scopes=sorted(set(scopes)),
        key_hash=_hash(key),
        created_by=admin_id,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return row, key


async def active(session: AsyncSession) -> list[ApiKey]:
    rows = await session.execute(
        select(ApiKey).where(ApiKey.revoked_at.is_(None)).order_by(ApiKey.created_at.desc())
    )
    return list(rows.scalars())


async def revoke(session: AsyncSession, key_id: uuid.UUID, *, now: datetime) -> None:
    """404 for an unknown or already revoked key."""
    done = await session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(ApiKey.id)
    )
    if done.scalar_one_or_none() is None:
        raise ProblemError(404, "api_key_not_found", "API key not found", "No such active key")


async def authorize(session: AsyncSession, key: str | None, *, scope: str, now: datetime) -> ApiKey:
    """The active key with `scope`, its use recorded: 401 `invalid_api_key` for a missing,
    unknown or revoked key, 403 `insufficient_scope` for one without the scope."""
    if not key or not key.startswith(PREFIX) or len(key) > 200:
        raise invalid_api_key()
    row = (
        await session.execute(
            update(ApiKey)
            .where(ApiKey.key_hash == _hash(key), ApiKey.revoked_at.is_(None))
            .values(last_used_at=now)
            .returning(ApiKey)
        )
    ).scalar_one_or_none()
    if row is None:
        raise invalid_api_key()
    if scope not in row.scopes:
        raise ProblemError(
            403,
            "insufficient_scope",
            "Insufficient scope",
            f"This API key lacks the scope {scope!r}",
            required_scope=scope,
        ).keeping_changes()  # its use is still recorded
    return row


def invalid_api_key() -> ProblemError:
    return ProblemError(
        401,
        "invalid_api_key",
        "Invalid API key",
        "Send an active API key in the X-Api-Key header",
        headers={"WWW-Authenticate": 'ApiKey header="X-Api-Key"'},
    )
