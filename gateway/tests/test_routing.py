"""Routing through the gateway, header hygiene, request ids, docs and readiness."""

from typing import Any

import httpx
from api_gateway.main import create_app
from checkin_testkit.apps import lifespan_client


async def test_a_shopper_registers_logs_in_and_reads_me_through_the_gateway(
    gateway: httpx.AsyncClient, auth_header: Any
) -> None:
    email = "via-gateway@example.com"
    registered = await gateway.post(
        "/auth/register", json={"email": email, "password": "gateway pass 1", "name": "Lee"}
    )
    assert registered.status_code == 201
    pair = await gateway.post("/auth/login", json={"email": email, "password": "gateway pass 1"})
    me = await gateway.get("/auth/me", headers=auth_header(pair.json()["access_token"]))
    assert me.status_code == 200
    assert me.json()["id"] == registered.json()["id"]
    jwks = await gateway.get("/auth/.well-known/jwks.json")
    assert jwks.status_code == 200 and jwks.json()["keys"]


async def test_head_through_the_gateway_answers_the_get_headers_without_a_body(
    gateway: httpx.AsyncClient, shopper_token: str, auth_header: Any
) -> None:
    got = await gateway.get("/echo/things", headers=auth_header(shopper_token))
    head = await gateway.head("/echo/things", headers=auth_header(shopper_token))
    assert got.status_code == 200 and got.content
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-type"] == got.headers["content-type"]
    unauthenticated = await gateway.head("/echo/things")
    assert (unauthenticated.status_code, unauthenticated.content) == (401, b"")
    docs = await gateway.head("/docs")
    assert (docs.status_code, docs.content) == (200, b"")


async def test_the_path_query_and_body_reach_the_service_unchanged(
    gateway: httpx.AsyncClient, shopper_token: str, auth_header: Any
) -> None:
    response = await gateway.post(
        "/echo/a/b?x=1&y=%20", content=b'{"k": "v"}', headers=auth_header(shopper_token)
    )
    seen = response.json()
    assert (seen["method"], seen["path"], seen["query"]) == ("POST", "/echo/a/b", "x=1&y=%20")
    assert seen["body_length"] == len(b'{"k": "v"}')
    assert seen["headers"]["authorization"] == f"Bearer {shopper_token}"


async def test_an_encoded_path_reaches_the_service_as_the_client_sent_it(
    gateway: httpx.AsyncClient, shopper_token: str, auth_header: Any
) -> None:
    """The request-target goes on byte for byte: the service decodes it as the gateway
    did (a `%2F` is still one segment's slash, a non-ASCII query stays encoded)."""
    response = await gateway.get(
        "/echo/a%20b%2Fc/%C3%A4?q=%C3%A4&r", headers=auth_header(shopper_token)
    )
    seen = response.json()
    assert (seen["path"], seen["query"]) == ("/echo/a b/c/ä", "q=%C3%A4&r")


async def test_a_post_without_a_body_reaches_the_service_without_one(
    gateway: httpx.AsyncClient, shopper_token: str, auth_header: Any
) -> None:
    """`curl -X POST` sends neither Content-Length nor Transfer-Encoding: no body, and the
    service must not be handed a chunked empty one (its JSON routes would answer 415)."""
    request = gateway.build_request("POST", "/echo/claims", headers=auth_header(shopper_token))
    request.headers.pop("content-length", None)
    seen = (await gateway.send(request)).json()
    assert "transfer-encoding" not in seen["headers"]
    assert seen["headers"].get("content-length", "0") == "0" and seen["body_length"] == 0


async def test_identity_and_hop_by_hop_headers_do_not_cross(
    gateway: httpx.AsyncClient, shopper_token: str, auth_header: Any
) -> None:
    sneaky = {
        **auth_header(shopper_token),
        "X-User-Id": "00000000-0000-0000-0000-000000000001",
        "X-User-Role": "admin",
        "X-Forwarded-For": "10.9.9.9",
        "Connection": "keep-alive, X-Drop-Me",
        "X-Drop-Me": "1",
        "Proxy-Authorization": "Basic abc",
        "Idempotency-Key": "kept-123",
    }
    response = await gateway.get("/echo/whoami", headers=sneaky)
    headers = response.json()["headers"]
    for gone in ("x-user-id", "x-user-role", "x-drop-me", "proxy-authorization"):
        assert gone not in headers
    assert headers["x-forwarded-for"] == "127.0.0.1"  # the real peer, not the client's claim
    assert headers["idempotency-key"] == "kept-123"
    assert "x-secret-hop" not in response.headers  # named in the upstream's Connection header


