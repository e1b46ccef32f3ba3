"""Outgoing webhooks to the shop: registered by an admin (URL checked, secret shown
once); each claim told as `reward.claimed` (and `points.credited` for points), signed like
the order webhook, with its event_id; a receiver that is down gets it later; nothing is
told twice; deliveries are listed per webhook."""

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from checkin_shared.events.contracts import (
    RewardClaimedV1,
    RewardFulfilmentChangedV1,
    UserRegisteredV1,
)
from checkin_shared.events.envelope import wrap
from checkin_shared.webhook_signature import problem_with
from checkin_testkit.apps import running_server
from checkin_testkit.events import eventually, publish_envelope
from checkin_testkit.tokens import TokenMinter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


class Receiver:
    """The shop's server: refuses with 503 while `down`, else checks the signature."""

    def __init__(self) -> None:
        self.secret = ""
        self.down = 0  # how many more posts to refuse
        self.received: list[dict[str, Any]] = []
        self.refused = 0
        self.bad_signatures = 0

    def app(self) -> Starlette:
        async def hook(request: Request) -> JSONResponse:
            body = await request.body()
            if self.down > 0:
                self.down -= 1
                self.refused += 1
                return JSONResponse({"down": True}, status_code=503)
            why = problem_with(
                self.secret,
                body,
                timestamp=request.headers.get("x-checkin-timestamp"),
                signed=request.headers.get("x-checkin-signature"),
                now=time.time(),
            )
            if why:
                self.bad_signatures += 1
                return JSONResponse({"error": why}, status_code=401)
            event = json.loads(body)
            assert request.headers["x-checkin-event-id"] == event["event_id"]
            self.received.append(event)
            return JSONResponse({"ok": True})

        return Starlette(routes=[Route("/hook", hook, methods=["POST"])])


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    shop = Receiver()
    async with running_server(shop.app()) as url:
        yield shop, f"{url}/hook"


def claim(kind: str = "points") -> Any:
    """A claim by a shopper whose registration is published first (see `publish_claim`)."""
    data = RewardClaimedV1(
        claim_id=uuid.uuid4(),
        claim_number="C-000777",
        user_id=uuid.uuid4(),
        tier_id=uuid.uuid4(),
        tier_name="5,000 points" if kind == "points" else "Earphones",
        kind=kind,  # type: ignore[arg-type]
        points=5000 if kind == "points" else None,
        claimed_at=NOW,
        stock_left=10,
    )
    return wrap(data, occurred_at=NOW, producer="reward")


async def publish_claim(amqp_url: str, exchange: str, event: Any, times: int = 1) -> None:
    """The shopper's registration, then the claim (`times` copies of it): the claim's
    handling waits for the shopper's address, as every real claimer's is known."""
    user = event.data["user_id"] if isinstance(event.data, dict) else event.data.user_id
    registered = UserRegisteredV1(
        user_id=user, email=f"w-{uuid.uuid4().hex[:8]}@example.com", name="W"
    )
    await publish_envelope(amqp_url, exchange, wrap(registered, occurred_at=NOW))
    for _ in range(times):
        await publish_envelope(amqp_url, exchange, event)


async def register(
    client: httpx.AsyncClient, minter: TokenMinter, url: str, events: list[str]
) -> dict[str, Any]:
    made = await client.post(
        "/notifications/admin/webhooks",
        json={"url": url, "events": events},
        headers=minter.headers(role="admin"),
    )
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    return body


async def deliveries(client: httpx.AsyncClient, minter: TokenMinter, hook: str) -> list[Any]:
    answer = await client.get(
        f"/notifications/admin/webhooks/{hook}/deliveries", headers=minter.headers(role="admin")
    )
    assert answer.status_code == 200
    items: list[Any] = answer.json()["items"]
    return items


async def test_a_claim_is_told_signed_once_and_a_receiver_that_is_down_gets_it_later(
    client: httpx.AsyncClient,
    minter: TokenMinter,
    amqp_url: str,
    events_exchange: str,
    receiver: tuple[Receiver, str],
) -> None:
    shop, url = receiver
    hook = await register(client, minter, url, ["reward.claimed", "points.credited"])
    shop.secret = hook["secret"]
    shop.down = 2  # the first two posts are refused
    event = claim("points")
    await publish_claim(amqp_url, events_exchange, event, times=2)  # delivered twice

    async def both_told() -> bool:
        return len(shop.received) >= 2

    await eventually(both_told, within=20)
    await asyncio.sleep(0.5)  # room for a wrong repeat
    assert shop.bad_signatures == 0 and shop.refused == 2
    by_type = {e["type"]: e for e in shop.received}
    assert sorted(by_type) == ["points.credited", "reward.claimed"]
    assert len(shop.received) == 2
    told = by_type["reward.claimed"]
    assert told["event_id"] == str(event.id)
    assert told["data"]["claim_number"] == "C-000777"
    assert by_type["points.credited"]["data"]["amount"] == 5000
    listed = await deliveries(client, minter, hook["id"])
    assert {(d["type"], d["status"], d["response_status"]) for d in listed} == {
        ("reward.claimed", "sent", 200),
        ("points.credited", "sent", 200),
    }
    assert sum(d["attempts"] for d in listed) == 4  # two refusals, then each once
    assert "secret" not in str(
        (
            await client.get("/notifications/admin/webhooks", headers=minter.headers(role="admin"))
        ).json()
    )
    # webhook deliveries are not in the notification log's listing
    log = await client.get(
        "/notifications/admin/notifications?limit=500", headers=minter.headers(role="admin")
    )
    assert all(n["channel"] != "shop_webhook" for n in log.json()["items"])


