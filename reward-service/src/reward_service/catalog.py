"""What every shopper read needs and few writes change: the running campaign and its tiers,
kept in memory for a short time (`REWARD_CATALOG_CACHE_SECONDS`, default 1 s) as
immutable snapshots. A write in this process (campaign, tier, stock, a granted claim)
drops it at once; another replica's write shows here within the time to live. Claims
never read it: they take the tier's row and its stock from the database."""

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from checkin_shared.state import from_state
from checkin_shared.unit_of_work import Reads
from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.campaigns import service as campaigns
from reward_service.campaigns.models import Campaign
from reward_service.campaigns.schemas import CampaignRead
from reward_service.tiers import service as tiers


@dataclass(frozen=True)
class TierSnapshot:
    id: uuid.UUID
    name: str
    required_days: int
    kind: str
    points: int | None
    stock: int
    description: str | None
    image_url: str | None
    rule: str
    daily_limit: int | None
    grant: str


@dataclass(frozen=True)
class Catalog:
    campaign: CampaignRead
    tiers: tuple[TierSnapshot, ...]
    earlier: CampaignRead | None = None  # the campaign that ended before this one began


class CatalogCache:
    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._catalog: Catalog | None = None
        self._loaded_at = 0.0
        self._generation = 0
        self._loading = asyncio.Lock()

    async def get(self, reads: Reads, now: datetime) -> Catalog:
        """The running (else next, else last) campaign's catalog; a read session is opened
        only when it has to be loaded."""
        if self.ttl <= 0:
            return await _load(reads, now)
        if self._fresh():
            assert self._catalog is not None
            return self._catalog
        async with self._loading:  # one load at a time; the others then find it fresh
            if self._fresh():
                assert self._catalog is not None
                return self._catalog
            generation = self._generation
            catalog = await _load(reads, now)
            if generation == self._generation:  # no write dropped it while loading
                self._catalog, self._loaded_at = catalog, time.monotonic()
            return catalog

    def invalidate(self) -> None:
        self._catalog = None
        self._generation += 1

    def _fresh(self) -> bool:
        return self._catalog is not None and time.monotonic() - self._loaded_at < self.ttl


async def _load(reads: Reads, now: datetime) -> Catalog:
    async with reads.session() as session:
        return await load_for(session, await campaigns.current(session, now), now)


async def published(reads: Reads, campaign_id: uuid.UUID, now: datetime) -> Catalog:
    async with reads.session() as session:
        return await load_published(session, campaign_id, now)


async def load_published(session: AsyncSession, campaign_id: uuid.UUID, now: datetime) -> Catalog:
    """A published campaign's catalog, for shoppers (a draft is nobody's: 404)."""
    campaign = await campaigns.get(session, campaign_id)
    if campaign.status != "published":
        raise campaigns.campaign_not_found()
    return await load_for(session, campaign, now)


async def load_for(session: AsyncSession, campaign: Campaign, now: datetime) -> Catalog:
    """The catalog of one campaign (not cached: for a campaign other than the current)."""
    earlier = await campaigns.before(session, campaign)
    return Catalog(
        campaign=campaigns.answer(campaign, now),
        tiers=tuple(
            TierSnapshot(
                t.id,
                t.name,
                t.required_days,
                t.kind,
                t.points,
                t.stock,
                t.description,
                t.image_url,
                t.rule,
                t.daily_limit,
                t.grant,
            )
            for t in await tiers.list_tiers(session, campaign)
            if t.active  # a retired tier is not shown to shoppers
        ),
        earlier=None if earlier is None else campaigns.answer(earlier, now),
    )


CatalogDep = Annotated[CatalogCache, Depends(from_state("catalog"))]
