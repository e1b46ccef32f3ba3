"""RabbitMQ cut during a burst of claims and check-ins, on a stack of its own whose
services reach the broker through a TCP proxy run by this test (loopback only)."""

import asyncio
import mailbox
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from checkin_shared.testing.events import eventually
from checkin_shared.testing.tcp_proxy import TcpProxy

GROUP = 150
STOCK = 100
THRESHOLD = 10


@pytest.fixture
async def proxied_stack(
    test_run_id: str,
    postgres_admin_url: str,
    amqp_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    stack_runner: Any,
) -> AsyncIterator[tuple[Any, TcpProxy]]:
    broker = urlsplit(amqp_url)
    proxy = await TcpProxy(broker.hostname or "127.0.0.1", broker.port or 5672).start()
    through = proxy.url_for(amqp_url, 5672)
    env = {f"{svc}_AMQP_URL": through for svc in ("AUTH", "ATTENDANCE", "REWARD", "NOTIFICATION")}
    state = tmp_path_factory.mktemp("outage-state")
    try:
        async with stack_runner(
            "outage", test_run_id, postgres_admin_url, amqp_url, state, extra_env=env
        ) as stack:
            yield stack, proxy
    finally:
        await proxy.stop()


async def patiently(send: Any) -> httpx.Response:
    """What a real client does: retry a 503 after its Retry-After (claims carry an
    Idempotency-Key, so a retry can never claim twice)."""
    for _ in range(10):
        response: httpx.Response = await send()
        if response.status_code != 503:
            return response
        await asyncio.sleep(float(response.headers.get("retry-after", "1")))
    return response


async def shoppers(client: httpx.AsyncClient, admin: dict[str, str], tag: str) -> list[Any]:
    emails = [f"{tag}-{i}-{uuid.uuid4().hex[:6]}@example.com" for i in range(GROUP)]
    await asyncio.gather(
        *(
            client.post(
                "/auth/register", json={"email": e, "password": "burst pass 1", "name": "B"}
            )
            for e in emails
        )
    )
    items = [
        {
            "email": e,
            "order_id": f"{tag}-{e}",
            "amount": "1000",
            "currency": "KRW",
            "purchased_at": "2026-11-01T12:00:00+09:00",
        }
        for e in emails
    ]
    imported = await client.post("/auth/admin/purchases", json={"items": items}, headers=admin)
    assert imported.json()["imported"] == GROUP
    logins = await asyncio.gather(
        *(client.post("/auth/login", json={"email": e, "password": "burst pass 1"}) for e in emails)
    )
    refused = [r.text for r in logins if r.status_code != 200]
    assert refused == [], refused[:3]
    return [
        (e, {"Authorization": f"Bearer {r.json()['access_token']}"})
        for e, r in zip(emails, logins, strict=True)
    ]


async def test_a_broker_cut_during_a_burst_loses_nothing_and_doubles_nothing(
    proxied_stack: tuple[Any, TcpProxy],
) -> None:
    stack, proxy = proxied_stack
    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30, limits=limits) as client:
        login = await client.post(
            "/auth/login", json={"email": stack.admin[0], "password": stack.admin[1]}
        )
        admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
        tier = (
            await client.post(
                "/rewards/admin/tiers",
                headers=admin,
                json={
                    "name": "Burst prize",
                    "required_days": 1,
                    "kind": "item",
                    "stock": STOCK,
                    "low_stock_threshold": THRESHOLD,
                },
            )
        ).json()["id"]
        claimers = await shoppers(client, admin, "a")
        latecomers = await shoppers(client, admin, "b")
        checked = await asyncio.gather(
            *(client.post("/attendance/check-ins", headers=h) for _, h in claimers)
        )
        assert {r.status_code for r in checked} == {201}

        async def projected(headers: dict[str, str]) -> bool:
            tiers = (await client.get("/rewards", headers=headers)).json()["tiers"]
            return next(t for t in tiers if t["id"] == tier)["status"] == "claimable"

        await eventually(lambda: projected(claimers[-1][1]), within=30)
        for _, headers in claimers:  # every claimer's day has reached the reward service
            await eventually(lambda h=headers: projected(h), within=30)  # type: ignore[misc]

        proxy.cut()

        def claim(headers: dict[str, str]) -> Any:
            keyed = {**headers, "Idempotency-Key": f"burst-{uuid.uuid4()}"}
            return lambda: client.post(f"/rewards/{tier}/claims", headers=keyed)

        def check_in(headers: dict[str, str]) -> Any:
            return lambda: client.post("/attendance/check-ins", headers=headers)

        burst = await asyncio.gather(
            *(patiently(claim(h)) for _, h in claimers),
            *(patiently(check_in(h)) for _, h in latecomers),
        )
        claims, checkins = burst[:GROUP], burst[GROUP:]
        codes = sorted(r.status_code for r in claims)
        assert codes == [201] * STOCK + [409] * (GROUP - STOCK)
        assert {r.json()["code"] for r in claims if r.status_code == 409} == {"out_of_stock"}
        assert {r.status_code for r in checkins} == {201}
        await asyncio.sleep(1)
        proxy.heal()

        winners = {e for (e, _), r in zip(claimers, claims, strict=True) if r.status_code == 201}

        def mails() -> list[Any]:
            return list(mailbox.Maildir(stack.state / "mail", create=False))

        async def all_mailed() -> bool:
            to = [m["To"] for m in mails()]
            return all(to.count(e) == 1 for e in winners) and to.count(stack.admin[0]) >= 1

        await eventually(all_mailed, within=90)

        async def counted(headers: dict[str, str]) -> bool:
            me = (await client.get("/rewards/me", headers=headers)).json()
            return bool(me["attendance_days"] == 1)

        for headers in (h for _, h in latecomers):  # their check-ins reached rewards too
            await eventually(lambda h=headers: counted(h), within=60)  # type: ignore[misc]
        await asyncio.sleep(2)  # room for any duplicate to show up
        to = [m["To"] for m in mails()]
        assert sorted(e for e in to if e in winners) == sorted(winners)  # once each
        assert to.count(stack.admin[0]) == 1  # one low-stock alert, at the crossing
        assert not [e for e in to if e.startswith("a-") and e not in winners]
