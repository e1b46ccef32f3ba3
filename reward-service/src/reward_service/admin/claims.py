"""The admin claims listing and its CSV export: one filter, two formats."""

import csv
import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reward_service.claims.models import Claim
from reward_service.claims.schemas import AdminClaimRead
from reward_service.tiers.models import Tier

CSV_COLUMNS = ["claim_id", "user_id", "tier_id", "tier_name", "kind", "points", "claimed_at"]


@dataclass(frozen=True)
class ClaimFilter:
    tier_id: uuid.UUID | None
    user_id: uuid.UUID | None
    start: date | None
    end: date | None
    zone: ZoneInfo

    def statement(self) -> Select[Claim, Tier]:
        """Newest first; `from`/`to` are business days (inclusive) of the campaign's zone."""
        statement = (
            select(Claim, Tier)
            .join(Tier, Tier.id == Claim.tier_id)
            .order_by(Claim.claimed_at.desc(), Claim.id.desc())
        )
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
    return AdminClaimRead(
        claim_id=claim.id,
        user_id=claim.user_id,
        tier_id=tier.id,
        tier_name=tier.name,
        kind=tier.kind,
        points=tier.points,
        claimed_at=claim.claimed_at,
    )


async def page(
    session: AsyncSession,
    claim_filter: ClaimFilter,
    *,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[AdminClaimRead]:
    statement = claim_filter.statement()
    if after:
        statement = statement.where(tuple_(Claim.claimed_at, Claim.id) < tuple_(*after))
    return [row(c, t) for c, t in (await session.execute(statement.limit(limit))).all()]


async def csv_lines(
    factory: async_sessionmaker[AsyncSession], claim_filter: ClaimFilter
) -> AsyncIterator[str]:
    """Streams the whole export from a server-side cursor, in its own read-only session."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield _take(buffer)
    async with factory() as session:
        result = await session.stream(claim_filter.statement().execution_options(yield_per=500))
        async for claim, tier in result:
            item = row(claim, tier)
            writer.writerow(
                [
                    item.claim_id,
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
