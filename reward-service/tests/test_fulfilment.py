"""Fulfilment of claims: the address with the claim or later, staff moving a claim on
(one operator wins a race), cancellation giving stock or points back, the warehouse CSV
out and the tracking CSV in, and admin views naming the shopper."""

import asyncio
import csv
import io
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from checkin_shared.events.contracts import UserRegisteredV1
from checkin_shared.events.envelope import wrap
from checkin_testkit.events import eventually, publish_envelope

ADDRESS = {
    "recipient": "Kim Minji",
    "phone": "+82 10-1234-5678",
    "address1": "12 Teheran-ro, Gangnam-gu, Seoul",
    "postal_code": "06234",
    "country": "kr",
}
SHIP = {"status": "shipped", "carrier": "CJ Logistics", "tracking_number": "6543-2109-8765"}


async def claimed(
    client: httpx.AsyncClient, rewards: Any, tier: dict[str, Any], body: Any = None
) -> tuple[uuid.UUID, dict[str, str], dict[str, Any]]:
    user, headers = rewards.shopper()
    await rewards.give_days([user], tier["required_days"])
    made = await client.post(f"/rewards/{tier['id']}/claims", headers=headers, json=body)
    assert made.status_code == 201, made.text
    return user, headers, made.json()


async def my_fulfilment(client: httpx.AsyncClient, headers: dict[str, str]) -> Any:
    [mine] = (await client.get("/rewards/me/claims", headers=headers)).json()["items"]
    return mine["fulfilment"]


