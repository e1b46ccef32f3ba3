"""Pure rules of a shopper's progress: a tier's status for them, the tier reached and the
next one. No database here (the unit tests call these directly)."""

import uuid
from collections.abc import Sequence
from typing import Literal, Protocol, cast

from reward_service.claims.overview_schemas import Status, TierForShopper, TierRef


class Tier(Protocol):
    """What the rules read of a tier (a row, or the catalog's snapshot of one)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def name(self) -> str: ...
    @property
    def required_days(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def points(self) -> int | None: ...
    @property
    def stock(self) -> int: ...
    @property
    def description(self) -> str | None: ...
    @property
    def image_url(self) -> str | None: ...


def status_of(tier: Tier, *, have: int, claimed: bool) -> Status:
    if claimed:
        return "claimed"
    if tier.stock == 0:
        return "out_of_stock"
    return "claimable" if have >= tier.required_days else "locked"


def tier_view(tier: Tier, *, have: int, claimed: set[uuid.UUID]) -> TierForShopper:
    return TierForShopper(
        id=tier.id,
        name=tier.name,
        required_days=tier.required_days,
        kind=cast(Literal["points", "item"], tier.kind),
        points=tier.points,
        in_stock=tier.stock > 0,
        status=status_of(tier, have=have, claimed=tier.id in claimed),
        days_remaining=max(0, tier.required_days - have),
        description=tier.description,
        image_url=tier.image_url,
    )


def progress(tiers: Sequence[Tier], have: int) -> tuple[TierRef | None, TierRef | None]:
    """The highest tier reached and the next one (tiers sorted by required days)."""
    reached = [t for t in tiers if t.required_days <= have]
    ahead = [t for t in tiers if t.required_days > have]

    def ref(t: Tier | None) -> TierRef | None:
        return TierRef(id=t.id, name=t.name, required_days=t.required_days) if t else None

    return ref(reached[-1] if reached else None), ref(ahead[0] if ahead else None)
