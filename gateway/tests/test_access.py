"""Tokens and roles at the gateway."""

import uuid
from typing import Any

import httpx
import pytest
import upstream_app
from api_gateway.main import create_app
from auth_service.keys.signing import SigningKeys, generate_private_key_pem
from checkin_testkit import tokens
from checkin_testkit.apps import lifespan_client
from checkin_testkit.auth import FORGERIES, forged_tokens


@pytest.mark.parametrize("case", FORGERIES)
async def test_gateway_refuses_forged_tokens(
    gateway: httpx.AsyncClient, gw_signing_pem: str, case: str
) -> None:
    upstream_app.SEEN.clear()
    token = forged_tokens(gw_signing_pem, str(uuid.uuid4()))[case]
    response = await gateway.get("/echo/private", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"
    assert upstream_app.SEEN == []  # the service never saw it


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ", "Basic abc", "bearer  "])
async def test_missing_or_malformed_authorization_is_401(
    gateway: httpx.AsyncClient, header: str
) -> None:
    response = await gateway.get("/echo/private", headers={"Authorization": header})
    assert response.status_code == 401


async def test_shoppers_get_403_on_admin_routes_and_admins_pass(
    gateway: httpx.AsyncClient, shopper_token: str, admin_token: str, auth_header: Any
) -> None:
    for path in ("/echo/admin/tiers", "/echo/admin", "/auth/admin/users"):
        response = await gateway.get(path, headers=auth_header(shopper_token))
        assert response.status_code == 403, path
        assert response.json()["code"] == "forbidden"
    assert (await gateway.get("/echo/admin/tiers", headers=auth_header(admin_token))).is_success
    assert (await gateway.get("/echo/administer", headers=auth_header(shopper_token))).is_success


async def test_tokens_of_the_previous_key_pass_while_it_is_published(
    gateway_settings_for: Any, upstream_url: str
) -> None:
    old, new = (SigningKeys.from_pem(generate_private_key_pem()) for _ in range(2))
    upstream_app.JWKS["keys"] = [new.current_jwk, old.current_jwk]
    settings = gateway_settings_for(jwks_url=f"{upstream_url}/keys/jwks.json")
    async with lifespan_client(create_app(settings)) as client:
        for keys in (old, new):
            token = keys.sign(tokens.base_claims())
            response = await client.get("/echo/x", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200


async def test_a_new_key_is_fetched_once_on_an_unknown_kid(
    gateway_settings_for: Any, upstream_url: str
) -> None:
    first, later = (SigningKeys.from_pem(generate_private_key_pem()) for _ in range(2))
    upstream_app.JWKS["keys"] = [first.current_jwk]
    settings = gateway_settings_for(
        jwks_url=f"{upstream_url}/keys/jwks.json", jwks_min_refetch_seconds=0
    )
    async with lifespan_client(create_app(settings)) as client:
        token = later.sign(tokens.base_claims())
        headers = {"Authorization": f"Bearer {token}"}
        assert (await client.get("/echo/x", headers=headers)).status_code == 401
        upstream_app.JWKS["keys"] = [later.current_jwk, first.current_jwk]  # rotation published
        assert (await client.get("/echo/x", headers=headers)).status_code == 200
