"""Admin views, the attendance.checked_in.v1 event, and token checks at the service."""

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from checkin_shared.clock import FrozenClock
from checkin_shared.events.topology import queue_names
from checkin_testkit import tokens
from checkin_testkit.events import drain_queue, eventually
from checkin_testkit.tokens import TokenMinter


async def test_admins_see_who_checked_in_and_daily_counts(
    client: httpx.AsyncClient, clock: FrozenClock, minter: TokenMinter
) -> None:
    admin = minter.headers(role="admin")
    users = [uuid.uuid4() for _ in range(3)]
    clock.set(datetime(2027, 1, 5, 3, 0, tzinfo=UTC))
    for user in users:
        await client.post("/attendance/check-ins", headers=minter.headers(user_id=user))
    clock.set(datetime(2027, 1, 6, 3, 0, tzinfo=UTC))
    await client.post("/attendance/check-ins", headers=minter.headers(user_id=users[0]))

    day = await client.get("/attendance/admin/check-ins?day=2027-01-05&limit=2", headers=admin)
    page = day.json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = await client.get(
        f"/attendance/admin/check-ins?day=2027-01-05&limit=2&cursor={page['next_cursor']}",
        headers=admin,
    )
    seen = {i["user_id"] for i in page["items"] + rest.json()["items"]}
    assert seen == {str(u) for u in users}
    one = await client.get(f"/attendance/admin/check-ins?user_id={users[0]}", headers=admin)
    assert [i["day"] for i in one.json()["items"]] == ["2027-01-06", "2027-01-05"]
    summary = await client.get(
        "/attendance/admin/summary?from=2027-01-04&to=2027-01-06", headers=admin
    )
    assert summary.json()["days"] == [
        {"day": "2027-01-04", "check_ins": 0},
        {"day": "2027-01-05", "check_ins": 3},
        {"day": "2027-01-06", "check_ins": 1},
    ]


@pytest.mark.parametrize("path", ["/attendance/admin/check-ins", "/attendance/admin/summary"])
async def test_shoppers_are_refused_on_admin_routes(
    client: httpx.AsyncClient, minter: TokenMinter, path: str
) -> None:
    response = await client.get(path, headers=minter.headers())
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


async def test_a_check_in_announces_attendance_checked_in(
    client: httpx.AsyncClient,
    clock: FrozenClock,
    minter: TokenMinter,
    amqp_url: str,
    events_exchange: str,
) -> None:
    user = uuid.uuid4()
    clock.set(datetime(2027, 2, 1, 3, 0, tzinfo=UTC))
    await client.post("/attendance/check-ins", headers=minter.headers(user_id=user))
    found: list[dict[str, Any]] = []

    async def arrived() -> bool:
        for message in await drain_queue(amqp_url, queue_names(events_exchange, "reward").main):
            event = json.loads(message.body)
            if event["data"]["user_id"] == str(user):
                found.append(event)
        return bool(found)

    await eventually(arrived)
    assert found[0]["type"] == "attendance.checked_in.v1"
    assert found[0]["data"]["day"] == "2027-02-01"
    assert found[0]["data"]["total_days"] == 1


async def test_the_service_refuses_forged_tokens(
    client: httpx.AsyncClient, minter: TokenMinter
) -> None:
    claims = tokens.base_claims()
    forged = [
        tokens.unsigned_token(claims, kid=minter.kid),
        tokens.edit_payload(minter.token(), role="admin"),
        minter.token(ttl=-120),
        TokenMinter().token(),
    ]
    for token in forged:
        response = await client.post(
            "/attendance/check-ins", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401


async def test_check_ins_name_the_shopper_and_the_newest_profile_wins(
    client: httpx.AsyncClient,
    clock: FrozenClock,
    minter: TokenMinter,
    amqp_url: str,
    events_exchange: str,
) -> None:
    """The service's own copy from user events: registration, then a change of name and
    email; a late copy of the registration changes nothing back. Support may read it."""
    from checkin_shared.events.contracts import UserProfileChangedV1, UserRegisteredV1
    from checkin_shared.events.envelope import wrap
    from checkin_testkit.events import publish_envelope

    user = uuid.uuid4()
    clock.set(datetime(2027, 2, 1, 3, 0, tzinfo=UTC))
    await client.post("/attendance/check-ins", headers=minter.headers(user_id=user))
    then, later = datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 1, 2, tzinfo=UTC)
    registered = UserRegisteredV1(user_id=user, email="a@example.com", name="A")
    changed = UserProfileChangedV1(user_id=user, email="b@example.com", name="B")
    late_copy = wrap(registered, occurred_at=then)  # another envelope, the old time
    for event in (wrap(registered, occurred_at=then), wrap(changed, occurred_at=later), late_copy):
        await publish_envelope(amqp_url, events_exchange, event)
    support = minter.headers(role="support")

    async def named() -> Any:
        listed = await client.get(f"/attendance/admin/check-ins?user_id={user}", headers=support)
        [item] = listed.json()["items"]
        return item["email"], item["name"]

    async def settled() -> bool:
        return await named() == ("b@example.com", "B")

    await eventually(settled, within=5)
    await asyncio.sleep(0.3)  # the late registration copy has been consumed by now
    assert await named() == ("b@example.com", "B")
    stranger = await client.get("/attendance/admin/check-ins?limit=500", headers=support)
    assert all("email" in i and "name" in i for i in stranger.json()["items"])
