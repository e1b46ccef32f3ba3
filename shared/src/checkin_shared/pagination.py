"""Cursor pagination: `{items, next_cursor}` with an opaque, tamper-checked cursor."""

import base64
import binascii
import json
import uuid
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

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
