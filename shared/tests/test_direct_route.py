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
from checkin_shared.direct_dispatch import ServiceApp
from checkin_shared.direct_route import DirectRoute, json_answer
from checkin_shared.errors import ProblemError
from checkin_shared.keysets import StaticKeySet
from checkin_shared.security import CurrentUser
from checkin_shared.tokens import TokenVerifier
from checkin_testkit.tokens import TokenMinter
from fastapi import APIRouter, Cookie, Depends, FastAPI, Header, Query, Request, Response
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict, Field


class Stamp(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    user_id: uuid.UUID
    day: date
    at: datetime = Field(alias="stampedAt")
    note: str
    streak: int | None


def stamp(user_id: uuid.UUID) -> Stamp:
    at = datetime(2026, 11, 30, 9, 12, 3, 120, tzinfo=UTC)
    return Stamp(user_id=user_id, day=at.date(), at=at, note='출석 "완료" ✓', streak=None)


class Wish(BaseModel):
    note: str = Field(min_length=1, max_length=20)


Streak = Annotated[int | None, Query(ge=1, description="Days in a row")]
Size = Annotated[int, Query(ge=1, le=50)]
Cursor = Annotated[str, Query(min_length=1)]


class Page(BaseModel):
    size: int
    cursor: str | None


Key = Annotated[str | None, Header(alias="Idempotency-Key", max_length=8)]


def stamped(tier_id: uuid.UUID, *, streak: int | None, key: str | None) -> Stamp:
    return stamp(tier_id).model_copy(update={"streak": streak, "note": key or ""})


def wished(tier_id: uuid.UUID, wish: Wish | None, key: str | None) -> Stamp:
    return stamp(tier_id).model_copy(update={"note": f"{wish.note if wish else '-'} {key}"})


@asynccontextmanager
async def no_lifespan(_: FastAPI) -> AsyncIterator[None]:
    yield


def app_with_both(minter: TokenMinter) -> ServiceApp:
    """The same answer from a direct route and from an ordinary FastAPI route."""
    direct = APIRouter(prefix="/probe", route_class=DirectRoute)
    plain = APIRouter(prefix="/probe")

    @direct.post("/direct", status_code=201, response_model=Stamp)
    async def direct_stamp(request: Request, principal: CurrentUser) -> Response:
        if request.headers.get("x-refuse"):
            raise ProblemError(409, "already_stamped", "Already stamped", "Once a day")
        return json_answer(stamp(principal.user_id), 201)

    @plain.post("/plain", status_code=201)
    async def plain_stamp(principal: CurrentUser) -> Stamp:
        return stamp(principal.user_id)

    @direct.get("/direct/{tier_id}", response_model=Stamp)
    async def direct_params(
        request: Request,
        principal: CurrentUser,
        tier_id: uuid.UUID,
        streak: Streak = None,
        key: Key = None,
    ) -> Response:
        return json_answer(stamped(tier_id, streak=streak, key=key))

    @direct.post("/direct/{tier_id}/wish", status_code=201, response_model=Stamp)
    async def direct_wish(
        request: Request,
        principal: CurrentUser,
        tier_id: uuid.UUID,
        wish: Wish | None = None,
        key: Key = None,
    ) -> Response:
        return json_answer(wished(tier_id, wish, key), 201)

    @plain.post("/plain/{tier_id}/wish", status_code=201)
    async def plain_wish(
        principal: CurrentUser, tier_id: uuid.UUID, wish: Wish | None = None, key: Key = None
    ) -> Stamp:
        return wished(tier_id, wish, key)

    @plain.get("/plain/{tier_id}")
    async def plain_params(
        principal: CurrentUser, tier_id: uuid.UUID, streak: Streak = None, key: Key = None
    ) -> Stamp:
        return stamped(tier_id, streak=streak, key=key)

    @direct.get("/direct-page", response_model=Page)
    async def direct_page(request: Request, principal: CurrentUser, size: Size = 20) -> Response:
        return json_answer(Page(size=size, cursor=None))

    @plain.get("/plain-page")
    async def plain_page(principal: CurrentUser, size: Size = 20) -> Page:
        return Page(size=size, cursor=None)

    @direct.get("/direct-cursor", response_model=Page)
    async def direct_cursor(
        request: Request, principal: CurrentUser, cursor: Cursor, size: Size = 20
    ) -> Response:
        return json_answer(Page(size=size, cursor=cursor))

    @plain.get("/plain-cursor")
    async def plain_cursor(principal: CurrentUser, cursor: Cursor, size: Size = 20) -> Page:
        return Page(size=size, cursor=cursor)

    app = create_service_app(
        service="probe", segment="probe", title="probe", description="", lifespan=no_lifespan
    )
    app.state.token_verifier = TokenVerifier(
        StaticKeySet(minter.jwks()), issuer="checkin-auth", audience="checkin", algorithms=["RS256"]
    )
    app.include_direct(direct)
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


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        (f"/{uuid.UUID(int=7)}?streak=3", {"Idempotency-Key": "k-1"}, 200),
        (f"/{uuid.UUID(int=7)}", {}, 200),
        ("/not-a-uuid?streak=3", {}, 422),
        (f"/{uuid.UUID(int=7)}?streak=0", {}, 422),
        (f"/{uuid.UUID(int=7)}?streak=many", {"Idempotency-Key": "much-too-long"}, 422),
        ("/x?streak=0", {"Idempotency-Key": "much-too-long"}, 422),
        ("/x?streak=0", {"Authorization": "Bearer not.a.token"}, 401),  # the token first
    ],
)
async def test_a_direct_route_takes_its_parameters_as_a_fastapi_route_does(
    path: str, headers: dict[str, str], status: int
) -> None:
    minter = TokenMinter()
    headers = {"Authorization": f"Bearer {minter.token()}", **headers}
    async with client(app_with_both(minter)) as http:
        direct = await http.get(f"/probe/direct{path}", headers=headers)
        plain = await http.get(f"/probe/plain{path}", headers=headers)
    assert direct.status_code == plain.status_code == status
    assert direct.content == plain.content
    assert direct.headers["content-type"] == plain.headers["content-type"]