async def test_an_item_claim_waits_for_its_address_then_is_ready_to_ship(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier = await rewards.tier()
    _, headers, claim = await claimed(client, rewards, tier)
    assert (await my_fulfilment(client, headers))["status"] == "awaiting_address"
    path = f"/rewards/me/claims/{claim['claim_id']}/shipping"
    given = await client.put(path, json=ADDRESS, headers=headers)
    assert given.status_code == 200, given.text
    assert given.json()["fulfilment"]["status"] == "pending"
    # someone else's claim is not found; a bad address is refused and changes nothing
    _, other = rewards.shopper()
    assert (await client.put(path, json=ADDRESS, headers=other)).status_code == 404
    for bad in ({**ADDRESS, "phone": "call me"}, {**ADDRESS, "postal_code": ""}, {"x": 1}):
        refused = await client.put(path, json=bad, headers=headers)
        assert (refused.status_code, refused.json()["code"]) == (422, "validation_error")
    [row] = await rewards.sql(
        "SELECT phone, country FROM reward.fulfilment WHERE claim_id = :c", c=claim["claim_id"]
    )
    assert tuple(row) == ("+82 10-1234-5678", "KR")


async def test_shipped_then_delivered_and_every_other_transition_is_409(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier = await rewards.tier()
    _, headers, claim = await claimed(client, rewards, tier, {"shipping": ADDRESS})
    assert (await my_fulfilment(client, headers))["status"] == "pending"
    path = f"/rewards/admin/claims/{claim['claim_id']}/fulfilment"
    early = await client.post(path, json={"status": "delivered"}, headers=rewards.admin)
    assert (early.status_code, early.json()["code"]) == (409, "invalid_transition")
    no_tracking = await client.post(path, json={"status": "shipped"}, headers=rewards.admin)
    assert no_tracking.status_code == 422
    shipped = await client.post(path, json=SHIP, headers=rewards.admin)
    assert shipped.status_code == 200, shipped.text
    assert shipped.json()["fulfilment"]["tracking_number"] == SHIP["tracking_number"]
    mine = await my_fulfilment(client, headers)
    assert (mine["status"], mine["carrier"], mine["shipped_at"] is not None) == (
        "shipped",
        "CJ Logistics",
        True,
    )
    late = await client.put(
        f"/rewards/me/claims/{claim['claim_id']}/shipping", json=ADDRESS, headers=headers
    )
    assert (late.status_code, late.json()["code"]) == (409, "invalid_transition")
    cancel = {"status": "cancelled", "reason": "too late"}
    assert (await client.post(path, json=cancel, headers=rewards.admin)).status_code == 409
    done = await client.post(path, json={"status": "delivered"}, headers=rewards.admin)
    assert done.json()["fulfilment"]["status"] == "delivered"
    missing = await client.post(
        f"/rewards/admin/claims/{uuid.uuid4()}/fulfilment", json=SHIP, headers=rewards.admin
    )
    assert (missing.status_code, missing.json()["code"]) == (404, "claim_not_found")
    events = await rewards.sql(
        "SELECT payload->'data'->>'status' FROM reward.outbox "
        "WHERE event_type = 'reward.fulfilment_changed.v1' "
        "AND payload->'data'->>'claim_id' = :c ORDER BY created_at",
        c=claim["claim_id"],
    )
    assert [e[0] for e in events] == ["shipped", "delivered"]


async def test_two_operators_ship_the_same_claim_at_once_one_wins(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier = await rewards.tier()
    _, _, claim = await claimed(client, rewards, tier, {"shipping": ADDRESS})
    path = f"/rewards/admin/claims/{claim['claim_id']}/fulfilment"
    first, second = (rewards.minter.headers(role="support") for _ in range(2))
    answers = await asyncio.gather(
        client.post(path, json=SHIP, headers=first),
        client.post(path, json={**SHIP, "tracking_number": "1111"}, headers=second),
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    loser = next(a for a in answers if a.status_code == 409)
    assert loser.json()["code"] == "invalid_transition"
    [(count,)] = await rewards.sql(
        "SELECT count(*) FROM reward.outbox WHERE event_type = 'reward.fulfilment_changed.v1' "
        "AND payload->'data'->>'claim_id' = :c",
        c=claim["claim_id"],
    )
    assert count == 1


async def test_a_cancelled_item_goes_back_to_stock_for_another_shopper(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier = await rewards.tier(stock=1)
    _, headers, claim = await claimed(client, rewards, tier)
    user2, headers2 = rewards.shopper()
    await rewards.give_days([user2], tier["required_days"])
    gone = await client.post(f"/rewards/{tier['id']}/claims", headers=headers2)
    assert (gone.status_code, gone.json()["code"]) == (409, "out_of_stock")
    cancelled = await client.post(
        f"/rewards/admin/claims/{claim['claim_id']}/fulfilment",
        json={"status": "cancelled", "reason": "address unreachable"},
        headers=rewards.admin,
    )
    assert cancelled.status_code == 200, cancelled.text
    assert (await my_fulfilment(client, headers))["status"] == "cancelled"
    again = await client.post(f"/rewards/{tier['id']}/claims", headers=headers2)
    assert again.status_code == 201, again.text
    mine_again = await client.post(f"/rewards/{tier['id']}/claims", headers=headers)
    assert mine_again.json()["code"] == "already_claimed"  # the cancelled claim stays
    ledger = await client.get(
        f"/rewards/admin/tiers/{tier['id']}/stock-adjustments", headers=rewards.admin
    )
    [back, *_] = ledger.json()["items"]
    assert (back["delta"], back["stock_after"]) == (1, 1)
    assert back["reason"].startswith(f"claim {claim['claim_number']} cancelled")


async def test_a_cancelled_points_claim_takes_the_points_back(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier = await rewards.tier(kind="points", points=700, stock=5)
    _, headers, claim = await claimed(client, rewards, tier)
    assert await my_fulfilment(client, headers) is None
    balance = (await client.get("/rewards/me/points", headers=headers)).json()["balance"]
    cancelled = await client.post(
        f"/rewards/admin/claims/{claim['claim_id']}/fulfilment",
        json={"status": "cancelled", "reason": "duplicate account"},
        headers=rewards.admin,
    )
    assert cancelled.status_code == 200, cancelled.text
    after = (await client.get("/rewards/me/points", headers=headers)).json()["balance"]
    assert after == balance - 700
    twice = await client.post(
        f"/rewards/admin/claims/{claim['claim_id']}/fulfilment",
        json={"status": "cancelled", "reason": "again"},
        headers=rewards.admin,
    )
    assert (twice.status_code, twice.json()["code"]) == (409, "invalid_transition")


async def test_the_warehouse_csv_and_the_tracking_import(
    client: httpx.AsyncClient, rewards: Any, amqp_url: str, events_exchange: str
) -> None:
    tier = await rewards.tier(stock=5)
    user, _, ready = await claimed(client, rewards, tier, {"shipping": ADDRESS})
    _, _, waiting = await claimed(client, rewards, tier)
    known = UserRegisteredV1(user_id=user, email="kim@example.com", name="Kim Minji")
    await publish_envelope(
        amqp_url, events_exchange, wrap(known, occurred_at=datetime.now(UTC), producer="auth")
    )

    async def named() -> bool:
        listed = await client.get(
            f"/rewards/admin/fulfilments?tier_id={tier['id']}&status=pending",
            headers=rewards.admin,
        )
        return [(i["claim_id"], i["email"]) for i in listed.json()["items"]] == [
            (ready["claim_id"], "kim@example.com")
        ]

    await eventually(named, within=5)
    exported = await client.get(
        f"/rewards/admin/fulfilments?tier_id={tier['id']}&status=pending",
        headers={**rewards.admin, "Accept": "text/csv"},
    )
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert exported.text.splitlines()[0] == (
        "claim_id,claim_number,status,tier_name,recipient,phone,address1,address2,postal_code,"
        "country,email,name,claimed_at,carrier,tracking_number,shipped_at,delivered_at,"
        "cancelled_at,cancel_reason"
    )
    assert [(r["claim_number"], r["phone"], r["name"]) for r in rows] == [
        (ready["claim_number"], ADDRESS["phone"], "Kim Minji")
    ]
    tracking = (
        "claim_id,carrier,tracking_number\r\n"
        f"{ready['claim_number']},CJ Logistics,111-222\r\n"
        f"{waiting['claim_id']},CJ Logistics,333-444\r\n"
        f"{uuid.uuid4()},CJ Logistics,555\r\n"
        f"{ready['claim_id']},,\r\n"
    )
    csv_headers = {**rewards.admin, "Content-Type": "text/csv"}
    imported = await client.post(
        "/rewards/admin/fulfilments/import", content=tracking, headers=csv_headers
    )
    assert imported.status_code == 200, imported.text
    body = imported.json()
    assert body["updated"] == 1
    assert [e["line"] for e in body["errors"]] == [3, 4, 5]
    assert "awaiting_address" in body["errors"][0]["error"]
    again = await client.post(
        "/rewards/admin/fulfilments/import",
        content=tracking.split("\r\n", 2)[0] + "\r\n"
        f"{ready['claim_number']},CJ Logistics,111-222\r\n",
        headers=csv_headers,
    )
    assert again.json() == {"updated": 0, "errors": []}  # the same row again: nothing new
    claims = await client.get("/rewards/admin/claims?email=KIM@example.com", headers=rewards.admin)
    [mine] = claims.json()["items"]
    assert (mine["claim_id"], mine["name"], mine["fulfilment"]["tracking_number"]) == (
        ready["claim_id"],
        "Kim Minji",
        "111-222",
    )
    wrong_type = await client.post(
        "/rewards/admin/fulfilments/import", json={"rows": []}, headers=rewards.admin
    )
    assert (wrong_type.status_code, wrong_type.json()["code"]) == (415, "unsupported_media_type")
    no_header = await client.post(
        "/rewards/admin/fulfilments/import", content="a,b\r\n", headers=csv_headers
    )
    assert (no_header.status_code, no_header.json()["code"]) == (422, "invalid_csv")


async def test_support_works_the_queue_but_changes_nothing_else(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    support = rewards.minter.headers(role="support")
    assert (await client.get("/rewards/admin/fulfilments", headers=support)).status_code == 200
    assert (await client.get("/rewards/admin/claims", headers=support)).status_code == 200
    for method, path in [
        ("POST", "/rewards/admin/tiers"),
        ("PUT", "/rewards/admin/campaign"),
        ("POST", f"/rewards/admin/tiers/{uuid.uuid4()}/stock-adjustments"),
        ("POST", "/rewards/admin/points-grants"),
    ]:
        refused = await client.request(method, path, json={}, headers=support)
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden"), path
