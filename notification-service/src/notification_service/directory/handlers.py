"""Keeping the directory of shoppers from auth and attendance events."""

from datetime import datetime
from typing import Any

from checkin_shared.events.consumer import Batched
from checkin_shared.events.contracts import (
    AttendanceCheckedInV1,
    PurchaseRecordedV1,
    UserEligibilityChangedV1,
    UserProfileChangedV1,
    UserRegisteredV1,
)
from checkin_shared.events.envelope import Envelope
from sqlalchemy import func, or_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notification_service.directory.models import Contact


def _upsert(user_id: Any, now: datetime, **values: Any) -> Any:
    statement = insert(Contact).values(user_id=user_id, updated_at=now, **values)
    return statement, statement.excluded


async def on_registered(session: AsyncSession, envelope: Envelope, data: Any) -> None:
    assert isinstance(data, UserRegisteredV1)
    await _keep_profile(session, envelope, data.user_id, data.email, data.name, data.locale)


async def on_profile_changed(session: AsyncSession, envelope: Envelope, data: Any) -> None:
    assert isinstance(data, UserProfileChangedV1)
    await _keep_profile(session, envelope, data.user_id, data.email, data.name, None)


async def _keep_profile(
    session: AsyncSession,
    envelope: Envelope,
    user_id: Any,
    email: str,
    name: str,
    locale: str | None,
) -> None:
    """Email and name from the newest user event (a late or repeated one changes nothing);
    a language the shopper chose since (preferences) stays."""
    at = envelope.occurred_at
    statement, _ = _upsert(user_id, at, email=email, name=name, locale=locale, profile_at=at)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Contact.user_id],
            set_={
                "email": email,
                "name": name,
                "locale": func.coalesce(Contact.locale, locale),
                "profile_at": at,
                "updated_at": at,
            },
            where=or_(Contact.profile_at.is_(None), Contact.profile_at <= at),
        )
    )


async def on_purchase(session: AsyncSession, envelope: Envelope, data: Any) -> None:
    """A paid purchase makes a shopper eligible, until eligibility events say otherwise
    (once one has been applied, only they decide: a refund comes only as one)."""
    assert isinstance(data, PurchaseRecordedV1)
    statement, _ = _upsert(data.user_id, envelope.occurred_at, eligible=True)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Contact.user_id],
            set_={"eligible": True, "updated_at": envelope.occurred_at},
            where=Contact.eligibility_version == 0,
        )
    )


async def on_eligibility_changed(session: AsyncSession, envelope: Envelope, data: Any) -> None:
    """The newest version wins: a late or repeated event changes nothing."""
    assert isinstance(data, UserEligibilityChangedV1)
    statement, excluded = _upsert(
        data.user_id,
        envelope.occurred_at,
        eligible=data.eligible,
        eligibility_version=data.version,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Contact.user_id],
            set_={
                "eligible": excluded.eligible,
                "eligibility_version": excluded.eligibility_version,
                "updated_at": excluded.updated_at,
            },
            where=Contact.eligibility_version < excluded.eligibility_version,
        )
    )


def _check_in_statement() -> Any:
    statement = insert(Contact)
    return statement.on_conflict_do_update(
        index_elements=[Contact.user_id],
        set_={
            # events may arrive out of order: keep the latest day
            "last_check_in": func.greatest(Contact.last_check_in, statement.excluded.last_check_in),
            "eligible": True,
            "updated_at": statement.excluded.updated_at,
        },
    )


# Built once: SQLAlchemy reuses its compiled form; a run of events is one executemany.
RECORD_CHECK_IN = _check_in_statement()


async def on_checked_in_many(session: AsyncSession, events: list[tuple[Envelope, Any]]) -> None:
    """One row per shopper (their latest day in the run): a shopper twice in one
    statement would make the upsert touch its row twice."""
    latest: dict[Any, dict[str, Any]] = {}
    for envelope, data in events:
        assert isinstance(data, AttendanceCheckedInV1)
        seen = latest.get(data.user_id)
        if seen is None or data.day > seen["last_check_in"]:
            latest[data.user_id] = {
                "user_id": data.user_id,
                "eligible": True,
                "last_check_in": data.day,
                "updated_at": envelope.occurred_at,
            }
    await session.execute(RECORD_CHECK_IN, list(latest.values()))


on_checked_in = Batched(on_checked_in_many)
