"""The direct path of proxied requests: what it skips, and what it must still do."""

import gc
from typing import Any

import httpx
from api_gateway.dispatch import first_segment, own_segments
from api_gateway.main import create_app
from checkin_testkit.apps import CountingRouter, lifespan_client, tracked_by_the_collector
from starlette.types import Receive, Scope, Send


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_first_segment() -> None:
    assert first_segment("/rewards/abc/claims") == "rewards"
    assert first_segment("/rewards") == "rewards"
    assert first_segment("/") == ""
    assert first_segment("") == ""


def test_the_gateway_claims_its_own_routes_first_segments_and_not_the_catch_all(
    gateway_settings_for: Any,
) -> None:
    app = create_app(gateway_settings_for())
    assert own_segments(app.routes) == {
        "healthz",
        "readyz",
        "openapi.json",
        "docs",
        "redoc",
        "app",
        "admin",
        "assets",
    }
    assert app.proxied == {"auth", "echo", "slow", "dead"}


async def test_a_proxied_request_skips_starlettes_router_and_others_go_through_it(
    gateway_settings_for: Any, shopper_token: str
) -> None:
    app = create_app(gateway_settings_for())
    counting = CountingRouter(app.router)
    app.router = counting  # type: ignore[assignment]
    async with lifespan_client(app) as client:
        proxied = await client.get("/echo/anything", headers=bearer(shopper_token))
        own = await client.get("/healthz")
        unknown = await client.get("/nowhere/at-all")
    assert proxied.status_code == 200 and proxied.json()["path"] == "/echo/anything"
    assert own.status_code == 200
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    assert counting.paths == ["GET /healthz", "GET /nowhere/at-all"]


async def test_a_service_named_like_a_gateway_route_does_not_take_it(
    gateway_settings_for: Any, upstream_url: str, shopper_token: str
) -> None:
    """As in the route table, the gateway's own `/docs` wins over a service called `docs`."""
    settings = gateway_settings_for(routes={"docs": upstream_url, "echo": upstream_url})
    async with lifespan_client(create_app(settings)) as client:
        docs = await client.get("/docs")
        echoed = await client.get("/echo/x", headers=bearer(shopper_token))
    assert docs.status_code == 200 and "text/html" in docs.headers["content-type"]
    assert echoed.json()["path"] == "/echo/x"


async def test_the_direct_path_keeps_the_request_id_cors_and_head(
    gateway_settings_for: Any, shopper_token: str
) -> None:
    settings = gateway_settings_for(cors_origins=["https://shop.example"])
    async with lifespan_client(create_app(settings)) as client:
        answer = await client.get(
            "/echo/x",
            headers={
                "Origin": "https://shop.example",
                "X-Request-ID": "abc-123",
                **bearer(shopper_token),
            },
        )
        head = await client.head("/echo/x", headers=bearer(shopper_token))
    assert answer.headers["x-request-id"] == "abc-123"
    assert answer.json()["headers"]["x-request-id"] == "abc-123"  # and told upstream
    assert answer.headers["access-control-allow-origin"] == "https://shop.example"
    assert answer.headers["vary"] == "Origin"
    assert head.status_code == 200 and head.content == b""


class Broken:
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("a bug in the proxy")


async def test_an_unexpected_error_on_the_direct_path_is_a_problem_500(
    gateway_settings_for: Any,
) -> None:
    app = create_app(gateway_settings_for())
    async with lifespan_client(app) as client:
        app.state.proxy = Broken()
        answer = await client.get("/echo/x", headers={"X-Request-ID": "req-500"})
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "internal_error"
    assert answer.headers["x-request-id"] == "req-500"


async def test_the_gateways_own_pages_are_still_routed_by_starlette(
    gateway: httpx.AsyncClient,
) -> None:
    page = await gateway.get("/app", follow_redirects=False)
    assert page.status_code == 308 and page.headers["location"] == "/app/"
    assert (await gateway.get("/app/")).headers["content-type"].startswith("text/html")


async def test_the_gateways_heap_is_frozen_while_it_runs(gateway_settings_for: Any) -> None:
    gc.unfreeze()
    app = create_app(gateway_settings_for())
    async with lifespan_client(app):
        assert gc.get_freeze_count() > 0
        assert not tracked_by_the_collector(app.state.proxy)  # built in startup
    assert gc.get_freeze_count() == 0
    assert tracked_by_the_collector(app.state.proxy)
