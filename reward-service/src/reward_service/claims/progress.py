"""Pure rules of a shopper's progress: a tier's status for them, the tier reached and the
next one. No database here (the unit tests call these directly)."""

import uuid
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple, Protocol, cast

from reward_service.claims import rules
from reward_service.claims.overview_schemas import Status, TierForShopper, TierRef
from reward_service.claims.rules import Days
from reward_service.tiers.schemas import Grant, Kind, Rule


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
    @property
    def rule(self) -> str: ...
    @property
    def daily_limit(self) -> int | None: ...
    @property
    def grant(self) -> str: ...


def status_of(tier: Tier, *, days: Days, held: int) -> Status:
    """`claimed` is for the tiers claimed once and for all; a repeating tier is `locked`
    again (with the days to its next claim) once its earned claims are made."""
    if held > 0 and not rules.repeats(tier.rule):
        return "claimed"
    if tier.stock == 0:
        return "out_of_stock"
    claimable = rules.claimable_count(tier.rule, tier.required_days, days, held) > 0
    return "claimable" if claimable else "locked"


class Mine(NamedTuple):
    """What a tier shows one shopper: all of its view that is not the catalog's."""

    status: Status
    days_remaining: int
    claimable_count: int


def mine(tier: Tier, *, days: Days, held: int) -> Mine:
    return Mine(
        status_of(tier, days=days, held=held),
        max(0, rules.days_remaining(tier.rule, tier.required_days, days, held)),
        rules.claimable_count(tier.rule, tier.required_days, days, held) if tier.stock > 0 else 0,
    )


def tier_for_shopper(tier: Tier, shown: Mine) -> TierForShopper:
    return TierForShopper(
        id=tier.id,
        name=tier.name,
        required_days=tier.required_days,
        kind=cast(Kind, tier.kind),
        points=tier.points,
        in_stock=tier.stock > 0,
        status=shown.status,
        days_remaining=shown.days_remaining,
        description=tier.description,
        image_url=tier.image_url,
        rule=cast(Rule, tier.rule),
        claimable_count=shown.claimable_count,
        daily_limit=tier.daily_limit,
        grant=cast(Grant, tier.grant),
    )


def tier_view(tier: Tier, *, days: Days, held: Counter[uuid.UUID]) -> TierForShopper:
    return tier_for_shopper(tier, mine(tier, days=days, held=held[tier.id]))


def progress(tiers: Sequence[Tier], have: int) -> tuple[TierRef | None, TierRef | None]:
    """The highest tier reached and the next one (tiers sorted by required days)."""
    reached = [t for t in tiers if t.required_days <= have]
    ahead = [t for t in tiers if t.required_days > have]

    def ref(t: Tier | None) -> TierRef | None:
        return TierRef(id=t.id, name=t.name, required_days=t.required_days) if t else None

    return ref(reached[-1] if reached else None), ref(ahead[0] if ahead else None)
