"""The system run from its five images: healthy by the image's own health check, a
shopper's journey through the gateway container, and a service stopped with SIGTERM in the
middle of requests draining without losing what it answered."""

import asyncio
import mailbox
import time
import uuid
from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import jwt
import pytest
from checkin_testkit.events import eventually
from checkin_testkit.shoppers import admin_headers, eligible_shoppers, is_claimable, one_day_tier

pytestmark = pytest.mark.timeout(900)


async def test_every_service_turns_healthy_by_the_image_health_check(
    image_stack_running: Any,
) -> None:
    for name in image_stack_running.containers:
        found = image_stack_running.inspect(name)
        assert found["Config"]["Healthcheck"]["Test"][0] == "CMD", name
        assert found["State"]["Health"]["Status"] == "healthy", name
        assert found["Config"]["User"] == "10001", name
        assert found["HostConfig"]["ReadonlyRootfs"] is True, name
        assert found["HostConfig"]["NetworkMode"] == "host", name


async def campaign_with_a_one_day_tier(client: httpx.AsyncClient, admin: dict[str, str]) -> str:
    today = datetime.now(ZoneInfo("Asia/Seoul")).date()
    campaign = {"name": "Image days", "starts_on": today.isoformat(), "timezone": "Asia/Seoul"}
    put = await client.put("/rewards/admin/campaign", json=campaign, headers=admin)
    assert put.status_code in (200, 201), put.text
    return await one_day_tier(client, admin, name="Image mug", stock=5, threshold=1)


async def test_a_shopper_journey_through_the_gateway_container(image_stack_running: Any) -> None:
    stack = image_stack_running
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=15) as client:
        admin = await admin_headers(client, stack.inputs.admin)
        tier = await campaign_with_a_one_day_tier(client, admin)
        [(email, shopper)] = await eligible_shoppers(client, admin, "image", 1)
        checked_in = await client.post("/attendance/check-ins", headers=shopper)
        assert checked_in.status_code == 201, checked_in.text
        assert checked_in.json()["total_days"] == 1
        await eventually(lambda: is_claimable(client, shopper, tier), within=20)
        address = {
            "recipient": "Image Kim",
            "phone": "010-5555-0142",
            "address1": "1 Image-ro",
            "postal_code": "03154",
        }
        claim = await client.post(
            f"/rewards/{tier}/claims", headers=shopper, json={"shipping": address}
        )
        assert claim.status_code == 201, claim.text
        again = await client.post(f"/rewards/{tier}/claims", headers=shopper)
        assert again.status_code == 409 and again.json()["code"] == "already_claimed"

        def mails_to_shopper() -> list[Any]:
            if not (stack.mail / "new").exists():
                return []
            return [m for m in mailbox.Maildir(stack.mail, create=False) if m["To"] == email]

        async def claim_mailed() -> bool:
            return any("Image mug" in m.as_string() for m in mails_to_shopper())

        await eventually(claim_mailed, within=30)
        assert len(mails_to_shopper()) == 1


async def check_in_until_done(
    client: httpx.AsyncClient,
    queue: "asyncio.Queue[tuple[str, dict[str, str]]]",
    answers: list[tuple[str, int]],
    under_way: asyncio.Event,
) -> None:
    """Check in the queued shoppers one after another; `under_way` once 30 are answered."""
    while not queue.empty():
        email, headers = queue.get_nowait()
        try:
            answer = await client.post("/attendance/check-ins", headers=headers)
            answers.append((email, answer.status_code))
        except httpx.HTTPError:
            answers.append((email, 0))
        if len(answers) >= 30:
            under_way.set()
        await asyncio.sleep(0.01)


async def test_a_service_stopped_with_sigterm_mid_requests_drains_and_loses_nothing(
    image_stack_running: Any,
) -> None:
    stack = image_stack_running
    name = stack.container_name("attendance")
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30) as client:
        admin = await admin_headers(client, stack.inputs.admin)
        shoppers = await eligible_shoppers(client, admin, f"drain-{uuid.uuid4().hex[:4]}", 160)
        queue: asyncio.Queue[tuple[str, dict[str, str]]] = asyncio.Queue()
        for shopper in shoppers:
            queue.put_nowait(shopper)
        answers: list[tuple[str, int]] = []
        under_way = asyncio.Event()
        workers = [
            asyncio.create_task(check_in_until_done(client, queue, answers, under_way))
            for _ in range(8)
        ]
        await under_way.wait()  # stop it while requests are under way
        began = time.monotonic()
        stopped = await asyncio.to_thread(stack.engine.run, "stop", "-t", "25", name, timeout=60)
        stop_seconds = time.monotonic() - began
        await asyncio.gather(*workers)
    state = stack.inspect("attendance")["State"]
    assert stopped.returncode == 0
    assert stop_seconds < 25, f"it took {stop_seconds:.1f} s: killed, not drained"
    assert state["ExitCode"] == 0 and not state["OOMKilled"], state
    statuses = Counter(status for _, status in answers)
    assert set(statuses) <= {201, 503}, statuses  # 503: the documented answer while it is gone
    assert statuses[201] >= 30 and statuses[503] > 0, statuses
    user_of = {email: user_id(headers) for email, headers in shoppers}
    answered = {user_of[email] for email, status in answers if status == 201}
    assert answered <= await checked_in(stack, list(user_of.values()))
    # started again, it takes what was refused while it was gone: one day each, in the end
    stack.engine.run("start", name)
    await stack.wait_healthy("attendance")
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30) as client:
        refused = [
            headers for headers in dict(shoppers).values() if user_id(headers) not in answered
        ]
        retried = await asyncio.gather(
            *(client.post("/attendance/check-ins", headers=h) for h in refused)
        )
    assert {r.status_code for r in retried} <= {201, 409}
    assert await checked_in(stack, list(user_of.values())) == set(user_of.values())


def user_id(headers: dict[str, str]) -> str:
    token = headers["Authorization"].removeprefix("Bearer ")
    return str(jwt.decode(token, options={"verify_signature": False})["sub"])


async def checked_in(stack: Any, users: list[str]) -> set[str]:
    """Which of these shoppers have a check-in row (read as PostgreSQL's admin)."""
    connection = await asyncpg.connect(stack.database_dsn)
    try:
        rows = await connection.fetch(
            "SELECT user_id::text AS id FROM attendance.check_in WHERE user_id = ANY($1::uuid[])",
            users,
        )
    finally:
        await connection.close()
    return {row["id"] for row in rows}
