"""The event day through the real stack. The support role: an admin makes an account
`support`; it reads every admin view and may change fulfilment, and every other admin
write is refused, by the gateway and by each service on its own (routes from the published
OpenAPI, so a new admin route is covered the day it is added). An item shipped to its
winner, with the address kept out of every log."""

import re
import uuid
from typing import Any

import httpx
from api_gateway.access import support_may
from checkin_testkit.events import eventually
from checkin_testkit.shoppers import is_claimable
from services import SERVICES  # deploy/devstack, on the path (conftest)

NO_SUCH_ID = "00000000-0000-0000-0000-000000000000"


def admin_operations(paths: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", NO_SUCH_ID, path))
        for path, item in paths.items()
        if "/admin/" in path
        for method in item
    ]


async def support_token(client: httpx.AsyncClient, admin: dict[str, str]) -> str:
    email = f"cs-{uuid.uuid4().hex[:8]}@example.com"
    made = await client.post(
        "/auth/register", json={"email": email, "password": "support pw 2026", "name": "CS Lee"}
    )
    assert made.status_code == 201, made.text
    changed = await client.put(
        f"/auth/admin/users/{made.json()['id']}/role", json={"role": "support"}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    login = await client.post("/auth/login", json={"email": email, "password": "support pw 2026"})
    return str(login.json()["access_token"])


async def test_support_reads_every_admin_view_and_makes_no_other_admin_write(
    local_stack: Any,
) -> None:
    async with httpx.AsyncClient(base_url=local_stack.gateway, timeout=10) as client:
        email, password = local_stack.admin
        login = await client.post("/auth/login", json={"email": email, "password": password})
        admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
        support = {"Authorization": f"Bearer {await support_token(client, admin)}"}
        operations = admin_operations((await client.get("/openapi.json")).json()["paths"])
        writes = [(m, p) for m, p in operations if m not in ("GET", "HEAD")]
        assert len(writes) >= 15 and len(operations) - len(writes) >= 15
        services = {s.segment: local_stack.service_url(s.port_offset) for s in SERVICES}
        for method, path in operations:
            allowed = support_may(method, path)
            service = services[path.split("/")[1]]
            for base in (local_stack.gateway, service):  # the service checks on its own too
                answer = await client.request(method, base + path, headers=support, json={})
                refused = answer.status_code == 403 and answer.json()["code"] == "forbidden"
                assert refused is not allowed, (base, method, path, answer.text[:200])


PHONE, STREET = "+82 10-5555-0199", "77 Sejong-daero Unique-Street-7Q"


async def test_an_item_ships_to_its_winner_and_the_address_is_never_logged(
    local_stack: Any,
) -> None:
    async with httpx.AsyncClient(base_url=local_stack.gateway, timeout=10) as client:
        email, password = local_stack.admin
        login = await client.post("/auth/login", json={"email": email, "password": password})
        admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
        support = {"Authorization": f"Bearer {await support_token(client, admin)}"}
        winner = f"winner-{uuid.uuid4().hex[:6]}@example.com"
        made = await client.post(
            "/auth/register", json={"email": winner, "password": "winner pw 2026", "name": "Win"}
        )
        assert made.status_code == 201
        await client.post(
            "/auth/admin/purchases",
            headers=admin,
            json={
                "items": [
                    {
                        "email": winner,
                        "order_id": f"W-{uuid.uuid4().hex[:8]}",
                        "amount": "10000",
                        "currency": "KRW",
                        "purchased_at": "2026-11-20T10:00:00+09:00",
                    }
                ]
            },
        )
        token = await client.post(
            "/auth/login", json={"email": winner, "password": "winner pw 2026"}
        )
        shopper = {"Authorization": f"Bearer {token.json()['access_token']}"}
        tiers = (await client.get("/rewards/admin/tiers", headers=admin)).json()["items"]
        tier = next((t["id"] for t in tiers if t["required_days"] == 1), None)
        if tier is None:
            tier = (
                await client.post(
                    "/rewards/admin/tiers",
                    headers=admin,
                    json={"name": "Mug", "required_days": 1, "kind": "item", "stock": 5},
                )
            ).json()["id"]
        assert (await client.post("/attendance/check-ins", headers=shopper)).status_code == 201
        await eventually(lambda: is_claimable(client, shopper, tier), within=10)
        bad = await client.post(
            f"/rewards/{tier}/claims",
            headers=shopper,
            json={"shipping": {"recipient": "Win", "phone": PHONE, "address1": STREET}},
        )
        assert bad.status_code == 422  # no postal code: refused, nothing claimed
        address = {"recipient": "Win", "phone": PHONE, "address1": STREET, "postal_code": "03154"}
        claim = await client.post(
            f"/rewards/{tier}/claims", headers=shopper, json={"shipping": address}
        )
        assert claim.status_code == 201, claim.text

        async def named() -> bool:
            found = await client.get(f"/rewards/admin/claims?email={winner}", headers=support)
            items = found.json()["items"]
            return bool(items) and items[0]["name"] == "Win"

        await eventually(named, within=10)
        queue = await client.get(
            f"/rewards/admin/fulfilments?status=pending&tier_id={tier}", headers=support
        )
        assert [(f["email"], f["phone"]) for f in queue.json()["items"]] == [(winner, PHONE)]
        ship = {"status": "shipped", "carrier": "CJ Logistics", "tracking_number": "TRK-42"}
        path = f"/rewards/admin/claims/{claim.json()['claim_id']}/fulfilment"
        assert (await client.post(path, json=ship, headers=support)).status_code == 200
        assert (await client.post(path, json=ship, headers=support)).status_code == 409
        mine = (await client.get("/rewards/me/claims", headers=shopper)).json()["items"]
        assert mine[0]["fulfilment"]["tracking_number"] == "TRK-42"
        mail_dir = local_stack.state / "mail" / "new"

        async def shipped_mail() -> bool:
            return any("TRK-42" in p.read_text(errors="replace") for p in mail_dir.iterdir())

        await eventually(shipped_mail, within=20)
    log = local_stack.log.read_text(errors="replace")
    assert PHONE not in log and STREET not in log and "5555-0199" not in log
