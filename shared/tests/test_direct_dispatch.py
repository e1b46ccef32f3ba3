"""The direct way to a direct route: which requests take it, and what they still get.
(That its answers are byte for byte FastAPI's is `test_direct_route.py`, whose app takes
this way too.)"""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from checkin_shared.app import create_service_app
from checkin_shared.direct_dispatch import ServiceApp, has_body
from checkin_shared.direct_route import DirectRoute, json_answer
from checkin_shared.errors import ProblemError
from checkin_shared.keysets import StaticKeySet
from checkin_shared.security import CurrentUser
from checkin_shared.tokens import TokenVerifier
from checkin_testkit.apps import CountingRouter
from checkin_testkit.metrics import metric_value
from checkin_testkit.tokens import TokenMinter
from fastapi import APIRouter, FastAPI, Request, Response
from pydantic import BaseModel


class Seen(BaseModel):
    tier: uuid.UUID
    note: str | None = None


class Note(BaseModel):
    note: str


@asynccontextmanager
async def no_lifespan(_: FastAPI) -> AsyncIterator[None]:
    yield


def probe_app(minter: TokenMinter) -> tuple[ServiceApp, CountingRouter]:
    hot = APIRouter(prefix="/probe", route_class=DirectRoute)

    @hot.get("/tiers/{tier_id}", response_model=Seen)
    async def seen(request: Request, principal: CurrentUser, tier_id: uuid.UUID) -> Response:
        if request.headers.get("x-refuse"):
            raise ProblemError(409, "refused", "Refused", "As asked")
        if request.headers.get("x-break"):
            raise RuntimeError("a bug")
        return json_answer(Seen(tier=tier_id))

    @hot.post("/tiers/{tier_id}/notes", status_code=201, response_model=Seen)
    async def noted(
        request: Request, principal: CurrentUser, tier_id: uuid.UUID, note: Note | None = None
    ) -> Response:
        return json_answer(Seen(tier=tier_id, note=note.note if note else None), 201)

    app = create_service_app(
        service="probe", segment="probe", title="probe", description="", lifespan=no_lifespan
    )
    app.state.token_verifier = TokenVerifier(
        StaticKeySet(minter.jwks()), issuer="checkin-auth", audience="checkin", algorithms=["RS256"]
    )
    app.include_direct(hot)
    counting = CountingRouter(app.router)
    app.router = counting  # type: ignore[assignment]
    return app, counting


@pytest.fixture
def minter() -> TokenMinter:
    return TokenMinter()


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://probe")


def test_a_body_is_declared_by_a_length_other_than_zero_or_a_transfer_encoding() -> None:
    def scope(*headers: tuple[bytes, bytes]) -> dict[str, Any]:
        return {"headers": list(headers)}

    assert not has_body(scope())
    assert not has_body(scope((b"content-length", b"0")))
    assert has_body(scope((b"content-length", b"12")))
    assert has_body(scope((b"transfer-encoding", b"chunked")))


async def test_bodiless_requests_a_direct_route_matches_skip_the_router(
    minter: TokenMinter,
) -> None:
    app, counting = probe_app(minter)
    tier = uuid.uuid4()
    auth = {"Authorization": f"Bearer {minter.token()}"}
    async with client(app) as http:
        got = await http.get(f"/probe/tiers/{tier}", headers=auth)
        posted = await http.post(f"/probe/tiers/{tier}/notes", headers=auth)
        unauthenticated = await http.get(f"/probe/tiers/{tier}")
        invalid = await http.get("/probe/tiers/nope", headers=auth)
        refused = await http.get(f"/probe/tiers/{tier}", headers={**auth, "x-refuse": "1"})
    assert got.json() == {"tier": str(tier), "note": None}
    assert posted.status_code == 201
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["content-type"] == "application/problem+json"
    assert invalid.status_code == 422 and invalid.json()["code"] == "validation_error"
    assert refused.status_code == 409 and refused.json()["code"] == "refused"
    assert counting.paths == []


async def test_other_requests_go_the_whole_way(minter: TokenMinter) -> None:
    app, counting = probe_app(minter)
    tier = uuid.uuid4()
    auth = {"Authorization": f"Bearer {minter.token()}"}
    async with client(app) as http:
        with_body = await http.post(f"/probe/tiers/{tier}/notes", headers=auth, json={"note": "hi"})
        wrong_method = await http.delete(f"/probe/tiers/{tier}", headers=auth)
        health = await http.get("/healthz")
        unknown = await http.get("/probe/elsewhere", headers=auth)
    assert with_body.status_code == 201 and with_body.json()["note"] == "hi"
    assert wrong_method.status_code == 405
    assert health.status_code == 200
    assert unknown.status_code == 404
    assert counting.paths == [
        f"POST /probe/tiers/{tier}/notes",
        f"DELETE /probe/tiers/{tier}",
        "GET /healthz",
        "GET /probe/elsewhere",
    ]


async def test_the_direct_way_keeps_the_request_id_head_metrics_and_the_last_resort(
    minter: TokenMinter,
) -> None:
    app, counting = probe_app(minter)
    tier = uuid.uuid4()
    auth = {"Authorization": f"Bearer {minter.token()}"}
    labels = {
        "service": "probe",
        "method": "GET",
        "route": "/probe/tiers/{tier_id}",
        "status": "200",
    }
    async with client(app) as http:
        before = await metric_value(http, "http_requests_total", **labels)
        got = await http.get(f"/probe/tiers/{tier}", headers={**auth, "X-Request-ID": "r-1"})
        head = await http.head(f"/probe/tiers/{tier}", headers=auth)
        broken = await http.get(
            f"/probe/tiers/{tier}", headers={**auth, "x-break": "1", "X-Request-ID": "r-2"}
        )
        after = await metric_value(http, "http_requests_total", **labels)
    assert got.headers["x-request-id"] == "r-1"
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-length"] == got.headers["content-length"]
    assert broken.status_code == 500 and broken.json()["code"] == "internal_error"
    assert broken.headers["x-request-id"] == "r-2"
    assert after - before == 2  # the GET and the HEAD (as GET), under the route's template
    assert counting.paths == ["GET /metrics", "GET /metrics"]
