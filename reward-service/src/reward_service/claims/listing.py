"""The admin claims listing and its CSV export: one filter, two formats."""

import csv
import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from checkin_shared.pagination import keyset_page
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reward_service.claims.models import Claim
from reward_service.claims.queries import NEWEST_FIRST, claim_read
from reward_service.claims.schemas import AdminClaimRead
from reward_service.tiers.models import Tier

CSV_COLUMNS = [
    "claim_id",
    "claim_number",
    "user_id",
    "tier_id",
    "tier_name",
    "kind",
    "points",
    "claimed_at",
]


@dataclass(frozen=True)
class ClaimFilter:
    tier_id: uuid.UUID | None
    user_id: uuid.UUID | None
    start: date | None
    end: date | None
    zone: ZoneInfo

    def statement(self) -> Select[Claim, Tier]:
        """`from`/`to` are business days (inclusive) of the campaign's zone."""
        statement = select(Claim, Tier).join(Tier, Tier.id == Claim.tier_id)
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


def row(claim: Claim, tier: Tier) -> AdminClaimRead:
    return AdminClaimRead(**claim_read(claim, tier).model_dump(), user_id=claim.user_id)


async def page(
    session: AsyncSession, claim_filter: ClaimFilter, *, cursor: str | None, limit: int
) -> tuple[list[AdminClaimRead], str | None]:
    """Newest first."""
    rows, next_cursor = await keyset_page(
        session, claim_filter.statement(), NEWEST_FIRST, cursor=cursor, limit=limit
    )
    return [row(c, t) for c, t in rows], next_cursor


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
        async for claim, tier in result:
            item = row(claim, tier)
            writer.writerow(
                [
                    item.claim_id,
                    item.claim_number,
                    item.user_id,
                    item.tier_id,
                    item.tier_name,
                    item.kind,
                    "" if item.points is None else item.points,
                    item.claimed_at.isoformat(),
                ]
            )
            yield _take(buffer)


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
