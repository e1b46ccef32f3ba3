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
from checkin_testkit.events import eventually
from checkin_testkit.shoppers import (
    admin_headers,
    eligible_shoppers,
    is_claimable,
    one_day_tier,
    patiently,
)
from checkin_testkit.tcp_proxy import TcpProxy

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


async def test_a_broker_cut_during_a_burst_loses_nothing_and_doubles_nothing(
    proxied_stack: tuple[Any, TcpProxy],
) -> None:
    stack, proxy = proxied_stack
    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30, limits=limits) as client:
        admin = await admin_headers(client, stack.admin)
        tier = await one_day_tier(
            client, admin, name="Burst prize", stock=STOCK, threshold=THRESHOLD
        )
        claimers = await eligible_shoppers(client, admin, "a", GROUP)
        latecomers = await eligible_shoppers(client, admin, "b", GROUP)
        checked = await asyncio.gather(
            *(client.post("/attendance/check-ins", headers=h) for _, h in claimers)
        )
        assert [r.text for r in checked if r.status_code != 201] == []

        await eventually(lambda: is_claimable(client, claimers[-1][1], tier), within=30)
        for _, headers in claimers:  # every claimer's day has reached the reward service
            await eventually(
                lambda h=headers: is_claimable(client, h, tier),  # type: ignore[misc]
                within=30,
            )

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
        assert [r.text for r in checkins if r.status_code != 201] == []
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
