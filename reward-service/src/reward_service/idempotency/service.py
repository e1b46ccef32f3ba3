"""Idempotency-Key: the first answer to (shopper, key) is stored with the request's hash;
a retry gets that answer back unchanged, the same key on another request is a 422.

The record is inserted first, in the request's transaction: a concurrent retry waits on
its key until the first commits, then reads the stored answer. The work runs inside a
savepoint, so a refusal (409, 403) is stored as the answer while its effects roll back.
Nothing here commits: the request's unit of work commits the record with the work."""

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from checkin_shared.errors import PROBLEM_MEDIA_TYPE, ProblemError
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.idempotency.models import IdempotencyRecord

MAX_KEY_LENGTH = 200


def request_hash(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), body])).hexdigest()


@dataclass(frozen=True)
class Answer:
    """The answer to send, and what it was: `replayed`, the refusal's code, or None when
    the work was done now."""

    response: Response
    outcome: str | None


def _answer(status: int, body: dict[str, Any]) -> Response:
    """The first answer and every replay render byte for byte the same (JSONB does not
    keep key order, so both are written from sorted keys)."""
    media = PROBLEM_MEDIA_TYPE if status >= 400 else "application/json"
    content = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return Response(content, status_code=status, media_type=media)


async def run_once(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    key: str,
    fingerprint: str,
    now: datetime,
    work: Callable[[], Awaitable[BaseModel]],
    success_status: int,
) -> Answer:
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise ProblemError(
            422,
            "invalid_idempotency_key",
            "Invalid Idempotency-Key",
            f"The key must be 1 to {MAX_KEY_LENGTH} characters",
        )
    first = await session.execute(
        insert(IdempotencyRecord)
        .values(user_id=user_id, key=key, request_hash=fingerprint, created_at=now)
        .on_conflict_do_nothing()
        .returning(IdempotencyRecord.key)
    )
    if first.scalar_one_or_none() is None:
        record = (
            await session.execute(
                select(IdempotencyRecord).where(
                    IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
                )
            )
        ).scalar_one()
        if record.request_hash != fingerprint:
            raise ProblemError(
                422,
                "idempotency_key_reused",
                "Idempotency-Key reused",
                "This key was used for a different request",
            )
        assert record.status_code is not None and record.body is not None
        return Answer(_answer(record.status_code, record.body), "replayed")
    outcome: str | None
    try:
        async with session.begin_nested():  # a refusal rolls back to here, not further
            result = await work()
    except ProblemError as refused:
        status, body, outcome = refused.status, jsonable_encoder(refused.body()), refused.code
    else:
        status, body, outcome = success_status, result.model_dump(mode="json"), None
    await session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
        .values(status_code=status, body=body)
    )
    return Answer(_answer(status, body), outcome)