@pytest.mark.parametrize(
    ("path", "status", "size"),
    [
        ("-page", 200, 20),  # no query string: the defaults, worked out once
        ("-page?size=3", 200, 3),
        ("-page?size=0", 422, None),
        ("-page?other=1", 200, 20),
        ("-cursor", 422, None),  # a required parameter: no values without a query string
        ("-cursor?cursor=c2", 200, 20),
        ("-cursor?cursor=c2&size=51", 422, None),
    ],
)
async def test_a_direct_route_without_a_query_string_takes_the_defaults_as_fastapi_does(
    path: str, status: int, size: int | None
) -> None:
    minter = TokenMinter()
    headers = {"Authorization": f"Bearer {minter.token()}"}
    async with client(app_with_both(minter)) as http:
        for _ in range(2):  # the second request finds what the first one left
            direct = await http.get(f"/probe/direct{path}", headers=headers)
            plain = await http.get(f"/probe/plain{path}", headers=headers)
            assert direct.status_code == plain.status_code == status
            assert direct.content == plain.content
            if size is not None:
                assert direct.json()["size"] == size


ID = uuid.UUID(int=9)
JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("path", "headers", "body", "status"),
    [
        (f"/{ID}/wish", {}, None, 201),  # no body: the direct way
        (f"/{ID}/wish", {"Idempotency-Key": "k"}, b"", 201),
        (f"/{ID}/wish", JSON, b'{"note": "earphones"}', 201),  # a body: FastAPI's way
        (f"/{ID}/wish", JSON, b"null", 201),
        (f"/{ID}/wish", JSON, b'{"note": ""}', 422),
        (f"/{ID}/wish", JSON, b'{"note": "earph', 422),
        (f"/{ID}/wish", {"Content-Type": "text/plain"}, b'{"note": "x"}', 415),
        (f"/{ID}/wish", {}, b'{"note": "x"}', 415),
        ("/nope/wish", JSON, b'{"note": "x"}', 422),
        ("/nope/wish", {"Idempotency-Key": "much-too-long"}, None, 422),
        ("/nope/wish", {"Authorization": "Bearer no", **JSON}, b'{"note": "x"}', 401),
        ("/nope/wish", {"Authorization": "Bearer no"}, b'{"note": "x"}', 415),
        ("/nope/wish", {"Authorization": "Bearer no"}, None, 401),
    ],
)
async def test_a_direct_route_with_a_body_answers_as_a_fastapi_route(
    path: str, headers: dict[str, str], body: bytes | None, status: int
) -> None:
    minter = TokenMinter()
    headers = {"Authorization": f"Bearer {minter.token()}", **headers}
    async with client(app_with_both(minter)) as http:
        direct = await http.post(f"/probe/direct{path}", headers=headers, content=body)
        plain = await http.post(f"/probe/plain{path}", headers=headers, content=body)
    assert (direct.status_code, direct.content) == (plain.status_code, plain.content)
    assert direct.status_code == status
    assert direct.headers["content-type"] == plain.headers["content-type"]


