"""Cursor pagination: `{items, next_cursor}` with an opaque, tamper-checked cursor."""

import base64
import binascii
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from checkin_shared.errors import ProblemError

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

LimitQuery = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"Page size (default {DEFAULT_LIMIT})")
]
CursorQuery = Annotated[
    str | None, Query(max_length=512, description="Opaque cursor from `next_cursor`")
]


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(*values: Any) -> str:
    raw = json.dumps([str(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, parts: int) -> list[str]:
    """The values a cursor carries; a 422 `invalid_cursor` for anything we did not make."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise _invalid() from exc
    if not isinstance(values, list) or len(values) != parts:
        raise _invalid()
    if not all(isinstance(v, str) for v in values):
        raise _invalid()
    return values


def _invalid() -> ProblemError:
    return ProblemError(422, "invalid_cursor", "Invalid cursor", "The cursor is not one we issued")


def decode_time_cursor(cursor: str) -> tuple[datetime, str]:
    """A cursor of (instant, tie-breaker) as made by `encode_cursor(at.isoformat(), key)`."""
    at, key = decode_cursor(cursor, 2)
    try:
        return datetime.fromisoformat(at), key
    except ValueError as exc:
        raise _invalid() from exc


def decode_time_id_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """A cursor of (instant, row id): the keyset of every newest-first listing."""
    at, key = decode_time_cursor(cursor)
    try:
        return at, uuid.UUID(key)
    except ValueError as exc:
        raise _invalid() from exc


@dataclass(frozen=True)
class NewestFirst:
    """A keyset order, newest first: an instant column and a unique tie-breaker column.
    `position` reads a row's (instant, tie-breaker); `parse_key` turns the cursor's
    tie-breaker back into the column's type."""

    at: Any
    key: Any
    position: Callable[[Any], tuple[datetime, Any]]
    parse_key: Callable[[str], Any] = uuid.UUID


async def keyset_page(
    session: AsyncSession,
    statement: Select[*tuple[Any, ...]],
    order: NewestFirst,
    *,
    cursor: str | None,
    limit: int,
) -> tuple[list[Any], str | None]:
    """One page of `statement` (a select of one entity gives entities, else rows) after
    `cursor`, and the cursor of the next page (None on the last)."""
    if cursor:
        at, raw_key = decode_time_cursor(cursor)
        try:
            key = order.parse_key(raw_key)
        except ValueError as exc:
            raise _invalid() from exc
        statement = statement.where(tuple_(order.at, order.key) < tuple_(at, key))
    statement = statement.order_by(order.at.desc(), order.key.desc()).limit(limit + 1)
    result = await session.execute(statement)
    rows = list(result.scalars() if len(statement.column_descriptions) == 1 else result.all())
    if len(rows) <= limit:
        return rows, None
    last_at, last_key = order.position(rows[limit - 1])
    return rows[:limit], encode_cursor(last_at.isoformat(), last_key)
