"""Stock adjustments, the daily sweep, admin views, CSV, and admin-only routes."""

import csv
import io
import uuid
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import httpx
import pytest
from checkin_shared.clock import FrozenClock
from checkin_shared.keysets import StaticKeySet
from checkin_testkit.apps import lifespan_client
from checkin_testkit.database import TestDatabase, isolated_database, run_migrations
from checkin_testkit.tokens import TokenMinter
from reward_service.main import create_app
from reward_service.stock.sweep import StockSweeper

ALEMBIC_INI = Path(__file__).parents[1] / "alembic.ini"


async def adjust(
    client: httpx.AsyncClient, rewards: Any, tier: dict[str, Any], delta: int
) -> httpx.Response:
    return await client.post(
        f"/rewards/admin/tiers/{tier['id']}/stock-adjustments",
        json={"delta": delta, "reason": "count"},
        headers=rewards.admin,
    )


async def events_of(rewards: Any, tier: dict[str, Any]) -> list[tuple[str, str]]:
    rows = await rewards.sql(
        "SELECT event_type, payload->'data'->>'stock' FROM reward.outbox "
        "WHERE payload->'data'->>'tier_id' = :t ORDER BY created_at, event_type",
        t=tier["id"],
    )
    return [(r[0], r[1]) for r in rows]


