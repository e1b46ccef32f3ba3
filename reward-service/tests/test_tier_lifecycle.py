"""A tier can be described, illustrated and retired: a retired tier is hidden from
shoppers and refuses claims (409 `tier_inactive`), its claims and stock kept; brought
back, it is claimable again."""

from typing import Any

import httpx


async def shown(client: httpx.AsyncClient, headers: dict[str, str], tier_id: str) -> Any:
    tiers = (await client.get("/rewards", headers=headers)).json()["tiers"]
    return next((t for t in tiers if t["id"] == tier_id), None)


async def test_a_retired_tier_is_hidden_refuses_claims_and_keeps_its_history(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier = await rewards.tier(
        stock=5,
        description="Bluetooth, 30 h battery",
        image_url="https://shop.example/img/e.png",
    )
    assert (tier["active"], tier["description"]) == (True, "Bluetooth, 30 h battery")
    (early, early_headers), (late, late_headers) = rewards.shopper(), rewards.shopper()
    await rewards.give_days([early, late], tier["required_days"])
    seen = await shown(client, early_headers, tier["id"])
    assert seen["image_url"] == "https://shop.example/img/e.png"
    assert (
        await client.post(f"/rewards/{tier['id']}/claims", headers=early_headers)
    ).status_code == 201

    path = f"/rewards/admin/tiers/{tier['id']}"
    retired = await client.patch(path, json={"active": False}, headers=rewards.admin)
    assert retired.status_code == 200 and retired.json()["active"] is False
    assert await shown(client, late_headers, tier["id"]) is None
    refused = await client.post(f"/rewards/{tier['id']}/claims", headers=late_headers)
    assert (refused.status_code, refused.json()["code"]) == (409, "tier_inactive")
    admin_list = (await client.get("/rewards/admin/tiers", headers=rewards.admin)).json()
    [kept] = [t for t in admin_list["items"] if t["id"] == tier["id"]]
    assert (kept["active"], kept["stock"]) == (False, 4)
    claims = await client.get(f"/rewards/admin/claims?tier_id={tier['id']}", headers=rewards.admin)
    assert len(claims.json()["items"]) == 1  # the earlier claim is kept
    mine = (await client.get("/rewards/me/claims", headers=early_headers)).json()["items"]
    assert [c["tier_id"] for c in mine] == [tier["id"]]

    back = await client.patch(path, json={"active": True, "description": ""}, headers=rewards.admin)
    assert (back.json()["active"], back.json()["description"]) == (True, None)
    assert (
        await client.post(f"/rewards/{tier['id']}/claims", headers=late_headers)
    ).status_code == 201


async def test_bad_lifecycle_values_are_refused(client: httpx.AsyncClient, rewards: Any) -> None:
    tier = await rewards.tier()
    path = f"/rewards/admin/tiers/{tier['id']}"
    for bad in (
        {"active": "no"},
        {"active": 0},
        {"image_url": "http://shop.example/x.png"},
        {"image_url": "javascript:alert(1)"},
        {"description": "x" * 2001},
    ):
        answer = await client.patch(path, json=bad, headers=rewards.admin)
        assert answer.status_code == 422, bad
