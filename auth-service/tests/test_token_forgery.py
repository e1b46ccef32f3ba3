"""The service itself refuses every forged or invalid token (not only the gateway)."""

from typing import Any

import httpx
import pytest
from auth_service.keys.signing import SigningKeys, generate_private_key_pem
from auth_service.main import create_app
from checkin_testkit import tokens
from checkin_testkit.apps import lifespan_client
from checkin_testkit.auth import FORGERIES, forged_tokens


@pytest.fixture
async def shopper_id(api: Any) -> str:
    user: dict[str, Any] = await api.register()
    return str(user["id"])


@pytest.mark.parametrize("case", FORGERIES)
async def test_service_refuses_forged_token(
    client: httpx.AsyncClient, signing_pem: str, shopper_id: str, case: str
) -> None:
    token = forged_tokens(signing_pem, shopper_id)[case]
    response = await client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "invalid_token"


async def test_a_well_signed_token_passes(
    client: httpx.AsyncClient, signing_pem: str, shopper_id: str
) -> None:
    claims = {**tokens.base_claims(), "sub": shopper_id}
    token = SigningKeys.from_pem(signing_pem).sign(claims)
    response = await client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


async def test_tokens_of_the_previous_key_pass_while_it_is_published(
    settings_for: Any, signing_pem: str, api: Any
) -> None:
    from pydantic import SecretStr

    new_pem = generate_private_key_pem()
    user = await api.register()
    old_token = SigningKeys.from_pem(signing_pem).sign({**tokens.base_claims(), "sub": user["id"]})
    rotated = settings_for(
        signing_key=SecretStr(new_pem), previous_signing_key=SecretStr(signing_pem)
    )
    async with lifespan_client(create_app(rotated)) as client:
        jwks = (await client.get("/auth/.well-known/jwks.json")).json()
        assert len(jwks["keys"]) == 2
        assert all("d" not in key and "p" not in key for key in jwks["keys"])  # public only
        me = await client.get("/auth/me", headers={"Authorization": f"Bearer {old_token}"})
        assert me.status_code == 200
        pair = (
            await client.post(
                "/auth/login", json={"email": user["email"], "password": api.password}
            )
        ).json()
        assert pair["access_token"].split(".")[0] != old_token.split(".")[0]  # new kid header
    retired = settings_for(signing_key=SecretStr(new_pem))
    async with lifespan_client(create_app(retired)) as client:
        me = await client.get("/auth/me", headers={"Authorization": f"Bearer {old_token}"})
        assert me.status_code == 401
