"""Registration and the signed-in user's view of itself."""

from typing import Any

import httpx


async def test_register_returns_the_new_shopper(client: httpx.AsyncClient, api: Any) -> None:
    email = api.new_email()
    response = await client.post(
        "/auth/register", json={"email": email, "password": api.password, "name": " Kim "}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == email and body["name"] == "Kim" and body["role"] == "shopper"
    assert "password" not in str(body)


async def test_same_email_in_another_case_is_taken(client: httpx.AsyncClient, api: Any) -> None:
    email = api.new_email()
    await api.register(email)
    response = await client.post(
        "/auth/register", json={"email": email.upper(), "password": api.password, "name": "K"}
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "email_taken"


async def test_weak_passwords_are_refused(client: httpx.AsyncClient, api: Any) -> None:
    email = api.new_email()
    for weak in ("short1", "onlyletterspassword", email.split("@")[0] + "99"):
        response = await client.post(
            "/auth/register", json={"email": email, "password": weak, "name": "K"}
        )
        assert response.status_code == 422, weak
        assert response.json()["code"] == "weak_password"
    # nothing was written: the email is still free
    assert (await api.register(email))["email"] == email


async def test_malformed_bodies_get_problem_json(client: httpx.AsyncClient) -> None:
    cases: list[dict[str, Any]] = [
        {"content": b"{not json", "headers": {"content-type": "application/json"}},
        {"json": {"email": "not-an-email", "password": "x" * 12, "name": "K"}},
        {"json": {"email": "a@example.com", "password": "x" * 12}},
        {"json": {"email": "a@example.com", "password": "x1" * 6, "name": "K", "role": "admin"}},
        {"json": ["a", "list"]},
    ]
    for case in cases:
        response = await client.post("/auth/register", **case)
        assert response.status_code == 422, (case, response.text)
        problem = response.json()
        assert response.headers["content-type"] == "application/problem+json"
        assert {"type", "title", "status", "detail", "code"} <= problem.keys()


async def test_me_describes_the_caller(client: httpx.AsyncClient, api: Any) -> None:
    user, pair = await api.shopper()
    response = await client.get("/auth/me", headers=api.bearer(pair["access_token"]))
    assert response.status_code == 200
    assert response.json() == {
        "id": user["id"],
        "email": user["email"],
        "name": "Kim",
        "role": "shopper",
        "locale": None,
        "eligible": False,
    }


async def test_me_without_a_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/auth/me")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


async def test_every_answer_carries_a_request_id(client: httpx.AsyncClient) -> None:
    mine = await client.get("/healthz", headers={"X-Request-ID": "trace-123"})
    assert mine.headers["x-request-id"] == "trace-123"
    fresh = await client.get("/auth/me", headers={"X-Request-ID": "bad id with spaces"})
    assert fresh.headers["x-request-id"] not in ("", "bad id with spaces")


async def test_a_nul_character_is_refused_with_a_422_and_nothing_is_written(
    client: httpx.AsyncClient, api: Any
) -> None:
    email = api.new_email()
    response = await client.post(
        "/auth/register", json={"email": email, "password": api.password, "name": "Kim\u0000"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_value"
    assert (await api.register(email))["email"] == email  # nothing was written
