"""Business days: the calendar day in the shop's time zone, never the server's."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from checkin_shared.errors import ProblemError

MAX_RANGE_DAYS = 366


def business_day(instant: datetime, zone: ZoneInfo) -> date:
    if instant.tzinfo is None:
        raise ValueError("a naive datetime has no business day")
    return instant.astimezone(zone).date()


def day_range(
    start: date | None, end: date | None, *, today: date, default_days: int = 30
) -> tuple[date, date]:
    """`from`/`to` with defaults (the last `default_days` days); 422 `invalid_range` when
    reversed or longer than a year."""
    end = end or today
    start = start or end - timedelta(days=default_days - 1)
    if start > end:
        raise ProblemError(422, "invalid_range", "Invalid range", "`from` is after `to`")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ProblemError(
            422, "invalid_range", "Invalid range", f"At most {MAX_RANGE_DAYS} days at a time"
        )
    return start, end
