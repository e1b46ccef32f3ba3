"""A direct route answers like a FastAPI route (the same JSON, the same problems, the same
OpenAPI) without running dependencies, and refuses at definition what it would ignore."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Annotated, Any

import httpx
import pytest
from checkin_shared.app import create_service_app
from checkin_shared.direct_route import DirectRoute, json_answer
from checkin_shared.errors import ProblemError
from checkin_shared.keysets import StaticKeySet
from checkin_shared.security import BEARER_SCHEME, CurrentUser, bearer_principal
from checkin_shared.tokens import TokenVerifier
from checkin_testkit.tokens import TokenMinter
from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from pydantic import BaseModel


class Stamp(BaseModel):
    user_id: uuid.UUID
    day: date
    at: datetime
    note: str
    streak: int | None


def stamp(user_id: uuid.UUID) -> Stamp:
    at = datetime(2026, 11, 30, 9, 12, 3, 120, tzinfo=UTC)
    return Stamp(user_id=user_id, day=at.date(), at=at, note='출석 "완료" ✓', streak=None)


@asynccontextmanager
async def no_lifespan(_: FastAPI) -> AsyncIterator[None]:
    yield


def app_with_both(minter: TokenMinter) -> FastAPI:
    """The same answer from a direct route and from an ordinary FastAPI route."""
    direct = APIRouter(prefix="/probe", route_class=DirectRoute)
    plain = APIRouter(prefix="/probe")

    @direct.post("/direct", status_code=201, response_model=Stamp, dependencies=[BEARER_SCHEME])
    async def direct_stamp(request: Request) -> Response:
        principal = await bearer_principal(request)
        if request.headers.get("x-refuse"):
            raise ProblemError(409, "already_stamped", "Already stamped", "Once a day")
        return json_answer(stamp(principal.user_id), 201)

    @plain.post("/plain", status_code=201)
    async def plain_stamp(principal: CurrentUser) -> Stamp:
        return stamp(principal.user_id)

    app = create_service_app(
        service="probe", segment="probe", title="probe", description="", lifespan=no_lifespan
    )
    app.state.token_verifier = TokenVerifier(
        StaticKeySet(minter.jwks()), issuer="checkin-auth", audience="checkin", algorithms=["RS256"]
    )
    app.include_router(direct)
    app.include_router(plain)
    return app


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://probe")


async def test_a_direct_route_answers_byte_for_byte_as_a_fastapi_route() -> None:
    minter = TokenMinter()
    user = uuid.uuid4()
    auth = {"Authorization": f"Bearer {minter.token(user_id=user)}"}
    async with client(app_with_both(minter)) as http:
        direct = await http.post("/probe/direct", headers=auth)
        plain = await http.post("/probe/plain", headers=auth)
    assert direct.status_code == plain.status_code == 201
    assert direct.content == plain.content
    assert direct.json()["user_id"] == str(user)
    assert direct.headers["content-type"] == plain.headers["content-type"]
    assert direct.headers["x-request-id"]


async def test_a_direct_route_refuses_as_any_route_does() -> None:
    minter = TokenMinter()
    auth = {"Authorization": f"Bearer {minter.token()}"}
    async with client(app_with_both(minter)) as http:
        refused = await http.post("/probe/direct", headers={**auth, "X-Refuse": "1"})
        for path in ("/probe/direct", "/probe/plain"):
            anonymous = await http.post(path)
            wrong_scheme = await http.post(path, headers={"Authorization": "Basic abc"})
            assert anonymous.status_code == wrong_scheme.status_code == 401
            assert anonymous.json()["code"] == wrong_scheme.json()["code"] == "invalid_token"
            assert anonymous.headers["content-type"] == "application/problem+json"
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "already_stamped"


def test_a_direct_route_is_documented_like_a_fastapi_route() -> None:
    spec = app_with_both(TokenMinter()).openapi()
    direct = spec["paths"]["/probe/direct"]["post"]
    plain = spec["paths"]["/probe/plain"]["post"]
    assert direct["security"] == plain["security"] == [{"HTTPBearer": []}]
    schema = direct["responses"]["201"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Stamp"}
    assert direct["responses"]["401"] == plain["responses"]["401"]


async def _needs_something() -> int:
    return 1


async def with_query(request: Request, q: Annotated[int, Query()]) -> Response:
    return Response()


async def with_dependency(
    request: Request, n: Annotated[int, Depends(_needs_something)]
) -> Response:
    return Response()


async def with_body(request: Request, body: Stamp) -> Response:
    return Response()


async def with_path(request: Request, tier_id: uuid.UUID) -> Response:
    return Response()


async def only_the_request(request: Request) -> Response:
    return Response()


@pytest.mark.parametrize(
    ("path", "endpoint", "dependencies"),
    [
        ("/q", with_query, []),
        ("/d", with_dependency, []),
        ("/b", with_body, []),
        ("/p/{tier_id}", with_path, []),
        ("/r", only_the_request, [Depends(_needs_something)]),
    ],
)
def test_a_direct_route_refuses_what_it_would_not_run(
    path: str, endpoint: Any, dependencies: list[Any]
) -> None:
    router = APIRouter(route_class=DirectRoute)
    with pytest.raises(TypeError, match="DirectRoute runs only its endpoint"):
        router.add_api_route(path, endpoint, methods=["POST"], dependencies=dependencies)


def test_a_direct_route_takes_the_request_and_a_documented_scheme() -> None:
    router = APIRouter(route_class=DirectRoute)
    router.add_api_route("/r", only_the_request, methods=["POST"], dependencies=[BEARER_SCHEME])
    assert isinstance(router.routes[0], DirectRoute)
