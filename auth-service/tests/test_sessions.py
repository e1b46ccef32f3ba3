"""Login, throttling, refresh rotation with reuse detection, logout."""

from typing import Any

import httpx
import jwt
import pytest
from auth_service.main import create_app
from checkin_testkit.apps import lifespan_client


async def test_login_returns_a_bearer_pair_with_the_documented_claims(
    client: httpx.AsyncClient, api: Any, signing_pem: str
) -> None:
    user, pair = await api.shopper()
    assert pair["token_type"] == "bearer" and pair["expires_in"] == 900
    claims = jwt.decode(pair["access_token"], options={"verify_signature": False})
    assert {"sub", "role", "eligible", "iss", "aud", "exp", "iat", "jti"} <= claims.keys()
    assert claims["sub"] == user["id"] and claims["exp"] - claims["iat"] == 900
    assert jwt.get_unverified_header(pair["access_token"])["alg"] == "RS256"


async def test_login_is_case_insensitive_on_email(client: httpx.AsyncClient, api: Any) -> None:
    user = await api.register()
    await api.login(user["email"].upper())


async def test_unknown_email_and_wrong_password_answer_identically(
    client: httpx.AsyncClient, api: Any
) -> None:
    user = await api.register()
    wrong = await client.post("/auth/login", json={"email": user["email"], "password": "nope 1234"})
    unknown = await client.post(
        "/auth/login", json={"email": api.new_email(), "password": "nope 1234"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "invalid_credentials"


async def test_unknown_email_still_pays_for_a_full_argon2_verification() -> None:
    from auth_service.users.passwords import Passwords

    passwords = Passwords(time_cost=2, memory_kib=8192, parallelism=1)
    real = await passwords.hash("some password 1")
    # the dummy hash has the same algorithm and cost as a real one, so the work is the same
    assert passwords._dummy_hash.split("$")[1:4] == real.split("$")[1:4]
    assert real.startswith("$argon2id$")
    assert await passwords.verify(None, "dummy password for unknown emails") is False


async def test_failed_logins_are_throttled_per_email_with_retry_after(
    settings_for: Any, api: Any
) -> None:
    settings = settings_for(login_max_failures_per_email=3)
    async with lifespan_client(create_app(settings)) as client:
        user = await api.register()
        bad = {"email": user["email"], "password": "wrong pass 1"}
        statuses = [(await client.post("/auth/login", json=bad)).status_code for _ in range(3)]
        assert statuses == [401, 401, 401]
        throttled = await client.post("/auth/login", json=bad)
        assert throttled.status_code == 429
        assert throttled.json()["code"] == "too_many_attempts"
        assert int(throttled.headers["retry-after"]) >= 1
        # even the right password waits until the window ends
        right = await client.post(
            "/auth/login", json={"email": user["email"], "password": api.password}
        )
        assert right.status_code == 429


async def test_failed_logins_are_throttled_per_ip(settings_for: Any, api: Any) -> None:
    settings = settings_for(login_max_failures_per_ip=4)
    async with lifespan_client(create_app(settings), client_ip="203.0.113.9") as client:
        for _ in range(4):
            wrong = {"email": api.new_email(), "password": "x pass 123"}
            assert (await client.post("/auth/login", json=wrong)).status_code == 401
        wrong = {"email": api.new_email(), "password": "x pass 123"}
        assert (await client.post("/auth/login", json=wrong)).status_code == 429


async def test_successful_logins_do_not_count_against_the_limit(
    settings_for: Any, api: Any
) -> None:
    settings = settings_for(login_max_failures_per_email=2)
    async with lifespan_client(create_app(settings)) as client:
        user = await api.register()
        good = {"email": user["email"], "password": api.password}
        for _ in range(5):
            assert (await client.post("/auth/login", json=good)).status_code == 200


async def test_refresh_rotates_and_the_old_token_stops_working(
    client: httpx.AsyncClient, api: Any
) -> None:
    _, pair = await api.shopper()
    rotated = await client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert rotated.status_code == 200
    new_pair = rotated.json()
    assert new_pair["refresh_token"] != pair["refresh_token"]
    assert (await client.get("/auth/me", headers=api.bearer(new_pair["access_token"]))).is_success
    again = await client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert again.status_code == 401 and again.json()["code"] == "invalid_token"


async def test_reusing_a_rotated_token_revokes_the_whole_family(
    client: httpx.AsyncClient, api: Any
) -> None:
    _, first = await api.shopper()
    second = await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    latest = second.json()["refresh_token"]
    stolen = await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert stolen.status_code == 401
    # the legitimate holder's newest token is revoked too
    after = await client.post("/auth/refresh", json={"refresh_token": latest})
    assert after.status_code == 401


async def test_logout_revokes_the_session(client: httpx.AsyncClient, api: Any) -> None:
    _, pair = await api.shopper()
    out = await client.post(
        "/auth/logout",
        json={"refresh_token": pair["refresh_token"]},
        headers=api.bearer(pair["access_token"]),
    )
    assert out.status_code == 204 and out.content == b""
    again = await client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert again.status_code == 401


async def test_logout_cannot_revoke_someone_elses_session(
    client: httpx.AsyncClient, api: Any
) -> None:
    _, victim = await api.shopper()
    _, attacker = await api.shopper()
    out = await client.post(
        "/auth/logout",
        json={"refresh_token": victim["refresh_token"]},
        headers=api.bearer(attacker["access_token"]),
    )
    assert out.status_code == 204
    still = await client.post("/auth/refresh", json={"refresh_token": victim["refresh_token"]})
    assert still.status_code == 200


@pytest.mark.parametrize("body", [{}, {"refresh_token": ""}, {"refresh_token": 5}])
async def test_refresh_with_a_malformed_body_is_422(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    response = await client.post("/auth/refresh", json=body)
    assert response.status_code == 422


async def test_many_people_behind_one_address_can_log_in_at_once(
    settings_for: Any, api: Any
) -> None:
    import asyncio

    settings = settings_for(login_max_failures_per_ip=5)
    users = [await api.register() for _ in range(12)]
    async with lifespan_client(create_app(settings), client_ip="198.51.100.20") as client:
        logins = await asyncio.gather(
            *(
                client.post("/auth/login", json={"email": u["email"], "password": api.password})
                for u in users
            )
        )
    assert [r.status_code for r in logins] == [200] * 12


async def test_a_burst_of_logins_larger_than_the_pool_all_succeed(
    settings_for: Any, api: Any
) -> None:
    """A login must not hold a pooled connection while it needs a second one."""
    import asyncio

    settings = settings_for(db_pool_size=2)  # and no overflow: 2 connections at most
    users = [await api.register() for _ in range(40)]
    async with lifespan_client(create_app(settings)) as client:
        logins = await asyncio.gather(
            *(
                client.post("/auth/login", json={"email": u["email"], "password": api.password})
                for u in users
            )
        )
    assert [r.status_code for r in logins] == [200] * 40
