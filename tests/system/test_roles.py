"""The support role through the real stack: an admin makes an account `support`; it reads
every admin view and may change fulfilment, and every other admin write is refused, by
the gateway and by each service on its own. Routes come from the published OpenAPI, so a
new admin route is covered the day it is added."""

import re
import uuid
from typing import Any

import httpx
from api_gateway.access import support_may
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
