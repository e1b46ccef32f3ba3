"""Admins make accounts `support` (customer service) or admin, never changing their own:
a support account reads admin views and is refused every other admin write."""

import uuid
from typing import Any

import httpx
import jwt


def role_of(pair: dict[str, Any]) -> str:
    claims = jwt.decode(pair["access_token"], options={"verify_signature": False})
    return str(claims["role"])


async def test_an_admin_makes_a_shopper_support_from_their_next_sign_in(
    client: httpx.AsyncClient, api: Any
) -> None:
    admin = api.bearer(await api.admin_token())
    user, before = await api.shopper()
    assert role_of(before) == "shopper"
    changed = await client.put(
        f"/auth/admin/users/{user['id']}/role", json={"role": "support"}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["id"], changed.json()["role"]) == (user["id"], "support")
    refreshed = await client.post("/auth/refresh", json={"refresh_token": before["refresh_token"]})
    assert role_of(refreshed.json()) == "support"
    support = api.bearer((await api.login(user["email"]))["access_token"])
    # reads every admin view of the auth service ...
    assert (await client.get("/auth/admin/users", headers=support)).status_code == 200
    assert (await client.get(f"/auth/admin/users/{user['id']}", headers=support)).is_success
    assert (await client.get("/auth/admin/api-keys", headers=support)).status_code == 200
    # ... and the service itself refuses its writes (not only the gateway)
    for method, path, body in [
        ("PUT", f"/auth/admin/users/{user['id']}/role", {"role": "admin"}),
        ("POST", "/auth/admin/api-keys", {"name": "x", "scopes": ["purchases:read"]}),
        ("POST", "/auth/admin/purchases", {"items": []}),
        ("POST", "/auth/admin/order-webhooks", {"name": "x"}),
    ]:
        refused = await client.request(method, path, json=body, headers=support)
        assert refused.status_code == 403, (method, path, refused.text)
        assert refused.json()["code"] == "forbidden"
    assert role_of(await api.login(user["email"])) == "support"  # it did not make itself admin


async def test_nobody_changes_their_own_role_and_unknown_accounts_are_404(
    client: httpx.AsyncClient, api: Any
) -> None:
    token = await api.admin_token()
    me = jwt.decode(token, options={"verify_signature": False})["sub"]
    own = await client.put(
        f"/auth/admin/users/{me}/role", json={"role": "shopper"}, headers=api.bearer(token)
    )
    assert own.status_code == 409
    assert own.json()["code"] == "cannot_change_own_role"
    mine = await client.get("/auth/me", headers=api.bearer(token))
    assert mine.json()["role"] == "admin"
    missing = await client.put(
        f"/auth/admin/users/{uuid.uuid4()}/role",
        json={"role": "support"},
        headers=api.bearer(token),
    )
    assert (missing.status_code, missing.json()["code"]) == (404, "user_not_found")
    user = await api.register()
    bad = await client.put(
        f"/auth/admin/users/{user['id']}/role", json={"role": "owner"}, headers=api.bearer(token)
    )
    assert bad.status_code == 422


async def test_a_role_change_is_in_the_audit_log_with_the_admins_email(
    client: httpx.AsyncClient, api: Any
) -> None:
    token = await api.admin_token()
    admin = api.bearer(token)
    me = (await client.get("/auth/me", headers=admin)).json()
    user = await api.register()
    await client.put(
        f"/auth/admin/users/{user['id']}/role", json={"role": "support"}, headers=admin
    )
    found = await client.get(
        f"/auth/admin/audit?action=user.role_changed&actor_id={me['id']}&limit=500", headers=admin
    )
    assert found.status_code == 200, found.text
    [entry] = [e for e in found.json()["items"] if e["target"] == f"user:{user['id']}"]
    assert (entry["before"], entry["after"], entry["actor_email"]) == (
        {"role": "shopper"},
        {"role": "support"},
        me["email"],
    )
    # a refused change (one's own role) is not recorded
    await client.put(f"/auth/admin/users/{me['id']}/role", json={"role": "shopper"}, headers=admin)
    again = await client.get(
        f"/auth/admin/audit?action=user.role_changed&actor_id={me['id']}&limit=500", headers=admin
    )
    assert all(e["target"] != f"user:{me['id']}" for e in again.json()["items"])
