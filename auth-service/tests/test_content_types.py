"""A JSON route refuses other media types with 415 problem+json and writes nothing."""

import json
from typing import Any

import httpx
import pytest


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", '{"email": "x@example.com", "password": "long enough 1", "name": "X"}'),
        ("application/x-www-form-urlencoded", "email=x%40example.com&name=X"),
        ("application/xml", "<user><email>x@example.com</email></user>"),
        ("", '{"email": "x@example.com"}'),
    ],
)
async def test_a_body_that_is_not_json_is_415(
    client: httpx.AsyncClient, api: Any, content_type: str, body: str
) -> None:
    email = api.new_email()
    answer = await client.post(
        "/auth/register",
        content=body.replace("x@example.com", email),
        headers={"Content-Type": content_type} if content_type else {},
    )
    assert answer.status_code == 415
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "unsupported_media_type"
    login = await client.post("/auth/login", json={"email": email, "password": "long enough 1"})
    assert login.status_code == 401  # nothing was registered


async def test_json_with_a_charset_or_a_json_suffix_is_accepted(
    client: httpx.AsyncClient, api: Any
) -> None:
    for content_type in ("application/json; charset=utf-8", "application/vnd.shop+json"):
        body = {"email": api.new_email(), "password": "long enough 1 x", "name": "J"}
        answer = await client.post(
            "/auth/register", content=json.dumps(body), headers={"Content-Type": content_type}
        )
        assert answer.status_code == 201, answer.text
