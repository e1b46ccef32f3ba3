"""API keys for the shop's servers: shown once, kept hashed, scoped, revoked at once,
their last use recorded; the integration route takes one instead of a token."""

import hashlib
import uuid
from typing import Any

import httpx
from sqlalchemy import text


def item(email: str, order_id: str, status: str = "paid") -> dict[str, Any]:
    return {
        "email": email,
        "order_id": order_id,
        "amount": "1000",
        "currency": "KRW",
        "purchased_at": "2026-11-20T10:00:00+09:00",
        "status": status,
    }


async def make_key(client: httpx.AsyncClient, api: Any, *scopes: str) -> dict[str, Any]:
    admin = api.bearer(await api.admin_token())
    made = await client.post(
        "/auth/admin/api-keys", json={"name": "orders", "scopes": list(scopes)}, headers=admin
    )
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    return body


async def test_a_key_records_orders_and_its_use(
    client: httpx.AsyncClient, api: Any, auth_database_url: str
) -> None:
    key = await make_key(client, api, "purchases:write")
    assert key["key"].startswith("ck_") and len(key["key"]) > 40
    user = await api.register()
    order_id = f"K-{uuid.uuid4().hex[:8]}"
    sent = await client.post(
        "/auth/integrations/purchases",
        json={"items": [item(user["email"], order_id)]},
        headers={"X-Api-Key": key["key"]},
    )
    assert sent.status_code == 200 and sent.json()["imported"] == 1
    me = await client.get(
        "/auth/me", headers=api.bearer((await api.login(user["email"]))["access_token"])
    )
    assert me.json()["eligible"] is True
    refund = await client.post(
        "/auth/integrations/purchases",
        json={"items": [item(user["email"], order_id, "refunded")]},
        headers={"X-Api-Key": key["key"]},
    )
    assert refund.json()["imported"] == 1

    admin = api.bearer(await api.admin_token())
    [listed] = [
        k
        for k in (await client.get("/auth/admin/api-keys", headers=admin)).json()["items"]
        if k["id"] == key["id"]
    ]
    assert listed["last_used_at"] is not None and "key" not in listed
    from checkin_shared.db import make_engine

    engine = make_engine(auth_database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            stored = await conn.scalar(
                text("SELECT key_hash FROM auth.api_key WHERE id = :i"), {"i": key["id"]}
            )
            found = await conn.scalar(
                text("SELECT count(*) FROM auth.api_key WHERE key_hash = :k"), {"k": key["key"]}
            )
    finally:
        await engine.dispose()
    assert stored == hashlib.sha256(key["key"].encode()).hexdigest() and found == 0


async def test_missing_unknown_revoked_and_unscoped_keys_are_refused(
    client: httpx.AsyncClient, api: Any
) -> None:
    writer = await make_key(client, api, "purchases:write")
    reader = await make_key(client, api, "purchases:read")
    admin = api.bearer(await api.admin_token())
    email = api.new_email()
    body = {"items": [item(email, f"K-{uuid.uuid4().hex[:8]}")]}

    async def send(headers: dict[str, str]) -> httpx.Response:
        return await client.post("/auth/integrations/purchases", json=body, headers=headers)

    for headers in (
        {},
        {"X-Api-Key": ""},
        {"X-Api-Key": "ck_" + "x" * 43},
        {"X-Api-Key": writer["key"][:-1]},
        {"X-Api-Key": "not-a-key"},
        api.bearer(await api.admin_token()),  # an admin's token is not a key
    ):
        answer = await send(headers)
        assert (answer.status_code, answer.json()["code"]) == (401, "invalid_api_key"), headers
    scoped = await send({"X-Api-Key": reader["key"]})
    assert (scoped.status_code, scoped.json()["code"]) == (403, "insufficient_scope")

    revoked = await client.delete(f"/auth/admin/api-keys/{writer['id']}", headers=admin)
    assert revoked.status_code == 204
    after = await send({"X-Api-Key": writer["key"]})
    assert (after.status_code, after.json()["code"]) == (401, "invalid_api_key")
    again = await client.delete(f"/auth/admin/api-keys/{writer['id']}", headers=admin)
    assert (again.status_code, again.json()["code"]) == (404, "api_key_not_found")
    listed = (await client.get("/auth/admin/api-keys", headers=admin)).json()["items"]
    assert writer["id"] not in {k["id"] for k in listed}
    # nothing of the refused calls was recorded: the email has no purchases
    user = await api.register(email)
    me = await client.get(
        "/auth/me", headers=api.bearer((await api.login(user["email"]))["access_token"])
    )
    assert me.json()["eligible"] is False


async def test_keys_are_made_and_revoked_by_admins_only(
    client: httpx.AsyncClient, api: Any
) -> None:
    _, pair = await api.shopper()
    shopper = api.bearer(pair["access_token"])
    made = await client.post(
        "/auth/admin/api-keys", json={"name": "x", "scopes": ["purchases:write"]}, headers=shopper
    )
    assert made.status_code == 403
    admin = api.bearer(await api.admin_token())
    for bad in (
        {"name": "x", "scopes": []},
        {"name": "x", "scopes": ["everything"]},
        {"name": "", "scopes": ["purchases:write"]},
        {"name": "x"},
    ):
        answer = await client.post("/auth/admin/api-keys", json=bad, headers=admin)
        assert answer.status_code == 422, bad