async def test_a_client_sent_user_id_does_not_change_who_me_is(
    gateway: httpx.AsyncClient, auth_header: Any
) -> None:
    email = "not-admin@example.com"
    await gateway.post(
        "/auth/register", json={"email": email, "password": "pass word 12", "name": "N"}
    )
    pair = await gateway.post("/auth/login", json={"email": email, "password": "pass word 12"})
    me = await gateway.get(
        "/auth/me",
        headers={**auth_header(pair.json()["access_token"]), "X-User-Id": "someone-else"},
    )
    assert me.json()["email"] == email


async def test_request_id_is_kept_end_to_end(
    gateway: httpx.AsyncClient, shopper_token: str, auth_header: Any
) -> None:
    response = await gateway.get(
        "/echo/trace", headers={**auth_header(shopper_token), "X-Request-ID": "req-abc-1"}
    )
    assert response.headers["x-request-id"] == "req-abc-1"
    assert response.json()["headers"]["x-request-id"] == "req-abc-1"
    generated = await gateway.get("/echo/trace", headers=auth_header(shopper_token))
    assert generated.headers["x-request-id"] == generated.json()["headers"]["x-request-id"]
    refused = await gateway.get("/echo/trace")
    assert refused.status_code == 401 and refused.headers["x-request-id"]


async def test_large_bodies_stream_back(
    gateway: httpx.AsyncClient, shopper_token: str, auth_header: Any
) -> None:
    response = await gateway.get("/echo/big", headers=auth_header(shopper_token))
    assert response.status_code == 200
    assert len(response.content) == 64 * 65536


