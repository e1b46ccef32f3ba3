"""The tier rules, pure (the unit tests call them directly): how many claims a shopper's
check-in days have earned of a tier, and how many days the next one needs.

- `cumulative`: `required_days` days in the campaign window; one claim.
- `consecutive`: a run of `required_days` days in a row inside the window; one claim.
- `every_n_days`: one claim per `required_days` days in the window, again and again.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

RULES = ("cumulative", "consecutive", "every_n_days")


@dataclass(frozen=True)
class Days:
    """A shopper's check-in days in the window, as the rules read them."""

    total: int
    longest_run: int  # the longest run of consecutive days
    current_run: int  # the run that ends today or yesterday (0 when it broke)


def repeats(rule: str) -> bool:
    return rule == "every_n_days"


def counted(rule: str, days: Days) -> int:
    """The days a rule counts: the longest run for `consecutive`, else all of them."""
    return days.longest_run if rule == "consecutive" else days.total


def earned(rule: str, required_days: int, days: Days) -> int:
    """How many claims of the tier the days have earned in all (claimed ones included)."""
    if repeats(rule):
        return days.total // required_days
    return 1 if counted(rule, days) >= required_days else 0


def claimable_count(rule: str, required_days: int, days: Days, held: int) -> int:
    return max(0, earned(rule, required_days, days) - held)


def days_needed(rule: str, required_days: int, held: int) -> int:
    """The count of days (as `counted` counts them) the next claim needs."""
    return required_days * (held + 1) if repeats(rule) else required_days


def days_remaining(rule: str, required_days: int, days: Days, held: int) -> int:
    """Check-in days still to come before the next claim (0 when one is there now)."""
    if claimable_count(rule, required_days, days, held) > 0:
        return 0
    if rule == "consecutive":
        return required_days - days.current_run
    return max(0, days_needed(rule, required_days, held) - days.total)


def next_midnight(now: datetime, timezone: str) -> datetime:
    """When the business day of `now` ends (a daily limit resets), in that zone."""
    zone = ZoneInfo(timezone)
    today: date = now.astimezone(zone).date()
    return datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)


def business_day(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()
