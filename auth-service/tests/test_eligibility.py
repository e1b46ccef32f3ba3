"""Eligibility follows purchases: paid makes a shopper eligible, their last paid order
refunded or cancelled takes it away; every change (and every change of the paid total
or newest paid purchase, which campaigns' rules read) is announced once, with a version
that grows, and /auth/me and new tokens agree."""

import asyncio
import itertools
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import jwt
from checkin_shared.db import make_engine
from checkin_testkit.events import eventually
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).parent))
from test_events import Collected

PAID_AT = "2026-11-20T10:00:00+09:00"


def order(email: str, order_id: str, status: str = "paid") -> dict[str, Any]:
    return {
        "email": email,
        "order_id": order_id,
        "amount": "1000",
        "currency": "KRW",
        "purchased_at": PAID_AT,
        "status": status,
    }


async def changes(collected: Collected, user_id: str, count: int) -> list[dict[str, Any]]:
    async def arrived() -> bool:
        await collected.poll()
        return len(collected.of("user.eligibility_changed.v1", user_id=user_id)) >= count

    await eventually(arrived)
    await asyncio.sleep(0.3)  # room for a wrong extra announcement
    await collected.poll()
    return [e["data"] for e in collected.of("user.eligibility_changed.v1", user_id=user_id)]


async def eligible(client: httpx.AsyncClient, api: Any, email: str) -> tuple[bool, bool]:
    """(/auth/me says, a fresh token says)."""
    pair = await api.login(email)
    me = await client.get("/auth/me", headers=api.bearer(pair["access_token"]))
    claims = jwt.decode(pair["access_token"], options={"verify_signature": False})
    return me.json()["eligible"], claims["eligible"]


async def test_paid_then_refunded_orders_announce_each_change_once(
    client: httpx.AsyncClient, api: Any, amqp_url: str, events_exchange: str
) -> None:
    collected = Collected(amqp_url, events_exchange)
    user = await api.register()
    admin = api.bearer(await api.admin_token())
    first, second = f"EL-{uuid.uuid4().hex[:8]}", f"EL-{uuid.uuid4().hex[:8]}"

    async def send(*items: dict[str, Any]) -> dict[str, Any]:
        answer = await client.post(
            "/auth/admin/purchases", json={"items": list(items)}, headers=admin
        )
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    assert (await send(order(user["email"], first)))["imported"] == 1
    assert await eligible(client, api, user["email"]) == (True, True)
    await send(order(user["email"], second))  # a second paid order: the total changes
    assert (await send(order(user["email"], first, "refunded")))["imported"] == 1
    assert await eligible(client, api, user["email"]) == (True, True)  # the second still paid
    await send(order(user["email"], second, "cancelled"))
    assert await eligible(client, api, user["email"]) == (False, False)
    again = await send(order(user["email"], second, "cancelled"), order(user["email"], first))
    assert (again["imported"], again["skipped"]) == (0, 2)  # final: a paid copy changes nothing

    seen = await changes(collected, user["id"], 4)
    assert [(c["eligible"], c["version"], c["paid_total"]) for c in seen] == [
        (True, 1, "1000.00"),
        (True, 2, "2000.00"),  # campaigns with a minimum total decide from it
        (True, 3, "1000.00"),
        (False, 4, "0.00"),
    ]
    assert seen[0]["last_paid_at"] is not None and seen[3]["last_paid_at"] is None
    mine = await client.get(
        "/auth/me/purchases", headers=api.bearer((await api.login(user["email"]))["access_token"])
    )
    assert {p["order_id"]: p["status"] for p in mine.json()["items"]} == {
        first: "refunded",
        second: "cancelled",
    }


async def test_orders_before_the_account_count_when_it_is_made(
    client: httpx.AsyncClient, api: Any, amqp_url: str, events_exchange: str
) -> None:
    collected = Collected(amqp_url, events_exchange)
    admin = api.bearer(await api.admin_token())
    paid_email, refunded_email = api.new_email(), api.new_email()
    items = [
        order(paid_email, f"EL-{uuid.uuid4().hex[:8]}"),
        order(refunded_email, f"EL-{uuid.uuid4().hex[:8]}", "refunded"),
    ]
    answer = await client.post("/auth/admin/purchases", json={"items": items}, headers=admin)
    assert answer.json()["unregistered"] == 2
    paid, refunded = await api.register(paid_email), await api.register(refunded_email)
    [change] = await changes(collected, paid["id"], 1)
    assert (change["eligible"], change["version"]) == (True, 1)
    assert await eligible(client, api, refunded_email) == (False, False)
    assert collected.of("user.eligibility_changed.v1", user_id=refunded["id"]) == []


async def test_concurrent_imports_for_one_shopper_announce_a_consistent_history(
    client: httpx.AsyncClient,
    api: Any,
    amqp_url: str,
    events_exchange: str,
    auth_database_url: str,
) -> None:
    """Twenty imports at once, paid and refunded, for one shopper: the versions run 1..n
    without a gap, each a change, and the last says what the database says."""
    collected = Collected(amqp_url, events_exchange)
    user = await api.register()
    admin = api.bearer(await api.admin_token())
    ids = [f"EL-{uuid.uuid4().hex[:8]}" for _ in range(10)]
    answers = await asyncio.gather(
        *(
            client.post(
                "/auth/admin/purchases", json={"items": [order(user["email"], i)]}, headers=admin
            )
            for i in ids
        ),
        *(
            client.post(
                "/auth/admin/purchases",
                json={"items": [order(user["email"], i, "refunded")]},
                headers=admin,
            )
            for i in ids
        ),
    )
    assert [a.status_code for a in answers] == [200] * 20  # no deadlock, no 500
    final = (await eligible(client, api, user["email"]))[0]
    # how many changes the account went through (all refunds first: none at all)
    engine = make_engine(auth_database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            changes = await conn.scalar(
                text("SELECT eligibility_version FROM auth.account WHERE id = :u"),
                {"u": user["id"]},
            )
    finally:
        await engine.dispose()

    async def all_seen() -> bool:
        await collected.poll()
        return len(collected.of("user.eligibility_changed.v1", user_id=user["id"])) >= changes

    await eventually(all_seen)
    seen = [e["data"] for e in collected.of("user.eligibility_changed.v1", user_id=user["id"])]
    assert sorted(c["version"] for c in seen) == list(range(1, changes + 1))
    by_version = sorted(seen, key=lambda c: c["version"])
    told = [(c["eligible"], c["paid_total"], c["last_paid_at"]) for c in by_version]
    assert all(a != b for a, b in itertools.pairwise(told))  # each one a change
    assert all(yes == (total != "0.00") for yes, total, _ in told)
    assert (by_version[-1]["eligible"] if by_version else False) == final
