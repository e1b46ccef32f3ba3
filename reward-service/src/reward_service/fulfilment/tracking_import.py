"""The warehouse's tracking numbers, from CSV `claim_id,carrier,tracking_number`: each row
marks its claim shipped, as the single change would. A row that cannot be applied is
reported with its line and the others still go through (each row in its own savepoint of
the request's one transaction). Idempotent: a row already applied (same carrier and
number) is neither an update nor an error the second time."""

import csv
import io
import re
import uuid
from datetime import datetime

from checkin_shared.errors import ProblemError
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.claims.models import Claim, Fulfilment
from reward_service.fulfilment import service
from reward_service.fulfilment.schemas import FulfilmentChange, RowError, TrackingImportResult

HEADER = ["claim_id", "carrier", "tracking_number"]
MAX_ROWS = 10_000
CLAIM_NUMBER = re.compile(r"^C-(\d{1,18})$", re.IGNORECASE)


def invalid_csv(detail: str) -> ProblemError:
    return ProblemError(422, "invalid_csv", "Invalid CSV", detail)


def parse(body: bytes) -> list[tuple[int, list[str]]]:
    """(line, cells) per data row; the whole file is refused (422) if it cannot be read."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise invalid_csv("The file is not UTF-8") from exc
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [c.strip().lower() for c in rows[0]] != HEADER:
        raise invalid_csv("The first row must be the header " + ",".join(HEADER))
    data = [(line, cells) for line, cells in enumerate(rows[1:], start=2) if any(cells)]
    if len(data) > MAX_ROWS:
        raise ProblemError(
            422, "too_many_rows", "Too many rows", f"At most {MAX_ROWS:,} rows per file"
        )
    return data


async def apply(
    session: AsyncSession, body: bytes, *, actor_id: uuid.UUID, now: datetime
) -> TrackingImportResult:
    updated, errors = 0, []
    for line, cells in parse(body):
        try:
            if await _apply_row(session, cells, actor_id=actor_id, now=now):
                updated += 1
        except RowRefused as refused:
            errors.append(RowError(line=line, error=str(refused)))
    return TrackingImportResult(updated=updated, errors=errors)


class RowRefused(Exception):
    pass


async def _apply_row(
    session: AsyncSession, cells: list[str], *, actor_id: uuid.UUID, now: datetime
) -> bool:
    if len(cells) != len(HEADER):
        raise RowRefused(f"expected {len(HEADER)} columns, found {len(cells)}")
    reference, carrier, tracking = (c.strip() for c in cells)
    try:
        change = FulfilmentChange(status="shipped", carrier=carrier, tracking_number=tracking)
    except ValidationError as exc:
        field = str(exc.errors()[0]["loc"][0])
        raise RowRefused(f"{field}: {exc.errors()[0]['msg']}") from exc
    claim_id = await _claim_id(session, reference)
    if claim_id is None:
        raise RowRefused(f"no claim {reference!r}")
    done = await session.get(Fulfilment, claim_id)
    if done is not None and (done.status, done.carrier, done.tracking_number) == (
        "shipped",
        change.carrier,
        change.tracking_number,
    ):
        return False  # this row was applied before
    try:
        async with session.begin_nested():
            await service.change(
                session, claim_id=claim_id, body=change, actor_id=actor_id, now=now
            )
    except ProblemError as refused:
        raise RowRefused(f"{reference}: {refused.detail}") from refused
    return True


async def _claim_id(session: AsyncSession, reference: str) -> uuid.UUID | None:
    """A claim by its id or its number (`C-000042`)."""
    number = CLAIM_NUMBER.match(reference)
    if number:
        found: uuid.UUID | None = await session.scalar(
            select(Claim.id).where(Claim.number == int(number.group(1)))
        )
        return found
    try:
        claim_id = uuid.UUID(reference)
    except ValueError:
        return None
    return claim_id if await session.get(Claim, claim_id) is not None else None