def test_a_direct_route_is_documented_like_a_fastapi_route() -> None:
    spec = app_with_both(TokenMinter()).openapi()
    direct = spec["paths"]["/probe/direct"]["post"]
    plain = spec["paths"]["/probe/plain"]["post"]
    assert direct["security"] == plain["security"] == [{"HTTPBearer": []}]
    schema = direct["responses"]["201"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Stamp"}
    assert direct["responses"]["401"] == plain["responses"]["401"]
    wish = spec["paths"]["/probe/direct/{tier_id}/wish"]["post"]
    plain_wish = spec["paths"]["/probe/plain/{tier_id}/wish"]["post"]
    assert wish["requestBody"] == plain_wish["requestBody"]
    assert wish["parameters"] == plain_wish["parameters"]
    with_params = spec["paths"]["/probe/direct/{tier_id}"]["get"]
    assert with_params["parameters"] == spec["paths"]["/probe/plain/{tier_id}"]["get"]["parameters"]
    assert [p["name"] for p in with_params["parameters"]] == [
        "tier_id",
        "streak",
        "Idempotency-Key",
    ]


async def _needs_something() -> int:
    return 1


async def with_cookie(request: Request, seen: Annotated[str | None, Cookie()] = None) -> Response:
    return Response()


async def with_dependency(
    request: Request, n: Annotated[int, Depends(_needs_something)]
) -> Response:
    return Response()


async def with_required_body(request: Request, body: Stamp) -> Response:
    return Response()


async def only_the_request(request: Request) -> Response:
    return Response()


async def with_the_caller(request: Request, principal: CurrentUser) -> Response:
    return Response()


@pytest.mark.parametrize(
    ("endpoint", "dependencies"),
    [
        (with_cookie, []),
        (with_dependency, []),
        (with_required_body, []),
        (only_the_request, [Depends(_needs_something)]),
    ],
)
def test_a_direct_route_refuses_what_it_would_not_run(
    endpoint: Any, dependencies: list[Any]
) -> None:
    router = APIRouter(route_class=DirectRoute)
    with pytest.raises(TypeError, match="DirectRoute runs only its endpoint"):
        router.add_api_route("/r", endpoint, methods=["POST"], dependencies=dependencies)


def test_a_direct_route_takes_the_caller_and_a_documented_scheme() -> None:
    router = APIRouter(route_class=DirectRoute)
    scheme = Depends(HTTPBearer(auto_error=False))
    router.add_api_route("/r", only_the_request, methods=["POST"], dependencies=[scheme])
    router.add_api_route("/u", with_the_caller, methods=["POST"])
    assert all(isinstance(route, DirectRoute) for route in router.routes)