async def test_stock_never_goes_negative_and_every_change_is_audited(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier = await rewards.tier(stock=12, low_stock_threshold=10)
    refused = await adjust(client, rewards, tier, -13)
    assert (refused.status_code, refused.json()["code"]) == (409, "stock_negative")
    down = await adjust(client, rewards, tier, -2)
    assert (down.status_code, down.json()) == (201, {"stock": 10})
    up = await adjust(client, rewards, tier, 5)
    assert up.json() == {"stock": 15}
    audit = await rewards.sql(
        "SELECT delta, stock_after, reason FROM reward.stock_adjustment WHERE tier_id = :t "
        "ORDER BY created_at",
        t=tier["id"],
    )
    assert [(a[0], a[1]) for a in audit] == [(-2, 10), (5, 15)]  # the refusal wrote nothing
    assert await events_of(rewards, tier) == [
        ("reward.stock_adjusted.v1", "10"),
        ("reward.stock_low.v1", "10"),
        ("reward.stock_adjusted.v1", "15"),
    ]
    for bad in (
        {"delta": 0, "reason": "x"},
        {"delta": 1},
        {"delta": 1, "reason": ""},
        {"delta": "many", "reason": "x"},
    ):
        response = await client.post(
            f"/rewards/admin/tiers/{tier['id']}/stock-adjustments", json=bad, headers=rewards.admin
        )
        assert response.status_code == 422, bad
    missing = await client.post(
        f"/rewards/admin/tiers/{uuid.uuid4()}/stock-adjustments",
        json={"delta": 1, "reason": "x"},
        headers=rewards.admin,
    )
    assert missing.status_code == 404


async def test_the_sweep_runs_once_per_business_day_across_replicas(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    low = await rewards.tier(stock=2, low_stock_threshold=5)
    fine = await rewards.tier(stock=50, low_stock_threshold=5)
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    clock = FrozenClock(datetime(2027, 3, 1, 23, 30, tzinfo=UTC))  # 08:30 on 03-02 in Seoul

    def sweeper() -> StockSweeper:
        return StockSweeper(
            factory, clock, default_zone="Asia/Seoul", at=time(9, 0), every_seconds=60
        )

    first, second = sweeper(), sweeper()
    assert await first.run_once() is None  # not yet 09:00 in Seoul
    clock.set(datetime(2027, 3, 2, 0, 0, tzinfo=UTC))  # 09:00 in Seoul
    results = [await first.run_once(), await second.run_once()]
    assert results[1] is None and results[0] is not None and results[0] >= 1
    assert [e for e in await events_of(rewards, low) if e[0] == "reward.stock_low.v1"] == [
        ("reward.stock_low.v1", "2")
    ]
    assert await events_of(rewards, fine) == []
    clock.set(datetime(2027, 3, 3, 0, 0, tzinfo=UTC))  # the next day: swept again
    assert await second.run_once() is not None


async def test_admins_list_and_export_claims_with_one_filter(
    client: httpx.AsyncClient, rewards: Any, clock: FrozenClock
) -> None:
    tier = await rewards.tier(stock=10)
    users = [rewards.shopper() for _ in range(3)]
    await rewards.give_days([u for u, _ in users], tier["required_days"])
    clock.set(datetime(2027, 4, 1, 3, 0, tzinfo=UTC))
    for _, headers in users:
        assert (
            await client.post(f"/rewards/{tier['id']}/claims", headers=headers)
        ).status_code == 201
    query = f"/rewards/admin/claims?tier_id={tier['id']}&from=2027-04-01&to=2027-04-01"
    listed = (await client.get(query, headers=rewards.admin)).json()["items"]
    assert {c["user_id"] for c in listed} == {str(u) for u, _ in users}
    exported = await client.get(query, headers={**rewards.admin, "Accept": "text/csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["claim_id"] for r in rows] == [c["claim_id"] for c in listed]
    assert {r["tier_name"] for r in rows} == {tier["name"]}
    empty = await client.get(f"{query.split('&from')[0]}&from=2027-04-02", headers=rewards.admin)
    assert empty.json()["items"] == []
    reversed_range = await client.get(
        "/rewards/admin/claims?from=2027-04-02&to=2027-04-01", headers=rewards.admin
    )
    assert reversed_range.status_code == 422


async def test_admins_see_attendance_and_stock(client: httpx.AsyncClient, rewards: Any) -> None:
    tier = await rewards.tier(stock=3, low_stock_threshold=3)
    user, headers = rewards.shopper()
    await rewards.give_days([user], tier["required_days"])
    await client.post(f"/rewards/{tier['id']}/claims", headers=headers)
    stock = (await client.get("/rewards/admin/stock", headers=rewards.admin)).json()["items"]
    mine = next(s for s in stock if s["tier_id"] == tier["id"])
    assert (mine["stock"], mine["low"]) == (2, True)
    seen: dict[str, Any] = {}
    cursor = ""
    while True:
        page = (
            await client.get(f"/rewards/admin/attendance?limit=100{cursor}", headers=rewards.admin)
        ).json()
        seen.update({row["user_id"]: row for row in page["items"]})
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    row = seen[str(user)]
    assert row["attendance_days"] == tier["required_days"]
    assert row["claimed_tiers"] == [tier["id"]]


async def test_tier_and_campaign_input_is_validated(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier = await rewards.tier()
    duplicate = await client.post(
        "/rewards/admin/tiers",
        headers=rewards.admin,
        json={"name": "again", "required_days": tier["required_days"], "kind": "item", "stock": 1},
    )
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "duplicate_required_days")
    for bad in (
        {"name": "p", "required_days": 1000, "kind": "points", "stock": 1},
        {"name": "i", "required_days": 1001, "kind": "item", "points": 5, "stock": 1},
        {"name": "n", "required_days": 1002, "kind": "item", "stock": -1},
        {"name": "", "required_days": 1003, "kind": "item", "stock": 1},
        {"name": "k", "required_days": 1004, "kind": "coupon", "stock": 1},
    ):
        response = await client.post("/rewards/admin/tiers", json=bad, headers=rewards.admin)
        assert response.status_code == 422, bad
    renamed = await client.patch(
        f"/rewards/admin/tiers/{tier['id']}",
        headers=rewards.admin,
        json={"name": "Renamed", "low_stock_threshold": 2},
    )
    assert (renamed.json()["name"], renamed.json()["low_stock_threshold"]) == ("Renamed", 2)
    no_stock_here = await client.patch(
        f"/rewards/admin/tiers/{tier['id']}", headers=rewards.admin, json={"stock": 99}
    )
    assert no_stock_here.status_code == 422
    for bad in (
        {"name": "c", "starts_on": "2026-05-01", "ends_on": "2026-04-01"},
        {"name": "c", "starts_on": "2026-05-01", "timezone": "Mars/Olympus"},
        {"name": "c", "starts_on": "not a date"},
    ):
        response = await client.put("/rewards/admin/campaign", json=bad, headers=rewards.admin)
        assert response.status_code == 422, bad
    campaign = (await client.get("/rewards/admin/campaign", headers=rewards.admin)).json()
    assert campaign["starts_on"] == "2026-01-01"  # unchanged by the refused updates


ADMIN_ROUTES = [
    ("GET", "/rewards/admin/campaign"),
    ("PUT", "/rewards/admin/campaign"),
    ("GET", "/rewards/admin/tiers"),
    ("POST", "/rewards/admin/tiers"),
    ("PATCH", f"/rewards/admin/tiers/{uuid.uuid4()}"),
    ("POST", f"/rewards/admin/tiers/{uuid.uuid4()}/stock-adjustments"),
    ("GET", "/rewards/admin/stock"),
    ("GET", "/rewards/admin/claims"),
    ("GET", "/rewards/admin/attendance"),
]


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
async def test_shoppers_are_refused_on_every_admin_route(
    client: httpx.AsyncClient, rewards: Any, method: str, path: str
) -> None:
    _, headers = rewards.shopper()
    response = await client.request(method, path, headers=headers, json={})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


async def test_before_any_campaign_exists_the_routes_answer_no_campaign(
    settings_for: Any,
    minter: TokenMinter,
    test_database: TestDatabase,
    pytestconfig: pytest.Config,
) -> None:
    async with isolated_database(test_database, "nocampaign", pytestconfig.rootpath) as database:
        url = database.url_for("reward_svc")
        run_migrations(ALEMBIC_INI, url)
        app = create_app(settings_for(database_url=url), keys=StaticKeySet(minter.jwks()))
        async with lifespan_client(app) as client:
            admin = minter.headers(role="admin")
            for path, headers in (
                ("/rewards/admin/campaign", admin),
                ("/rewards", minter.headers()),
            ):
                answer = await client.get(path, headers=headers)
                assert (answer.status_code, answer.json()["code"]) == (404, "no_campaign")
