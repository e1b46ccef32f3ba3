"""Unit tier: a tier's status for a shopper, progress between tiers and the low-stock
crossing, as pure rules (no database)."""

import uuid
from datetime import UTC, datetime

import pytest
from reward_service.claims.progress import progress, status_of, tier_view
from reward_service.stock.events import crossed_threshold
from reward_service.tiers.models import Tier


def tier(required_days: int, *, stock: int = 10, kind: str = "item") -> Tier:
    return Tier(
        id=uuid.uuid4(),
        campaign_id=uuid.uuid4(),
        name=f"{required_days} days",
        required_days=required_days,
        kind=kind,
        points=5000 if kind == "points" else None,
        stock=stock,
        low_stock_threshold=2,
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("have", "stock", "claimed", "expected"),
    [
        (4, 10, False, "locked"),
        (5, 10, False, "claimable"),
        (9, 0, False, "out_of_stock"),
        (9, 0, True, "claimed"),  # what a shopper holds stays "claimed" after stock runs out
        (2, 10, True, "claimed"),
    ],
)
def test_a_tiers_status_for_a_shopper(have: int, stock: int, claimed: bool, expected: str) -> None:
    assert status_of(tier(5, stock=stock), have=have, claimed=claimed) == expected


def test_the_shoppers_view_counts_the_days_remaining_never_below_zero() -> None:
    five = tier(5)
    assert tier_view(five, have=3, claimed=set()).days_remaining == 2
    assert tier_view(five, have=8, claimed=set()).days_remaining == 0
    assert tier_view(tier(5, stock=0), have=8, claimed=set()).in_stock is False


def test_progress_names_the_highest_tier_reached_and_the_next() -> None:
    five, fifteen = tier(5, kind="points"), tier(15)
    assert progress([five, fifteen], 0) == (None, progress([five, fifteen], 0)[1])
    reached, upcoming = progress([five, fifteen], 7)
    assert reached is not None and reached.id == five.id
    assert upcoming is not None and upcoming.id == fifteen.id
    reached, upcoming = progress([five, fifteen], 15)
    assert reached is not None and reached.id == fifteen.id and upcoming is None


@pytest.mark.parametrize(
    ("before", "after", "threshold", "crossed"),
    [(3, 2, 2, True), (2, 1, 2, False), (5, 3, 2, False), (10, 0, 2, True), (1, 3, 2, False)],
)
def test_low_stock_is_announced_only_when_the_threshold_is_crossed(
    before: int, after: int, threshold: int, crossed: bool
) -> None:
    assert crossed_threshold(before, after, threshold) is crossed
