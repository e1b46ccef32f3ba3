"""A service killed with SIGKILL in the middle of a burst, and started again (the runner's
--restart, as a process supervisor would): no check-in or claim lost or doubled, no event
lost, no mail doubled; no make-up day half done."""

import asyncio
import base64
import json
import mailbox
import os
import signal
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

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

GROUP = 120
STOCK = 80


@pytest.fixture
async def supervised_stack(
    test_run_id: str,
    postgres_admin_url: str,
    amqp_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    stack_runner: Any,
) -> AsyncIterator[Any]:
    state = tmp_path_factory.mktemp("killed-state")
    async with stack_runner(
        "killed", test_run_id, postgres_admin_url, amqp_url, state, runner_args=("--restart",)
    ) as stack:
        yield stack


class Burst:
    """Requests sent at once; SIGKILLs one service once a quarter of them are answered."""

    def __init__(self, stack: Any, victim: str) -> None:
        self.pid_file = stack.state / "pids" / f"{victim}.pid"
        self.answered = 0
        self.quarter = asyncio.Event()
        self.seen: Counter[int] = Counter()
        self.killed: int | None = None

    def counted(self, send: Callable[[], Awaitable[httpx.Response]]) -> Any:
        async def send_and_count() -> httpx.Response:
            response = await send()
            self.seen[response.status_code] += 1
            return response

        return send_and_count

    async def run(self, sends: list[Callable[[], Awaitable[httpx.Response]]]) -> list[Any]:
        async def one(send: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
            response = await patiently(self.counted(send))
            self.answered += 1
            if self.answered >= len(sends) // 4:
                self.quarter.set()
            return response

        async def killer() -> None:
            await self.quarter.wait()
            self.killed = int(self.pid_file.read_text())
            os.kill(self.killed, signal.SIGKILL)

        kill = asyncio.create_task(killer())
        answers = await asyncio.gather(*(one(s) for s in sends))
        await kill
        return answers

    def restarted(self) -> bool:
        return int(self.pid_file.read_text()) != self.killed

    async def restarted_soon(self) -> bool:
        return self.pid_file.exists() and self.restarted()


async def test_a_service_killed_mid_burst_loses_and_doubles_nothing(
    supervised_stack: Any,
) -> None:
    stack = supervised_stack
    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30, limits=limits) as client:
        admin = await admin_headers(client, stack.admin)
        tier = await one_day_tier(client, admin, name="Kill prize", stock=STOCK, threshold=0)
        shoppers = await eligible_shoppers(client, admin, "k", GROUP)

        # 1. check-ins, the attendance service killed after a quarter of them
        checkins = Burst(stack, "attendance")
        answers = await checkins.run(
            [lambda h=h: client.post("/attendance/check-ins", headers=h) for _, h in shoppers]
        )
        assert checkins.seen[503] > 0, "the kill did not hit requests in flight"
        assert checkins.restarted()
        # a check-in whose answer was lost with the process is refused on retry: it counted
        assert {(r.status_code, r.json().get("code")) for r in answers} <= {
            (201, None),
            (409, "already_checked_in"),
        }
        for _, headers in shoppers:  # exactly one day each, none lost, none doubled
            me = (await client.get("/attendance/me", headers=headers)).json()
            assert me["total_days"] == 1

        for _, headers in shoppers:  # every check-in event reached the reward service
            await eventually(
                lambda h=headers: is_claimable(client, h, tier),  # type: ignore[misc]
                within=60,
            )

        # 2. claims with Idempotency-Keys, the reward service killed after a quarter
        claims = Burst(stack, "reward")
        keyed = [{**h, "Idempotency-Key": f"kill-{uuid.uuid4()}"} for _, h in shoppers]
        answers = await claims.run(
            [lambda h=h: client.post(f"/rewards/{tier}/claims", headers=h) for h in keyed]
        )
        assert claims.seen[503] > 0, "the kill did not hit requests in flight"
        assert claims.restarted()
        codes = sorted((r.status_code, r.json().get("code")) for r in answers)
        assert codes == [(201, None)] * STOCK + [(409, "out_of_stock")] * (GROUP - STOCK)
        stock = (await client.get("/rewards/admin/stock", headers=admin)).json()["items"]
        assert next(t for t in stock if t["tier_id"] == tier)["stock"] == 0
        listed = await client.get(f"/rewards/admin/claims?tier_id={tier}&limit=200", headers=admin)
        holders = [c["user_id"] for c in listed.json()["items"]]
        assert len(holders) == len(set(holders)) == STOCK

        # 3. one mail per granted claim, none doubled by a replayed event
        winners = {e for (e, _), r in zip(shoppers, answers, strict=True) if r.status_code == 201}

        def recipients() -> list[str]:
            return [m["To"] for m in mailbox.Maildir(stack.state / "mail", create=False)]

        async def all_mailed() -> bool:
            return set(recipients()) >= winners

        await eventually(all_mailed, within=90)
        await asyncio.sleep(3)  # room for any duplicate to show up
        mailed = Counter(e for e in recipients() if e.startswith("k-"))
        assert mailed == Counter(winners)


