"""The shop's signed order webhook: HMAC over "<timestamp>.<raw body>", compared in
constant time; a timestamp more than 300 s away refused; each event_id applied once;
paid, refunded and cancelled; an order for an unknown email kept until that shopper
signs up."""

import json
import time
import uuid
from typing import Any

import httpx
from checkin_shared.webhook_signature import signed_headers


def event(email: str, order_id: str, kind: str = "order.paid", **extra: Any) -> dict[str, Any]:
    return {
        "event_id": extra.get("event_id", f"evt_{uuid.uuid4().hex[:10]}"),
        "type": kind,
        "order": {
            "order_id": order_id,
            "email": email,
            "amount": "39000",
            "currency": "KRW",
            "purchased_at": "2026-11-20T10:00:00+09:00",
        },
    }


class Hook:
    def __init__(self, client: httpx.AsyncClient, made: dict[str, Any]) -> None:
        self.client, self.path, self.secret = client, made["path"], made["secret"]
        self.made = made

    async def post(
        self, body: dict[str, Any], *, at: float | None = None, secret: str | None = None
    ) -> httpx.Response:
        raw = json.dumps(body).encode()
        headers = signed_headers(secret or self.secret, raw, now=time.time() if at is None else at)
        headers["Content-Type"] = "application/json"
        return await self.client.post(self.path, content=raw, headers=headers)


async def make_hook(client: httpx.AsyncClient, api: Any) -> Hook:
    admin = api.bearer(await api.admin_token())
    made = await client.post("/auth/admin/order-webhooks", json={"name": "shop"}, headers=admin)
    assert made.status_code == 201, made.text
    assert made.json()["secret"].startswith("whsec_")
    return Hook(client, made.json())


async def eligible(client: httpx.AsyncClient, api: Any, email: str) -> bool:
    pair = await api.login(email)
    me = await client.get("/auth/me", headers=api.bearer(pair["access_token"]))
    return bool(me.json()["eligible"])


async def test_paid_then_refunded_orders_arrive_once_each(
    client: httpx.AsyncClient, api: Any
) -> None:
    hook = await make_hook(client, api)
    user = await api.register()
    order_id = f"W-{uuid.uuid4().hex[:8]}"
    paid = event(user["email"], order_id)
    first = await hook.post(paid)
    assert (first.status_code, first.json()) == (200, {"status": "applied"})
    assert await eligible(client, api, user["email"])
    again = await hook.post(paid)  # the shop retries the same event
    assert again.json() == {"status": "duplicate"}
    refunded = await hook.post(event(user["email"], order_id, "order.refunded"))
    assert refunded.json() == {"status": "applied"}
    assert not await eligible(client, api, user["email"])
    mine = await client.get(
        "/auth/me/purchases", headers=api.bearer((await api.login(user["email"]))["access_token"])
    )
    assert [(p["order_id"], p["status"]) for p in mine.json()["items"]] == [(order_id, "refunded")]


async def test_an_order_for_an_unknown_email_waits_for_that_shopper(
    client: httpx.AsyncClient, api: Any
) -> None:
    hook = await make_hook(client, api)
    email = api.new_email()
    answer = await hook.post(event(email, f"W-{uuid.uuid4().hex[:8]}"))
    assert answer.json() == {"status": "pending_shopper"}
    await api.register(email)
    assert await eligible(client, api, email)


def wrong_last_digit(signature: str) -> str:
    """The signature with its last hex digit changed (to another digit, always)."""
    return signature[:-1] + ("1" if signature.endswith("0") else "0")


async def test_bad_signatures_and_replays_are_refused_and_change_nothing(
    client: httpx.AsyncClient, api: Any
) -> None:
    hook = await make_hook(client, api)
    other = await make_hook(client, api)
    user = await api.register()
    body = event(user["email"], f"W-{uuid.uuid4().hex[:8]}")
    raw = json.dumps(body).encode()
    now = time.time()
    good = signed_headers(hook.secret, raw, now=now)
    cases: list[dict[str, str]] = [
        {},  # unsigned
        {"X-Checkin-Timestamp": good["X-Checkin-Timestamp"]},  # no signature
        {**good, "X-Checkin-Signature": wrong_last_digit(good["X-Checkin-Signature"])},
        {**good, "X-Checkin-Signature": good["X-Checkin-Signature"].upper()},
        signed_headers(other.secret, raw, now=now),  # another webhook's secret
        signed_headers(hook.secret, raw, now=now - 400),  # a replay of an old post
        signed_headers(hook.secret, raw, now=now + 400),  # from the future (a slow run
        # must not bring a post 301 s ahead back inside the window before it is sent)
        {**good, "X-Checkin-Timestamp": str(int(now) + 1)},  # signed for another time
        {**good, "X-Checkin-Timestamp": "yesterday"},
    ]
    for headers in cases:
        answer = await client.post(
            hook.path, content=raw, headers={**headers, "Content-Type": "application/json"}
        )
        assert (answer.status_code, answer.json()["code"]) == (401, "invalid_signature"), headers
    tampered = raw.replace(b"39000", b"39001")
    answer = await client.post(
        hook.path, content=tampered, headers={**good, "Content-Type": "application/json"}
    )
    assert answer.status_code == 401
    assert not await eligible(client, api, user["email"])  # nothing was applied
    # within the window, the same signed post is good (and then a duplicate)
    assert (await hook.post(body, at=time.time() - 240)).json() == {"status": "applied"}
    assert (await hook.post(body)).json() == {"status": "duplicate"}


async def test_unknown_webhooks_and_malformed_events(client: httpx.AsyncClient, api: Any) -> None:
    hook = await make_hook(client, api)
    unknown = await client.post(
        f"/auth/webhooks/orders/{uuid.uuid4()}", json=event("a@example.com", "W-1")
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, "webhook_not_found")
    for bad in (
        {**event("a@example.com", "W-2"), "type": "order.shipped"},
        {"event_id": "e", "type": "order.paid"},
        {**event("not-an-email", "W-3")},
    ):
        answer = await hook.post(bad)
        assert answer.status_code == 422, bad
    future = event("a@example.com", "W-4")
    future["order"]["purchased_at"] = "2099-01-01T00:00:00+09:00"
    late = await hook.post(future)
    assert (late.status_code, late.json()["code"]) == (422, "purchased_in_future")
    assert (await hook.post(future)).status_code == 422  # refused, so not even a duplicate


async def test_staff_list_the_order_webhooks_without_their_secrets(
    client: httpx.AsyncClient, api: Any
) -> None:
    hook = await make_hook(client, api)
    admin = api.bearer(await api.admin_token())
    listed = await client.get("/auth/admin/order-webhooks", headers=admin)
    assert listed.status_code == 200
    mine = [w for w in listed.json()["items"] if w["id"] == hook.made["id"]]
    assert mine == [
        {
            "id": hook.made["id"],
            "name": "shop",
            "path": hook.made["path"],
            "created_at": hook.made["created_at"],
        }
    ]
    assert "secret" not in listed.text
    _, shopper = await api.shopper()
    refused = await client.get(
        "/auth/admin/order-webhooks", headers=api.bearer(shopper["access_token"])
    )
    assert refused.status_code == 403
