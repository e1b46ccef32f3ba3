"""Dead and slow services, body size, and rate limits."""

import uuid
from typing import Any

import httpx
from api_gateway.main import create_app
from checkin_testkit.apps import lifespan_client


async def test_a_stopped_service_gives_503(
    gateway: httpx.AsyncClient, shopper_token: str, auth_header: Any
) -> None:
    response = await gateway.get("/dead/anything", headers=auth_header(shopper_token))
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "service_unavailable"


async def test_a_slow_service_gives_504(
    gateway: httpx.AsyncClient, shopper_token: str, auth_header: Any
) -> None:
    response = await gateway.get("/slow/thing", headers=auth_header(shopper_token))
    assert response.status_code == 504
    assert response.json()["code"] == "upstream_timeout"


async def test_bodies_over_the_limit_get_413(
    gateway: httpx.AsyncClient, shopper_token: str, auth_header: Any
) -> None:
    headers = auth_header(shopper_token)
    declared = await gateway.post("/echo/upload", content=b"x" * 5000, headers=headers)
    assert declared.status_code == 413
    assert declared.json()["code"] == "payload_too_large"

    async def chunked():  # type: ignore[no-untyped-def]
        for _ in range(10):
            yield b"y" * 1000

    streamed = await gateway.post("/echo/upload", content=chunked(), headers=headers)
    assert streamed.status_code == 413
    fits = await gateway.post("/echo/upload", content=b"x" * 4000, headers=headers)
    assert fits.json()["body_length"] == 4000


async def test_requests_over_the_per_ip_rate_get_429_with_retry_after(
    gateway_settings_for: Any,
) -> None:
    settings = gateway_settings_for(rate_per_ip=0.1, burst_per_ip=3)
    async with lifespan_client(create_app(settings)) as client:
        statuses = [(await client.get("/auth/.well-known/jwks.json")).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = await client.get("/auth/.well-known/jwks.json")
        assert limited.json()["code"] == "rate_limited"
        assert int(limited.headers["retry-after"]) >= 1
    async with lifespan_client(create_app(settings), client_ip="198.51.100.7") as other:
        assert (await other.get("/auth/.well-known/jwks.json")).status_code == 200


async def test_the_shops_servers_are_rate_limited_like_everyone(
    gateway_settings_for: Any,
) -> None:
    """No token to check on /auth/integrations/ and /auth/webhooks/, but the per-IP rate
    still applies (a leaked webhook path cannot flood the auth service)."""
    settings = gateway_settings_for(rate_per_ip=0.1, burst_per_ip=3)
    async with lifespan_client(create_app(settings)) as client:
        statuses = [
            (await client.post("/auth/integrations/purchases", json={"items": []})).status_code
            for _ in range(4)
        ]
        assert statuses[:3] != [429] * 3 and statuses[3] == 429
        hooked = await client.post(f"/auth/webhooks/orders/{uuid.uuid4()}", json={})
        assert (hooked.status_code, hooked.json()["code"]) == (429, "rate_limited")


async def test_requests_over_the_per_user_rate_get_429(
    gateway_settings_for: Any, gw_signing_pem: str, auth_header: Any
) -> None:
    from checkin_testkit.auth import signed_token

    settings = gateway_settings_for(rate_per_user=0.1, burst_per_user=2)
    token, other = signed_token(gw_signing_pem), signed_token(gw_signing_pem)
    async with lifespan_client(create_app(settings)) as client:
        statuses = [
            (await client.get("/echo/x", headers=auth_header(token))).status_code for _ in range(3)
        ]
        assert statuses == [200, 200, 429]
        assert (await client.get("/echo/x", headers=auth_header(other))).status_code == 200
