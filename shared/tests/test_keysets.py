"""The remote key set fetches once on an unknown kid, and never makes a valid token wait
because the auth service was down when the service started."""

from collections.abc import AsyncIterator

import pytest
from checkin_shared.keysets import RemoteKeySet
from checkin_testkit.apps import free_port, running_server
from checkin_testkit.tokens import TokenMinter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

MINTER = TokenMinter()
SERVED: dict[str, object] = {"keys": []}
FETCHES: list[int] = []


async def jwks(_: Request) -> JSONResponse:
    FETCHES.append(1)
    return JSONResponse(SERVED)


@pytest.fixture
async def jwks_url() -> AsyncIterator[str]:
    async with running_server(Starlette(routes=[Route("/jwks", jwks)])) as url:
        yield f"{url}/jwks"


async def test_keys_appear_at_once_after_a_failed_first_fetch(jwks_url: str) -> None:
    dead = f"http://127.0.0.1:{free_port()}/jwks"
    keys = RemoteKeySet(dead, refresh_every=300, min_refetch=60)
    await keys.start()  # the auth service is not up yet
    try:
        assert not keys.ready
        keys.url = jwks_url  # now it is
        SERVED["keys"] = MINTER.jwks()["keys"]
        assert await keys.key_for(MINTER.kid) is not None  # no 60 s wait
        assert keys.ready
    finally:
        await keys.stop()


async def test_unknown_kids_fetch_at_most_once_per_interval_once_keys_are_known(
    jwks_url: str,
) -> None:
    SERVED["keys"] = MINTER.jwks()["keys"]
    keys = RemoteKeySet(jwks_url, refresh_every=300, min_refetch=60)
    await keys.start()
    try:
        before = len(FETCHES)
        for forged in ("a", "b", "c"):
            assert await keys.key_for(forged) is None
        assert len(FETCHES) == before  # the start fetch was just now: no flood of fetches
    finally:
        await keys.stop()
