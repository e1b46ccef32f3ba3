"""The admin claims listing and its CSV export: one filter, two formats."""

import csv
import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from checkin_shared.pagination import keyset_page
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reward_service.claims.models import Claim, Fulfilment
from reward_service.claims.queries import NEWEST_FIRST, claim_read
from reward_service.claims.schemas import AdminClaimRead
from reward_service.db import PEOPLE
from reward_service.tiers.models import Tier

CSV_COLUMNS = [
    "claim_id",
    "claim_number",
    "user_id",
    "email",
    "name",
    "tier_id",
    "tier_name",
    "kind",
    "points",
    "claimed_at",
    "fulfilment_status",
]


@dataclass(frozen=True)
class ClaimFilter:
    tier_id: uuid.UUID | None
    user_id: uuid.UUID | None
    email: str | None
    start: date | None
    end: date | None
    zone: ZoneInfo

    def statement(self) -> Select[Any]:
        """`from`/`to` are business days (inclusive) of the campaign's zone; `email` is the
        shopper's, exactly (case-insensitive)."""
        statement = (
            select(Claim, Tier, Fulfilment, PEOPLE.c.email, PEOPLE.c.name)
            .join(Tier, Tier.id == Claim.tier_id)
            .outerjoin(Fulfilment, Fulfilment.claim_id == Claim.id)
            .outerjoin(PEOPLE, PEOPLE.c.user_id == Claim.user_id)
        )
        if self.email:
            statement = statement.where(func.lower(PEOPLE.c.email) == self.email.strip().lower())
        if self.tier_id:
            statement = statement.where(Claim.tier_id == self.tier_id)
        if self.user_id:
            statement = statement.where(Claim.user_id == self.user_id)
        if self.start:
            statement = statement.where(Claim.claimed_at >= _midnight(self.start, self.zone))
        if self.end:
            next_day = self.end + timedelta(days=1)
            statement = statement.where(Claim.claimed_at < _midnight(next_day, self.zone))
        return statement


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


def row(
    claim: Claim, tier: Tier, fulfilment: Fulfilment | None, email: str | None, name: str | None
) -> AdminClaimRead:
    read = claim_read(claim, tier, fulfilment)
    return AdminClaimRead(**read.model_dump(), user_id=claim.user_id, email=email, name=name)


async def page(
    session: AsyncSession, claim_filter: ClaimFilter, *, cursor: str | None, limit: int
) -> tuple[list[AdminClaimRead], str | None]:
    """Newest first."""
    rows, next_cursor = await keyset_page(
        session, claim_filter.statement(), NEWEST_FIRST, cursor=cursor, limit=limit
    )
    return [row(*r) for r in rows], next_cursor


async def csv_lines(
    factory: async_sessionmaker[AsyncSession], claim_filter: ClaimFilter
) -> AsyncIterator[str]:
    """Streams the whole export from a server-side cursor, in its own read-only session."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield _take(buffer)
    async with factory() as session:
        newest_first = claim_filter.statement().order_by(Claim.claimed_at.desc(), Claim.id.desc())
        result = await session.stream(newest_first.execution_options(yield_per=500))
        async for found in result:
            item = row(*found)
            writer.writerow(
                [
                    item.claim_id,
                    item.claim_number,
                    item.user_id,
                    item.email or "",
                    item.name or "",
                    item.tier_id,
                    item.tier_name,
                    item.kind,
                    "" if item.points is None else item.points,
                    item.claimed_at.isoformat(),
                    item.fulfilment.status if item.fulfilment else "",
                ]
            )
            yield _take(buffer)


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
