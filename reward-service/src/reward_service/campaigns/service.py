"""Campaigns over time. Many campaigns: each a draft until published; a published one is
`scheduled`, `running` or `ended` by its days in its own zone, and no two published
windows share a day. The routes about "the campaign" mean the running one, else the next
one, else the last one that ended. Helpers flush; callers commit."""

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from checkin_shared.errors import ProblemError
from checkin_shared.events.contracts import RewardCampaignChangedV1
from checkin_shared.events.outbox import add_event
from sqlalchemy import ColumnElement, Date, DateTime, bindparam, cast, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.campaigns.models import Campaign
from reward_service.campaigns.schemas import (
    CampaignRead,
    CampaignWrite,
    EligibilityRules,
    MakeupRules,
)
from reward_service.db import OUTBOX

OVERLAP_CONSTRAINT = "ex_campaign_published_window"
# Writes of a published campaign's window take this advisory lock (the two-key form: a key
# space apart from the shoppers' points locks) so they run one at a time. The exclusion
# constraint alone lets two at once deadlock: each inserts its index entry, then each waits
# for the other's transaction in the conflict check (execIndexing.c says so), and
# PostgreSQL aborts one with "deadlock detected", a 500 instead of a 409.
WINDOWS_LOCK = (1, 1)


def no_campaign() -> ProblemError:
    return ProblemError(404, "no_campaign", "No campaign", "No campaign has been set up yet")


def campaign_not_found() -> ProblemError:
    return ProblemError(404, "campaign_not_found", "Campaign not found", "No such campaign")


def today_in(campaign: Campaign, now: datetime) -> date:
    return now.astimezone(ZoneInfo(campaign.timezone)).date()


def today_sql(now: datetime) -> ColumnElement[date]:
    """The campaign's own day for `now`, in SQL."""
    instant = bindparam("now", now, type_=DateTime(timezone=True))
    return cast(func.timezone(Campaign.timezone, instant), Date)


def status_of(campaign: Campaign, now: datetime) -> str:
    if campaign.status != "published":
        return "draft"
    today = today_in(campaign, now)
    if today < campaign.starts_on:
        return "scheduled"
    if campaign.ends_on is not None and today > campaign.ends_on:
        return "ended"
    return "running"


def answer(campaign: Campaign, now: datetime) -> CampaignRead:
    """The campaign as answered: its status as of `now`, its rules as objects."""
    makeup = None
    if campaign.makeup_cost_points is not None and campaign.makeup_max_per_campaign is not None:
        makeup = MakeupRules(
            cost_points=campaign.makeup_cost_points,
            max_per_campaign=campaign.makeup_max_per_campaign,
        )
    eligibility = None
    within = campaign.eligibility_purchased_within_days
    least = campaign.eligibility_min_total_amount
    if within is not None or least is not None:
        eligibility = EligibilityRules(purchased_within_days=within, min_total_amount=least)
    return CampaignRead(
        id=campaign.id,
        status=status_of(campaign, now),
        name=campaign.name,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        timezone=campaign.timezone,
        daily_points=campaign.daily_points,
        points_expire_after_days=campaign.points_expire_after_days,
        makeup=makeup,
        eligibility=eligibility,
    )


async def find(session: AsyncSession, now: datetime) -> Campaign | None:
    """The running published campaign, else the next one, else the last that ended."""
    published = select(Campaign).where(Campaign.status == "published")
    not_over = published.where(Campaign.ends_on.is_(None) | (Campaign.ends_on >= today_sql(now)))
    for statement in (
        not_over.order_by(Campaign.starts_on).limit(1),
        published.order_by(Campaign.starts_on.desc()).limit(1),
    ):
        found = (await session.execute(statement)).scalar_one_or_none()
        if found is not None:
            return found
    return None


async def before(session: AsyncSession, campaign: Campaign) -> Campaign | None:
    """The published campaign that ended last before this one began (its shoppers may still
    hold rewards to claim)."""
    statement = (
        select(Campaign)
        .where(Campaign.status == "published", Campaign.ends_on < campaign.starts_on)
        .order_by(Campaign.starts_on.desc())
        .limit(1)
    )
    earlier: Campaign | None = (await session.execute(statement)).scalar_one_or_none()
    return earlier


async def current(session: AsyncSession, now: datetime) -> Campaign:
    campaign = await find(session, now)
    if campaign is None:
        raise no_campaign()
    return campaign


async def get(session: AsyncSession, campaign_id: uuid.UUID) -> Campaign:
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        raise campaign_not_found()
    return campaign


async def list_all(session: AsyncSession) -> list[Campaign]:
    statement = select(Campaign).order_by(Campaign.starts_on, Campaign.id)
    return list((await session.execute(statement)).scalars())