async def test_only_the_chosen_types_are_told_and_a_deleted_webhook_hears_nothing(
    client: httpx.AsyncClient,
    minter: TokenMinter,
    amqp_url: str,
    events_exchange: str,
    receiver: tuple[Receiver, str],
) -> None:
    shop, url = receiver
    hook = await register(client, minter, url, ["points.credited"])
    shop.secret = hook["secret"]
    await publish_claim(amqp_url, events_exchange, claim("item"))  # no points: nothing
    await publish_claim(amqp_url, events_exchange, claim("points"))

    async def told() -> bool:
        return len(shop.received) == 1

    await eventually(told)
    assert shop.received[0]["type"] == "points.credited"
    admin = minter.headers(role="admin")
    assert (
        await client.delete(f"/notifications/admin/webhooks/{hook['id']}", headers=admin)
    ).status_code == 204
    await publish_envelope(amqp_url, events_exchange, claim("points"))
    await asyncio.sleep(1)
    assert len(shop.received) == 1
    gone = await client.get(f"/notifications/admin/webhooks/{hook['id']}/deliveries", headers=admin)
    assert (gone.status_code, gone.json()["code"]) == (404, "webhook_not_found")


async def test_urls_and_event_types_are_checked(
    client: httpx.AsyncClient, minter: TokenMinter
) -> None:
    admin = minter.headers(role="admin")
    for body, code in (
        ({"url": "http://10.0.0.8/hook", "events": ["reward.claimed"]}, "url_not_allowed"),
        ({"url": "https://169.254.169.254/x", "events": ["reward.claimed"]}, "url_not_allowed"),
        ({"url": "ftp://shop.example/x", "events": ["reward.claimed"]}, "url_not_allowed"),
        ({"url": "https://shop.example/x", "events": ["everything"]}, "validation_error"),
        ({"url": "https://shop.example/x", "events": []}, "validation_error"),
    ):
        answer = await client.post("/notifications/admin/webhooks", json=body, headers=admin)
        assert (answer.status_code, answer.json()["code"]) == (422, code), body
    shopper = await client.post(
        "/notifications/admin/webhooks",
        json={"url": "https://shop.example/x", "events": ["reward.claimed"]},
        headers=minter.headers(),
    )
    assert shopper.status_code == 403


async def test_points_taken_back_are_told_as_debited(
    client: httpx.AsyncClient,
    minter: TokenMinter,
    amqp_url: str,
    events_exchange: str,
    receiver: tuple[Receiver, str],
) -> None:
    from checkin_shared.events.contracts import RewardPointsChangedV1

    shop, url = receiver
    hook = await register(client, minter, url, ["points.debited", "points.credited"])
    shop.secret = hook["secret"]
    user = uuid.uuid4()
    for amount in (-300, 700):
        changed = RewardPointsChangedV1(
            entry_id=uuid.uuid4(), user_id=user, amount=amount, reason="adjustment"
        )
        await publish_envelope(amqp_url, events_exchange, wrap(changed, occurred_at=NOW))

    async def both() -> bool:
        return len(shop.received) == 2

    await eventually(both)
    told = {e["type"]: e["data"]["amount"] for e in shop.received}
    assert told == {"points.debited": 300, "points.credited": 700}


async def test_a_shipment_is_told_as_fulfilment_shipped_without_the_address(
    client: httpx.AsyncClient,
    minter: TokenMinter,
    amqp_url: str,
    events_exchange: str,
    receiver: tuple[Receiver, str],
) -> None:
    shop, url = receiver
    hook = await register(client, minter, url, ["fulfilment.shipped"])
    shop.secret = hook["secret"]
    user = uuid.uuid4()
    known = UserRegisteredV1(user_id=user, email=f"{user.hex[:8]}@example.com", name="Kim")
    await publish_envelope(
        amqp_url, events_exchange, wrap(known, occurred_at=datetime.now(UTC), producer="auth")
    )
    shipped = RewardFulfilmentChangedV1(
        claim_id=uuid.uuid4(),
        claim_number="C-000901",
        user_id=user,
        tier_id=uuid.uuid4(),
        tier_name="Wireless earphones",
        kind="item",
        status="shipped",
        carrier="CJ Logistics",
        tracking_number="777-888",
    )
    await publish_envelope(
        amqp_url, events_exchange, wrap(shipped, occurred_at=datetime.now(UTC), producer="reward")
    )

    async def told() -> bool:
        return len(shop.received) >= 1

    await eventually(told, within=10)
    [event] = shop.received
    assert event["type"] == "fulfilment.shipped"
    assert (event["data"]["claim_number"], event["data"]["tracking_number"]) == (
        "C-000901",
        "777-888",
    )
    assert "reason" not in event["data"] and "address1" not in event["data"]
