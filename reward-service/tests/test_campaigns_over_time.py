"""Campaigns over time: drafts that count for nothing until published, published windows
that never overlap (even when published at the same moment), check-ins that count towards
the campaign whose window holds their day (month after month), and a campaign that has
begun keeping the days it counted. The session's campaign (open-ended from 2026-01-01) is
made to end on 2027-02-28 for these tests and opened again after each."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from checkin_shared.clock import FrozenClock
from checkin_shared.events.contracts import AttendanceCheckedInV1
from checkin_shared.events.envelope import wrap
from checkin_testkit.events import eventually, publish_envelope
from reward_service.campaigns.service import WINDOWS_LOCK

SESSION_CAMPAIGN = {"name": "Daily check-in", "starts_on": "2026-01-01", "timezone": "Asia/Seoul"}
MARCH = {
    "name": "March check-in",
    "starts_on": "2027-03-01",
    "ends_on": "2027-03-31",
    "timezone": "Asia/Seoul",
}


def noon_in_seoul(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T03:00:00+00:00")


@pytest.fixture
async def timeline(
    client: httpx.AsyncClient, rewards: Any, clock: FrozenClock
) -> AsyncIterator[str]:
    """It is 2027-02-10 in Seoul; the session's campaign runs until 2027-02-28. Yields its
    id. Afterwards: every other campaign back to draft, the session's open-ended again."""
    before = clock.now()
    clock.set(noon_in_seoul("2027-02-10"))
    ending = {**SESSION_CAMPAIGN, "ends_on": "2027-02-28"}
    put = await client.put("/rewards/admin/campaign", json=ending, headers=rewards.admin)
    assert put.status_code == 200, put.text
    assert put.json()["status"] == "running"
    yield put.json()["id"]
    await rewards.sql(
        "UPDATE reward.campaign SET status = 'draft' WHERE id <> :id",
        id=uuid.UUID(put.json()["id"]),
    )
    await rewards.sql(
        "UPDATE reward.campaign SET ends_on = NULL, daily_points = 0 WHERE id = :id",
        id=uuid.UUID(put.json()["id"]),
    )
    clock.set(before)
    client.app.state.catalog.invalidate()  # type: ignore[attr-defined]


async def draft(client: httpx.AsyncClient, rewards: Any, **fields: Any) -> dict[str, Any]:
    made = await client.post(
        "/rewards/admin/campaigns", json={**MARCH, **fields}, headers=rewards.admin
    )
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    return body


async def publish(client: httpx.AsyncClient, rewards: Any, campaign_id: str) -> httpx.Response:
    return await client.post(
        f"/rewards/admin/campaigns/{campaign_id}/publish", headers=rewards.admin
    )


async def add_tier(
    client: httpx.AsyncClient, rewards: Any, campaign_id: str, **fields: Any
) -> dict[str, Any]:
    body = {"name": "March gift", "required_days": 2, "kind": "item", "stock": 5, **fields}
    made = await client.post(
        f"/rewards/admin/campaigns/{campaign_id}/tiers", json=body, headers=rewards.admin
    )
    assert made.status_code == 201, made.text
    tier: dict[str, Any] = made.json()
    return tier


async def test_a_draft_counts_for_nothing_until_published_and_windows_never_overlap(
    client: httpx.AsyncClient, rewards: Any, timeline: str
) -> None:
    march = await draft(client, rewards)
    assert march["status"] == "draft" and march["makeup"] is None
    tier = await add_tier(client, rewards, march["id"], required_days=1)
    user, headers = rewards.shopper()
    await rewards.give_days([user], 1)
    refused = await client.post(f"/rewards/{tier['id']}/claims", headers=headers)
    assert refused.status_code == 404  # a draft's tiers are nobody's yet

    straddling = await draft(client, rewards, starts_on="2027-02-20", ends_on="2027-03-10")
    overlap = await publish(client, rewards, straddling["id"])
    assert overlap.status_code == 409 and overlap.json()["code"] == "campaign_overlap"
    again = await client.get(f"/rewards/admin/campaigns/{straddling['id']}", headers=rewards.admin)
    assert again.json()["status"] == "draft"  # nothing changed

    published = await publish(client, rewards, march["id"])
    assert published.status_code == 200 and published.json()["status"] == "scheduled"
    told = await rewards.sql(
        "SELECT payload->'data'->>'published' FROM reward.outbox "
        "WHERE event_type = 'reward.campaign_changed.v1' "
        "AND payload->'data'->>'campaign_id' = :id ORDER BY created_at",
        id=march["id"],
    )
    assert [row[0] for row in told] == ["false", "true"]  # made, then published: attendance
    assert (await publish(client, rewards, march["id"])).json()["status"] == "scheduled"
    after_march = await draft(client, rewards, starts_on="2027-03-31", ends_on=None)
    assert (await publish(client, rewards, after_march["id"])).status_code == 409

    listed = (await client.get("/rewards/admin/campaigns", headers=rewards.admin)).json()
    status = {c["id"]: c["status"] for c in listed["items"]}
    assert status[timeline] == "running" and status[march["id"]] == "scheduled"
    assert status[straddling["id"]] == "draft" and status[after_march["id"]] == "draft"
    shown = (await client.get("/rewards", headers=headers)).json()
    assert shown["campaign"]["id"] == timeline  # the running one, not the next