def columns(fields: dict[str, Any]) -> dict[str, Any]:
    """Write fields (as dumped) as the table's columns; `makeup` and `eligibility` given as
    null clear their columns."""
    values = dict(fields)
    if "makeup" in values:
        makeup = values.pop("makeup") or {}
        values["makeup_cost_points"] = makeup.get("cost_points")
        values["makeup_max_per_campaign"] = makeup.get("max_per_campaign")
    if "eligibility" in values:
        eligibility = values.pop("eligibility") or {}
        values["eligibility_purchased_within_days"] = eligibility.get("purchased_within_days")
        values["eligibility_min_total_amount"] = eligibility.get("min_total_amount")
    return values


async def create(session: AsyncSession, body: CampaignWrite, *, now: datetime) -> Campaign:
    """A draft: nothing counts towards it until it is published."""
    campaign = Campaign(
        id=uuid.uuid4(), status="draft", updated_at=now, **columns(body.model_dump())
    )
    session.add(campaign)
    await session.flush()
    await _announce(session, campaign)
    return campaign


async def put(session: AsyncSession, body: CampaignWrite, *, now: datetime) -> Campaign:
    """Change the campaign (running, next or last) to these settings; with none, create it
    published."""
    found = await find(session, now)
    if found is None:
        campaign = Campaign(
            id=uuid.uuid4(),
            status="published",
            published_at=now,
            updated_at=now,
            **columns(body.model_dump()),
        )
        await _flush_published(session, campaign, {})
        return campaign
    return await change(session, found, columns(body.model_dump()), now=now)


async def change(
    session: AsyncSession, campaign: Campaign, values: dict[str, Any], *, now: datetime
) -> Campaign:
    """Apply column values. A published campaign that has begun refuses what would take a
    day, and so a reached reward, away (409 `campaign_started`); published windows may not
    come to overlap (409 `campaign_overlap`)."""
    if status_of(campaign, now) in ("running", "ended"):
        _refuse_taking_days(campaign, values, today_in(campaign, now))
    ends_on = values.get("ends_on", campaign.ends_on)
    if ends_on is not None and ends_on < values.get("starts_on", campaign.starts_on):
        raise ProblemError(
            422, "validation_error", "Invalid campaign", "ends_on is before starts_on"
        )
    await _flush_published(session, campaign, {**values, "updated_at": now})
    return campaign


async def publish(session: AsyncSession, campaign: Campaign, *, now: datetime) -> Campaign:
    """Publish a draft (again: nothing changes). 409 `campaign_overlap` when its window
    shares a day with another published campaign."""
    if campaign.status != "published":
        published = {"status": "published", "published_at": now, "updated_at": now}
        await _flush_published(session, campaign, published)
    return campaign


def _refuse_taking_days(campaign: Campaign, values: dict[str, Any], today: date) -> None:
    counted_to = today if campaign.ends_on is None else min(today, campaign.ends_on)
    reasons = []
    if values.get("starts_on", campaign.starts_on) > campaign.starts_on:
        reasons.append("starts_on may not move later")
    ends_on = values.get("ends_on", campaign.ends_on)
    if ends_on is not None and ends_on < counted_to:
        reasons.append(f"ends_on may not move before {counted_to.isoformat()}")
    if values.get("timezone", campaign.timezone) != campaign.timezone:
        reasons.append("the time zone may not change")
    if reasons:
        raise ProblemError(
            409,
            "campaign_started",
            "Campaign started",
            "The campaign has begun: shoppers' days so far, and the rewards they reached, "
            f"stay counted ({'; '.join(reasons)})",
        )


async def _announce(session: AsyncSession, campaign: Campaign) -> None:
    """Tell the attendance service the campaign's window and eligibility rules (it refuses
    check-ins they exclude), in the transaction of the change."""
    changed = RewardCampaignChangedV1(
        campaign_id=campaign.id,
        published=campaign.status == "published",
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        timezone=campaign.timezone,
        purchased_within_days=campaign.eligibility_purchased_within_days,
        min_total_amount=campaign.eligibility_min_total_amount,
        changed_at=campaign.updated_at,
    )
    await add_event(session, OUTBOX, changed, occurred_at=campaign.updated_at)


async def _flush_published(
    session: AsyncSession, campaign: Campaign, values: dict[str, Any]
) -> None:
    """Write the campaign with these values in a savepoint (changed inside it: entering
    one flushes what is pending first), so an overlap is a 409, not a broken request;
    under `WINDOWS_LOCK`, so the second of two at once sees the first committed."""
    await session.execute(select(func.pg_advisory_xact_lock(*WINDOWS_LOCK)))
    try:
        async with session.begin_nested():
            session.add(campaign)
            for name, value in values.items():
                setattr(campaign, name, value)
            await session.flush()
        await _announce(session, campaign)
    except IntegrityError as exc:
        if OVERLAP_CONSTRAINT in str(exc.orig):
            raise ProblemError(
                409,
                "campaign_overlap",
                "Campaign overlap",
                "Another published campaign already holds some of these days",
            ) from exc
        raise
