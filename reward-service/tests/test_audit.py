"""Every admin write is in the audit log, written in its transaction: before and after,
the actor and the request id; a refused write leaves no entry. Filterable, paginated,
readable by staff only."""

import uuid
from typing import Any

import httpx


async def entries(client: httpx.AsyncClient, rewards: Any, query: str) -> list[Any]:
    answer = await client.get(f"/rewards/admin/audit?{query}", headers=rewards.admin)
    assert answer.status_code == 200, answer.text
    items: list[Any] = answer.json()["items"]
    return items


async def test_a_tier_change_is_audited_with_before_after_actor_and_request(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier = await rewards.tier(stock=3)
    actor = uuid.uuid4()
    admin = rewards.minter.headers(role="admin", user_id=actor)
    changed = await client.patch(
        f"/rewards/admin/tiers/{tier['id']}",
        json={"name": "Renamed", "active": False},
        headers={**admin, "X-Request-ID": f"audit-{actor.hex[:12]}"},
    )
    assert changed.status_code == 200, changed.text
    [entry] = await entries(client, rewards, f"actor_id={actor}&action=tier.updated")
    assert entry["target"] == f"tier:{tier['id']}"
    assert (entry["before"]["name"], entry["before"]["active"]) == (tier["name"], True)
    assert (entry["after"]["name"], entry["after"]["active"]) == ("Renamed", False)
    assert entry["request_id"] == f"audit-{actor.hex[:12]}"
    # a refused write (the stock would go negative) leaves no entry
    refused = await client.post(
        f"/rewards/admin/tiers/{tier['id']}/stock-adjustments",
        json={"delta": -100, "reason": "count"},
        headers=admin,
    )
    assert refused.status_code == 409
    assert await entries(client, rewards, f"actor_id={actor}&action=stock.adjusted") == []
    ok = await client.post(
        f"/rewards/admin/tiers/{tier['id']}/stock-adjustments",
        json={"delta": 2, "reason": "delivery"},
        headers=admin,
    )
    assert ok.status_code == 201
    [adjusted] = await entries(client, rewards, f"actor_id={actor}&action=stock.adjusted")
    assert (adjusted["before"], adjusted["after"]["stock"]) == ({"stock": 3}, 5)
    # paginated (the test clock is frozen: order within one instant is by id); support
    # reads it, a shopper does not
    support = rewards.minter.headers(role="support")
    first = await client.get(f"/rewards/admin/audit?actor_id={actor}&limit=1", headers=support)
    assert first.status_code == 200 and first.json()["next_cursor"]
    rest = await client.get(
        f"/rewards/admin/audit?actor_id={actor}&limit=1&cursor={first.json()['next_cursor']}",
        headers=support,
    )
    seen = [e["action"] for e in first.json()["items"] + rest.json()["items"]]
    assert sorted(seen) == ["stock.adjusted", "tier.updated"] and not rest.json()["next_cursor"]
    _, shopper = rewards.shopper()
    denied = await client.get("/rewards/admin/audit", headers=shopper)
    assert (denied.status_code, denied.json()["code"]) == (403, "forbidden")
    backwards = await client.get(
        "/rewards/admin/audit?from=2026-12-02&to=2026-12-01", headers=rewards.admin
    )
    assert (backwards.status_code, backwards.json()["code"]) == (422, "invalid_range")