async def test_two_overlapping_campaigns_published_at_once_one_wins(
    client: httpx.AsyncClient, rewards: Any, timeline: str
) -> None:
    first = await draft(client, rewards, starts_on="2027-04-01", ends_on="2027-04-30")
    second = await draft(client, rewards, starts_on="2027-04-15", ends_on="2027-05-15")
    answers = await asyncio.gather(
        publish(client, rewards, first["id"]), publish(client, rewards, second["id"])
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    [(published,)] = await rewards.sql(
        "SELECT count(*) FROM reward.campaign WHERE status = 'published' AND id IN (:a, :b)",
        a=uuid.UUID(first["id"]),
        b=uuid.UUID(second["id"]),
    )
    assert published == 1


async def test_a_publish_waits_for_another_write_of_the_windows(
    client: httpx.AsyncClient, rewards: Any, timeline: str
) -> None:
    """Publishes and window changes run one at a time (an advisory lock): two at once would
    otherwise sometimes deadlock in the exclusion constraint's check, a 500."""
    may = await draft(client, rewards, starts_on="2027-05-01", ends_on="2027-05-31")
    holder = await asyncpg.connect(rewards.database_url.replace("+asyncpg", ""))
    try:
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute("SELECT pg_advisory_xact_lock($1, $2)", *WINDOWS_LOCK)
        publishing = asyncio.create_task(publish(client, rewards, may["id"]))
        await asyncio.sleep(0.5)
        assert not publishing.done()  # waiting for the lock
        await transaction.rollback()
        assert (await asyncio.wait_for(publishing, 10)).status_code == 200
    finally:
        await holder.close()


def checked_in(user: uuid.UUID, day: str) -> Any:
    at = noon_in_seoul(day)
    data = AttendanceCheckedInV1(
        user_id=user, day=date.fromisoformat(day), checked_at=at, total_days=1
    )
    return wrap(data, occurred_at=at)


async def test_check_ins_count_towards_the_campaign_whose_window_holds_their_day(
    client: httpx.AsyncClient,
    rewards: Any,
    timeline: str,
    clock: FrozenClock,
    amqp_url: str,
    events_exchange: str,
) -> None:
    february_tier = await rewards.tier(kind="item", stock=1)  # the running one's
    march = await draft(client, rewards, daily_points=5)
    tier = await add_tier(client, rewards, march["id"], required_days=2)
    assert (await publish(client, rewards, march["id"])).status_code == 200
    user, headers = rewards.shopper()
    for day in ("2027-02-27", "2027-02-28", "2027-03-01", "2027-03-02"):
        await publish_envelope(amqp_url, events_exchange, checked_in(user, day))

    async def march_days_paid() -> bool:
        points = await client.get("/rewards/me/points", headers=headers)
        return int(points.json()["balance"]) == 10

    await eventually(march_days_paid, within=10)  # March's daily points, not February's

    clock.set(noon_in_seoul("2027-03-02"))
    client.app.state.catalog.invalidate()  # type: ignore[attr-defined]
    shown = (await client.get("/rewards", headers=headers)).json()
    assert shown["campaign"]["id"] == march["id"] and shown["campaign"]["status"] == "running"
    assert [t["id"] for t in shown["tiers"]] == [tier["id"]]
    assert shown["tiers"][0]["status"] == "claimable"
    # February's rewards stay within reach: named as the earlier campaign, and listed
    assert shown["earlier_campaign"]["id"] == timeline
    february = await client.get(f"/rewards?campaign_id={timeline}", headers=headers)
    assert february.json()["campaign"]["status"] == "ended"
    assert february_tier["id"] in {t["id"] for t in february.json()["tiers"]}
    drafted = await draft(client, rewards, starts_on="2027-06-01", ends_on="2027-06-30")
    for hidden in (drafted["id"], str(uuid.uuid4())):
        refused = await client.get(f"/rewards?campaign_id={hidden}", headers=headers)
        assert refused.status_code == 404 and refused.json()["code"] == "campaign_not_found"
    me = (await client.get("/rewards/me", headers=headers)).json()
    assert me["attendance_days"] == 2  # March's two days; February's belong to February
    current = (await client.get("/rewards/admin/campaign", headers=rewards.admin)).json()
    assert current["id"] == march["id"]
    listed = (await client.get("/rewards/admin/campaigns", headers=rewards.admin)).json()
    assert {c["id"]: c["status"] for c in listed["items"]}[timeline] == "ended"
    claimed = await client.post(f"/rewards/{tier['id']}/claims", headers=headers)
    assert claimed.status_code == 201, claimed.text


async def test_a_campaign_that_has_begun_keeps_the_days_it_counted(
    client: httpx.AsyncClient, rewards: Any, timeline: str
) -> None:
    path = f"/rewards/admin/campaigns/{timeline}"
    for change in (
        {"starts_on": "2026-02-01"},
        {"ends_on": "2027-02-09"},  # today (2027-02-10) would drop out
        {"timezone": "UTC"},
    ):
        refused = await client.patch(path, json=change, headers=rewards.admin)
        assert refused.status_code == 409, change
        assert refused.json()["code"] == "campaign_started"
    unchanged = (await client.get(path, headers=rewards.admin)).json()
    assert (unchanged["starts_on"], unchanged["ends_on"]) == ("2026-01-01", "2027-02-28")
    fine = await client.patch(
        path, json={"ends_on": "2027-02-10", "daily_points": 3}, headers=rewards.admin
    )
    assert fine.status_code == 200 and fine.json()["daily_points"] == 3

    march = await draft(client, rewards)
    assert (await publish(client, rewards, march["id"])).status_code == 200
    moved = await client.patch(
        f"/rewards/admin/campaigns/{march['id']}",
        json={"starts_on": "2027-03-05", "makeup": {"cost_points": 100, "max_per_campaign": 2}},
        headers=rewards.admin,
    )
    assert moved.status_code == 200  # not begun: nothing counted yet
    assert moved.json()["makeup"] == {"cost_points": 100, "max_per_campaign": 2}
    ruled = await client.patch(
        f"/rewards/admin/campaigns/{march['id']}",
        json={"eligibility": {"purchased_within_days": 30, "min_total_amount": "10000"}},
        headers=rewards.admin,
    )
    rules = {"purchased_within_days": 30, "min_total_amount": "10000.00"}
    assert ruled.json()["eligibility"] == rules
    read = await client.get(f"/rewards/admin/campaigns/{march['id']}", headers=rewards.admin)
    assert read.json()["eligibility"] == rules  # answered as stored
    overlapping = await client.patch(
        f"/rewards/admin/campaigns/{march['id']}",
        json={"starts_on": "2027-02-10"},
        headers=rewards.admin,
    )
    assert overlapping.status_code == 409 and overlapping.json()["code"] == "campaign_overlap"

    # Day counts no other test uses (the session's tiers share one campaign).
    reached = await rewards.tier(kind="item", stock=3, required_days=300 + rewards.unique_days())
    nobody = await rewards.tier(kind="item", stock=3, required_days=2000 + rewards.unique_days())
    user, _ = rewards.shopper()
    await rewards.give_days([user], reached["required_days"])
    more = {"required_days": reached["required_days"] + 50}
    taken = await client.patch(
        f"/rewards/admin/tiers/{reached['id']}", json=more, headers=rewards.admin
    )
    assert taken.status_code == 409 and taken.json()["code"] == "campaign_started"
    fewer = {"required_days": reached["required_days"] - 1}
    eased = await client.patch(
        f"/rewards/admin/tiers/{reached['id']}", json=fewer, headers=rewards.admin
    )
    assert eased.status_code == 200
    harder = await client.patch(
        f"/rewards/admin/tiers/{nobody['id']}",
        json={"required_days": nobody["required_days"] + 100},
        headers=rewards.admin,
    )
    assert harder.status_code == 200  # nobody had that many days: nothing taken away


async def test_an_unknown_campaign_is_404_and_a_bad_one_writes_nothing(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    unknown = f"/rewards/admin/campaigns/{uuid.uuid4()}"
    for method, path in (("GET", unknown), ("PATCH", unknown), ("POST", f"{unknown}/publish")):
        answer = await client.request(
            method, path, json={} if method == "PATCH" else None, headers=rewards.admin
        )
        assert answer.status_code == 404 and answer.json()["code"] == "campaign_not_found"
    [(before,)] = await rewards.sql("SELECT count(*) FROM reward.campaign")
    for bad in (
        {**MARCH, "ends_on": "2027-02-01"},
        {**MARCH, "makeup": {"cost_points": -1, "max_per_campaign": 2}},
        {**MARCH, "makeup": {"cost_points": 10}},
        {**MARCH, "eligibility": {"purchased_within_days": 0}},
        {**MARCH, "timezone": "Mars/Olympus"},
    ):
        refused = await client.post("/rewards/admin/campaigns", json=bad, headers=rewards.admin)
        assert refused.status_code == 422, bad
        assert refused.headers["content-type"] == "application/problem+json"
    [(after,)] = await rewards.sql("SELECT count(*) FROM reward.campaign")
    assert after == before
    shopper = await client.get("/rewards/admin/campaigns", headers=rewards.shopper()[1])
    assert shopper.status_code == 403
