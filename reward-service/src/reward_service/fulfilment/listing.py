"""The fulfilment queue staff work from, as JSON pages or the warehouse's CSV."""

import csv
import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from checkin_shared.pagination import NewestFirst, keyset_page
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reward_service.claims.models import Claim, Fulfilment, claim_number
from reward_service.db import PEOPLE
from reward_service.fulfilment.schemas import AdminFulfilmentRead
from reward_service.tiers.models import Tier

NEWEST_FIRST = NewestFirst(Claim.claimed_at, Claim.id, lambda row: (row[1].claimed_at, row[1].id))
ADDRESS = ("recipient", "phone", "address1", "address2", "postal_code", "country")
JOURNEY = ("carrier", "tracking_number", "shipped_at", "delivered_at", "cancelled_at")
CSV_COLUMNS = [
    "claim_id",
    "claim_number",
    "status",
    "tier_name",
    *ADDRESS,
    "email",
    "name",
    "claimed_at",
    *JOURNEY,
    "cancel_reason",
]


@dataclass(frozen=True)
class FulfilmentFilter:
    status: str | None
    tier_id: uuid.UUID | None

    def statement(self) -> Select[Any]:
        statement = (
            select(Fulfilment, Claim, Tier.name, PEOPLE.c.email, PEOPLE.c.name)
            .join(Claim, Claim.id == Fulfilment.claim_id)
            .join(Tier, Tier.id == Claim.tier_id)
            .outerjoin(PEOPLE, PEOPLE.c.user_id == Claim.user_id)
        )
        if self.status:
            statement = statement.where(Fulfilment.status == self.status)
        if self.tier_id:
            statement = statement.where(Claim.tier_id == self.tier_id)
        return statement


def row(fulfilment: Fulfilment, claim: Claim, tier_name: str, email: Any, name: Any) -> Any:
    return AdminFulfilmentRead(
        claim_id=claim.id,
        claim_number=claim_number(claim.number),
        user_id=claim.user_id,
        email=email,
        name=name,
        tier_id=claim.tier_id,
        tier_name=tier_name,
        claimed_at=claim.claimed_at,
        status=fulfilment.status,
        cancel_reason=fulfilment.cancel_reason,
        **{f: getattr(fulfilment, f) for f in (*ADDRESS, *JOURNEY)},
    )


async def page(
    session: AsyncSession, fulfilment_filter: FulfilmentFilter, *, cursor: str | None, limit: int
) -> tuple[list[AdminFulfilmentRead], str | None]:
    """Newest claim first."""
    rows, next_cursor = await keyset_page(
        session, fulfilment_filter.statement(), NEWEST_FIRST, cursor=cursor, limit=limit
    )
    return [row(*r) for r in rows], next_cursor


async def csv_lines(
    factory: async_sessionmaker[AsyncSession], fulfilment_filter: FulfilmentFilter
) -> AsyncIterator[str]:
    """Oldest claim first (the order a warehouse ships in), streamed in its own session."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield _take(buffer)
    async with factory() as session:
        oldest_first = fulfilment_filter.statement().order_by(Claim.claimed_at, Claim.id)
        result = await session.stream(oldest_first.execution_options(yield_per=500))
        async for found in result:
            item = row(*found).model_dump(mode="json")
            writer.writerow(["" if item[c] is None else item[c] for c in CSV_COLUMNS])
            yield _take(buffer)


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