async def test_an_unknown_segment_is_404(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/nowhere/at/all")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_docs_serve_one_merged_openapi_document(gateway: httpx.AsyncClient) -> None:
    document = (await gateway.get("/openapi.json")).json()
    assert "/auth/register" in document["paths"] and "/echo/things" in document["paths"]
    schemas = document["components"]["schemas"]
    assert "UserCreate" in schemas
    assert {"echo_Problem", "slow_Problem"} & set(schemas)  # clashing names are renamed
    assert "Unreachable now: dead" in document["info"]["description"]
    page = await gateway.get("/docs")
    assert page.status_code == 200 and "/openapi.json" in page.text
    per_service = await gateway.get("/auth/openapi.json")
    assert per_service.status_code == 200


async def test_readyz_reports_each_service(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/readyz")
    checks = response.json()["checks"]
    assert response.status_code == 503  # "dead" is down
    assert checks["auth"] == "ok" and checks["echo"] == "ok" and checks["jwks"] == "ok"
    assert checks["dead"].startswith("down")
    assert (await gateway.get("/healthz")).status_code == 200


async def test_metrics_are_served_on_the_internal_port_only(
    gateway_settings_for: Any, shopper_token: str
) -> None:
    settings = gateway_settings_for()
    async with lifespan_client(create_app(settings)) as client:
        await client.get("/echo/x", headers={"Authorization": f"Bearer {shopper_token}"})
        public = await client.get("/metrics")
        assert public.status_code == 404
        assert "http_requests_total" not in public.text
        internal = f"http://127.0.0.1:{settings.metrics_port}"
        async with httpx.AsyncClient() as scraper:
            metrics = await scraper.get(f"{internal}/metrics")
            other = await scraper.get(f"{internal}/anything")
        assert metrics.status_code == 200
        assert 'http_requests_total{method="GET",route="/echo/*"' in metrics.text.replace(
            'service="gateway",', ""
        )
        assert other.status_code == 404


async def test_cors_answers_a_preflight_only_for_the_configured_origins(
    gateway_settings_for: Any, shopper_token: str
) -> None:
    """The shop's own site may call the API from a browser; other sites may not. The
    preflight is answered without a token (browsers never send one with it)."""
    settings = gateway_settings_for(cors_origins=["https://shop.example"])
    async with lifespan_client(create_app(settings)) as client:
        preflight = {
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        }
        allowed = await client.options(
            "/auth/me", headers={"Origin": "https://shop.example", **preflight}
        )
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://shop.example"
        assert "POST" in allowed.headers["access-control-allow-methods"]
        other = await client.options(
            "/auth/me", headers={"Origin": "https://evil.example", **preflight}
        )
        assert "access-control-allow-origin" not in other.headers
        answer = await client.get(
            "/auth/me",
            headers={
                "Origin": "https://shop.example",
                "Authorization": f"Bearer {shopper_token}",
            },
        )
        assert answer.headers["access-control-allow-origin"] == "https://shop.example"
        assert "X-Request-ID" in answer.headers["access-control-expose-headers"]


async def test_no_origin_is_allowed_by_default(gateway: httpx.AsyncClient) -> None:
    answer = await gateway.options(
        "/auth/me",
        headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in answer.headers


async def test_a_forwarded_for_header_counts_only_from_a_trusted_proxy(
    gateway_settings_for: Any, gateway: httpx.AsyncClient, shopper_token: str
) -> None:
    """By default a client's X-Forwarded-For is ignored (the service is told the peer);
    behind a trusted proxy the nearest untrusted hop is the client, for the rate limits
    and for what the service is told."""
    token = {"Authorization": f"Bearer {shopper_token}"}
    spoofed = {"X-Forwarded-For": "1.2.3.4", **token}
    seen = (await gateway.get("/echo/who", headers=spoofed)).json()
    assert seen["headers"]["x-forwarded-for"] == "127.0.0.1"

    settings = gateway_settings_for(trusted_proxies=["127.0.0.0/8"], rate_per_ip=1, burst_per_ip=1)
    async with lifespan_client(create_app(settings)) as client:
        first = await client.get(
            "/echo/who", headers={"X-Forwarded-For": "9.9.9.9, 1.2.3.4", **token}
        )
        assert first.json()["headers"]["x-forwarded-for"] == "1.2.3.4"
        # one request per second per client: another client behind the proxy still passes
        other = await client.get("/echo/who", headers={"X-Forwarded-For": "5.6.7.8", **token})
        assert other.status_code == 200
        again = await client.get("/echo/who", headers={"X-Forwarded-For": "1.2.3.4", **token})
        assert again.status_code == 429


async def test_the_shops_servers_reach_the_auth_service_without_a_token(
    gateway: httpx.AsyncClient,
) -> None:
    """`/auth/integrations/` and `/auth/webhooks/` carry their own credentials, checked by
    the auth service: the gateway lets them through (and still rate-limits them)."""
    body = {
        "items": [
            {
                "email": "a@example.com",
                "order_id": "G-1",
                "amount": "1",
                "currency": "KRW",
                "purchased_at": "2026-11-01T00:00:00+09:00",
            }
        ]
    }
    keyless = await gateway.post("/auth/integrations/purchases", json=body)
    assert (keyless.status_code, keyless.json()["code"]) == (401, "invalid_api_key")
    wrong = await gateway.post(
        "/auth/integrations/purchases", json=body, headers={"X-Api-Key": "ck_nope"}
    )
    assert (wrong.status_code, wrong.json()["code"]) == (401, "invalid_api_key")
    # everything else under /auth still needs a token at the gateway
    admin_route = await gateway.post("/auth/admin/purchases", json=body)
    assert (admin_route.status_code, admin_route.json()["code"]) == (401, "invalid_token")


async def test_a_service_dying_between_headers_and_body_is_a_clean_503(
    gateway: httpx.AsyncClient, shopper_token: str, auth_header: Any
) -> None:
    answer = await gateway.post("/echo/cut-short", headers=auth_header(shopper_token))
    assert (answer.status_code, answer.json()["code"]) == (503, "service_unavailable")
    assert answer.headers["retry-after"]
