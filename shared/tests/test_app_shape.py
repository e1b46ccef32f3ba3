"""Every service app answers errors as problem+json with a request id, and has health."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from checkin_shared.app import create_service_app
from checkin_shared.request_id import accept_or_new
from fastapi import FastAPI


@asynccontextmanager
async def no_lifespan(_: FastAPI) -> AsyncIterator[None]:
    yield


def build() -> FastAPI:
    app = create_service_app(
        service="probe", segment="probe", title="probe", description="", lifespan=no_lifespan
    )

    @app.get("/probe/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    @app.get("/probe/deadlock")
    async def deadlock() -> None:
        import asyncpg

        raise asyncpg.exceptions.DeadlockDetectedError("deadlock detected")

    @app.get("/probe/number/{n}")
    async def number(n: int) -> dict[str, int]:
        return {"n": n}

    return app


async def test_an_unhandled_error_is_a_500_problem_with_the_request_id() -> None:
    transport = httpx.ASGITransport(app=build())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/probe/boom", headers={"X-Request-ID": "r-1"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "r-1"
    assert response.json()["code"] == "internal_error"
    assert "a bug" not in response.text  # internals are logged, not shown


async def test_a_deadlock_is_a_503_to_retry_not_a_500() -> None:
    transport = httpx.ASGITransport(app=build())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/probe/deadlock")
    assert (response.status_code, response.json()["code"]) == (503, "database_unavailable")
    assert response.headers["retry-after"]


async def test_bad_parameters_and_unknown_routes_are_problem_json() -> None:
    transport = httpx.ASGITransport(app=build())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        bad = await client.get("/probe/number/abc")
        missing = await client.get("/probe/nothing")
        wrong_method = await client.delete("/probe/number/1")
        health = await client.get("/healthz")
        ready = await client.get("/readyz")
        metrics = await client.get("/metrics")
    assert (bad.status_code, bad.json()["code"]) == (422, "validation_error")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, "method_not_allowed")
    assert health.json() == {"status": "ok"}
    assert ready.status_code == 200
    assert 'route="/probe/number/{n}"' in metrics.text


async def test_head_on_a_get_route_is_its_headers_without_the_body() -> None:
    transport = httpx.ASGITransport(app=build())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        got = await client.get("/probe/number/7")
        head = await client.head("/probe/number/7", headers={"X-Request-ID": "h-1"})
        missing = await client.head("/probe/nothing")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"] != "0"
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["x-request-id"] == "h-1"
    assert missing.status_code == 404 and missing.content == b""


def test_request_ids_are_kept_only_when_safe() -> None:
    assert accept_or_new("abc-123_x.y:z") == "abc-123_x.y:z"
    for unsafe in ("", "has space", "x" * 129, "new\nline"):
        assert accept_or_new(unsafe) != unsafe


def test_the_openapi_document_describes_every_error_as_problem_json() -> None:
    from checkin_shared.security import AdminUser, CurrentUser

    app = build()

    @app.get("/probe/admin/things", responses={409: {"description": "thing_taken"}})
    async def things(_: AdminUser) -> dict[str, str]:
        return {}

    @app.get("/probe/me")
    async def me(_: CurrentUser) -> dict[str, str]:
        return {}

    document = app.openapi()
    assert document["components"]["schemas"]["Problem"]["required"] == [
        "type",
        "title",
        "status",
        "detail",
        "code",
    ]
    paths = document["paths"]
    admin = paths["/probe/admin/things"]["get"]["responses"]
    assert admin["409"]["description"] == "thing_taken"
    assert {"401", "403", "409", "503"} <= set(admin)
    assert "403" not in paths["/probe/me"]["get"]["responses"]  # not an admin route
    validation = paths["/probe/number/{n}"]["get"]["responses"]["422"]
    assert list(validation["content"]) == ["application/problem+json"]  # not FastAPI's shape
    assert validation["description"] == "validation_error or invalid_value"
    for item in paths.values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if status[0] in "45":
                    [(media, body)] = response["content"].items()
                    assert media == "application/problem+json"
                    problem, codes = body["schema"]["allOf"]
                    assert problem == {"$ref": "#/components/schemas/Problem"}
                    listed = codes["properties"]["code"]["enum"]
                    assert listed == sorted(response["description"].split(" or "))
                    assert body["example"]["code"] in listed
                    assert body["example"]["status"] == int(status)
                assert "X-Request-ID" in response["headers"]
    assert admin["409"]["content"]["application/problem+json"]["example"]["code"] == "thing_taken"
    assert "Retry-After" in admin["503"]["headers"]