def user_id_of(headers: dict[str, str]) -> str:
    """The shopper's id, from their access token's `sub` (read, not verified: our token)."""
    payload = headers["Authorization"].removeprefix("Bearer ").split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "==="))["sub"])


async def offer_makeups(client: httpx.AsyncClient, admin: dict[str, str], today: date) -> None:
    """The demo campaign, from 20 days ago, offers 2 make-up days at 100 points."""
    campaign = (await client.get("/rewards/admin/campaign", headers=admin)).json()
    body = {
        "name": campaign["name"],
        "starts_on": min(campaign["starts_on"], (today - timedelta(days=20)).isoformat()),
        "timezone": campaign["timezone"],
        "makeup": {"cost_points": 100, "max_per_campaign": 2},
    }
    put = await client.put("/rewards/admin/campaign", json=body, headers=admin)
    assert put.status_code == 200, put.text


async def settled_makeups(client: httpx.AsyncClient, headers: dict[str, str]) -> list[Any]:
    items: list[Any] = (await client.get("/rewards/me/makeups", headers=headers)).json()["items"]
    return items


async def test_make_up_days_are_never_half_done_when_either_service_is_killed(
    supervised_stack: Any,
) -> None:
    """The saga under SIGKILL: the attendance service killed while it adds the days, then
    the reward service killed while shoppers pay for them. Every make-up ends applied, its
    points taken once, its day counted once on both sides; none is left pending."""
    stack = supervised_stack
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30) as client:
        admin = await admin_headers(client, stack.admin)
        today = datetime.now(ZoneInfo("Asia/Seoul")).date()
        await offer_makeups(client, admin, today)
        first = await eligible_shoppers(client, admin, "m", 24)
        second = await eligible_shoppers(client, admin, "n", 24)
        for group, points in ((first, 250), (second, 100)):
            grant = {"user_ids": [user_id_of(h) for _, h in group], "amount": points, "reason": "x"}
            made = await client.post("/rewards/admin/points-grants", json=grant, headers=admin)
            assert made.status_code == 201, made.text
        days = [(today - timedelta(days=n)).isoformat() for n in (1, 2, 3)]

        # 1. three asks each (the limit is two), the attendance service killed meanwhile
        burst = Burst(stack, "attendance")
        answers = await burst.run(
            [
                lambda h=h, d=d: client.post("/rewards/me/makeups", json={"day": d}, headers=h)
                for _, h in first
                for d in days
            ]
        )
        await eventually(burst.restarted_soon, within=30)  # asks may all be answered first
        codes = Counter((r.status_code, r.json().get("code")) for r in answers)
        assert codes == {(202, None): 48, (409, "makeup_limit_reached"): 24}

        # 2. one ask each, the reward service killed after a quarter are answered
        burst = Burst(stack, "reward")
        answers = await burst.run(
            [
                lambda h=h: client.post("/rewards/me/makeups", json={"day": days[0]}, headers=h)
                for _, h in second
            ]
        )
        await eventually(burst.restarted_soon, within=30)
        # an ask whose answer died with the process is refused on retry: it was taken
        assert {(r.status_code, r.json().get("code")) for r in answers} <= {
            (202, None),
            (422, "day_not_allowed"),
        }

        for group, expected_days, balance in ((first, 2, 50), (second, 1, 0)):
            for _, headers in group:

                async def all_applied(h: dict[str, str] = headers, n: int = expected_days) -> bool:
                    made = await settled_makeups(client, h)
                    return len(made) == n and all(m["status"] == "applied" for m in made)

                await eventually(all_applied, within=90)
                me = (await client.get("/attendance/me", headers=headers)).json()
                assert (me["total_days"], me["makeup_days"]) == (expected_days, expected_days)
                points = (await client.get("/rewards/me/points", headers=headers)).json()
                assert points["balance"] == balance  # taken once per day, never twice

                async def projected(h: dict[str, str] = headers, n: int = expected_days) -> bool:
                    mine = (await client.get("/rewards/me", headers=h)).json()
                    return bool(mine["attendance_days"] == n)

                await eventually(projected, within=30)
