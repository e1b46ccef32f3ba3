"""Unit tier: a tier's status for a shopper, progress between tiers and the low-stock
crossing, as pure rules (no database)."""

import uuid
from collections import Counter
from datetime import UTC, datetime

import pytest
from reward_service.claims import rules
from reward_service.claims.progress import progress, status_of, tier_view
from reward_service.claims.rules import Days
from reward_service.stock.events import crossed_threshold
from reward_service.tiers.models import Tier


def tier(
    required_days: int, *, stock: int = 10, kind: str = "item", rule: str = "cumulative"
) -> Tier:
    return Tier(
        rule=rule,
        daily_limit=None,
        grant="claim",
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
    days = Days(have, have, have)
    assert status_of(tier(5, stock=stock), days=days, held=int(claimed)) == expected


def test_the_shoppers_view_counts_the_days_remaining_never_below_zero() -> None:
    five = tier(5)
    none: Counter[uuid.UUID] = Counter()
    assert tier_view(five, days=Days(3, 3, 3), held=none).days_remaining == 2
    assert tier_view(five, days=Days(8, 8, 8), held=none).days_remaining == 0
    assert tier_view(tier(5, stock=0), days=Days(8, 8, 8), held=none).in_stock is False


def test_a_consecutive_tier_counts_the_longest_run_and_waits_on_the_current_one() -> None:
    week = tier(7, rule="consecutive")
    none: Counter[uuid.UUID] = Counter()
    # 12 days in all, but broken: runs of 5 and 4, the current one 4 long
    broken = tier_view(week, days=Days(12, 5, 4), held=none)
    assert (broken.status, broken.days_remaining, broken.claimable_count) == ("locked", 3, 0)
    # the run broke yesterday was missed: the current run is 0, a week to go
    assert tier_view(week, days=Days(12, 5, 0), held=none).days_remaining == 7
    rebuilt = tier_view(week, days=Days(15, 7, 7), held=none)
    assert (rebuilt.status, rebuilt.claimable_count) == ("claimable", 1)
    assert tier_view(week, days=Days(15, 7, 7), held=Counter({week.id: 1})).status == "claimed"


def test_a_repeating_tier_is_claimable_once_per_n_days_and_locked_in_between() -> None:
    every3 = tier(3, kind="points", rule="every_n_days")
    seen = tier_view(every3, days=Days(10, 2, 2), held=Counter({every3.id: 1}))
    assert (seen.status, seen.claimable_count) == ("claimable", 2)  # 10 days: 3 earned
    done = tier_view(every3, days=Days(10, 2, 2), held=Counter({every3.id: 3}))
    assert (done.status, done.claimable_count, done.days_remaining) == ("locked", 0, 2)
    assert rules.days_needed("every_n_days", 3, 3) == 12


@pytest.mark.parametrize(
    ("now", "zone", "day", "resets"),
    [
        ("2026-11-30T14:59:59+00:00", "Asia/Seoul", "2026-11-30", "2026-12-01T00:00:00+09:00"),
        ("2026-11-30T15:00:00+00:00", "Asia/Seoul", "2026-12-01", "2026-12-02T00:00:00+09:00"),
        (
            "2026-11-30T04:00:00+00:00",
            "America/New_York",
            "2026-11-29",
            "2026-11-30T00:00:00-05:00",
        ),
    ],
)
def test_a_daily_limit_counts_the_business_day_and_resets_at_its_midnight(
    now: str, zone: str, day: str, resets: str
) -> None:
    at = datetime.fromisoformat(now)
    assert rules.business_day(at, zone).isoformat() == day
    assert rules.next_midnight(at, zone).isoformat() == resets


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
