"""Unit tier: the pure rules of attendance (business days, ranges, streaks), no database."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from attendance_service.checkins.streaks import Run, current_streak, longest_streak
from attendance_service.days import MAX_RANGE_DAYS, business_day, day_range
from checkin_shared.errors import ProblemError

SEOUL = ZoneInfo("Asia/Seoul")


def test_the_business_day_follows_the_shops_zone_not_utc() -> None:
    # 15:00 UTC on the 21st is already 00:00 on the 22nd in Seoul.
    assert business_day(datetime(2026, 11, 21, 14, 59, tzinfo=UTC), SEOUL) == date(2026, 11, 21)
    assert business_day(datetime(2026, 11, 21, 15, 0, tzinfo=UTC), SEOUL) == date(2026, 11, 22)


def test_a_naive_instant_has_no_business_day() -> None:
    with pytest.raises(ValueError, match="naive"):
        business_day(datetime(2026, 11, 21, 12, 0), SEOUL)  # noqa: DTZ001


def test_a_range_defaults_to_the_last_30_days_ending_today() -> None:
    assert day_range(None, None, today=date(2026, 11, 30)) == (
        date(2026, 11, 1),
        date(2026, 11, 30),
    )
    assert day_range(date(2026, 11, 5), None, today=date(2026, 11, 30))[0] == date(2026, 11, 5)


@pytest.mark.parametrize(
    ("start", "end"),
    [(date(2026, 11, 2), date(2026, 11, 1)), (date(2025, 1, 1), date(2026, 1, 2))],
)
def test_a_reversed_or_too_long_range_is_refused(start: date, end: date) -> None:
    with pytest.raises(ProblemError) as refused:
        day_range(start, end, today=date(2026, 11, 30))
    assert refused.value.code == "invalid_range" and refused.value.status == 422


def test_a_whole_year_is_the_longest_range() -> None:
    start, end = day_range(date(2025, 1, 1), date(2026, 1, 1), today=date(2026, 11, 30))
    assert (end - start).days + 1 == MAX_RANGE_DAYS


def runs(*spans: tuple[date, date]) -> list[Run]:
    return [Run(first, last, (last - first).days + 1) for first, last in spans]


def test_the_current_streak_is_the_run_ending_today_or_yesterday() -> None:
    history = runs((date(2026, 11, 1), date(2026, 11, 3)), (date(2026, 11, 10), date(2026, 11, 14)))
    assert current_streak(history, date(2026, 11, 14)) == 5  # checked in today
    assert current_streak(history, date(2026, 11, 15)) == 5  # today can still continue it
    assert current_streak(history, date(2026, 11, 16)) == 0  # a day was missed
    assert current_streak([], date(2026, 11, 16)) == 0


def test_the_longest_streak_is_the_longest_run() -> None:
    history = runs((date(2026, 11, 1), date(2026, 11, 7)), (date(2026, 11, 10), date(2026, 11, 11)))
    assert longest_streak(history) == 7
    assert longest_streak([]) == 0
