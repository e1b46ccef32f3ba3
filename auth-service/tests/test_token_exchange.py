"""Sign-in with the shop's accounts: an admin registers the shop's OIDC issuer (a real
one on loopback, keys made here); its ID tokens are exchanged for our pair, the account
keyed by (issuer, sub); every forgery is 401 `invalid_token`; key rotation at the issuer
is followed with one JWKS fetch."""

import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
from checkin_testkit.apps import running_server
from checkin_testkit.oidc import TestIssuer
from cryptography.hazmat.primitives.asymmetric import rsa

AUDIENCE = "checkin-test"
EXCHANGE = "/auth/token-exchange"
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"


@pytest.fixture
async def issuer(client: httpx.AsyncClient, api: Any) -> AsyncIterator[TestIssuer]:
    provider = TestIssuer()
    async with running_server(provider.app()) as url:
        provider.url = url
        admin = api.bearer(await api.admin_token())
        made = await client.post(
            "/auth/admin/identity-providers",
            json={"name": "shop", "issuer": url, "audience": AUDIENCE},
            headers=admin,
        )
        assert made.status_code == 201, made.text
        assert made.json()["jwks_uri"] == f"{url}/jwks"  # found by discovery
        yield provider


async def exchange(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(
        EXCHANGE, json={"subject_token": token, "subject_token_type": ID_TOKEN}
    )


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_an_id_token_becomes_our_pair_for_one_account_per_subject(
    client: httpx.AsyncClient, api: Any, issuer: TestIssuer
) -> None:
    sub, email = f"shop-{uuid.uuid4().hex[:8]}", api.new_email()
    first = await exchange(client, issuer.id_token(sub=sub, email=email, audience=AUDIENCE))
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["account_created"] is True
    assert body["issued_token_type"] == "urn:ietf:params:oauth:token-type:access_token"
    me = await client.get("/auth/me", headers=api.bearer(body["access_token"]))
    assert (me.json()["email"], me.json()["name"]) == (email, "Shop Shopper")
    again = await exchange(
        client, issuer.id_token(sub=sub, email="changed@example.com", audience=AUDIENCE)
    )
    assert again.json()["account_created"] is False
    same = await client.get("/auth/me", headers=api.bearer(again.json()["access_token"]))
    assert same.json()["id"] == me.json()["id"]  # keyed by (issuer, sub), not by email
    refreshed = await client.post("/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert refreshed.status_code == 200
    # no password works for it
    login = await client.post("/auth/login", json={"email": email, "password": "anything 123"})
    assert login.status_code == 401


async def test_forged_and_wrong_id_tokens_are_refused(
    client: httpx.AsyncClient, api: Any, issuer: TestIssuer
) -> None:
    sub, email = f"shop-{uuid.uuid4().hex[:8]}", api.new_email()
    good = issuer.id_token(sub=sub, email=email, audience=AUDIENCE)
    header, payload, signature = good.split(".")
    claims = jwt.decode(good, options={"verify_signature": False})
    now = int(time.time())
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        issuer.keys[issuer.current_kid]
        .public_key()
        .public_bytes(
            encoding=__import__(
                "cryptography.hazmat.primitives.serialization"
            ).hazmat.primitives.serialization.Encoding.PEM,
            format=__import__(
                "cryptography.hazmat.primitives.serialization"
            ).hazmat.primitives.serialization.PublicFormat.SubjectPublicKeyInfo,
        )
    )
    hmac_with_public_key = (
        f"{b64({'alg': 'HS256', 'kid': issuer.current_kid, 'typ': 'JWT'})}.{payload}."
    )
    mac = hmac.new(public_pem, hmac_with_public_key[:-1].encode(), hashlib.sha256)
    hmac_with_public_key += base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()
    cases = {
        "signed by a stranger": issuer.id_token(
            sub=sub, email=email, audience=AUDIENCE, key=stranger
        ),
        "expired": issuer.id_token(
            sub=sub, email=email, audience=AUDIENCE, exp=now - 120, iat=now - 600
        ),
        "not yet valid": issuer.id_token(sub=sub, email=email, audience=AUDIENCE, nbf=now + 600),
        "wrong audience": issuer.id_token(sub=sub, email=email, audience="someone-else"),
        "wrong issuer": issuer.id_token(
            sub=sub, email=email, audience=AUDIENCE, iss="https://evil.example"
        ),
        "alg none": f"{b64({'alg': 'none', 'kid': issuer.current_kid})}.{payload}.",
        "HMAC with the public key": hmac_with_public_key,
        "unknown kid": issuer.id_token(
            sub=sub, email=email, audience=AUDIENCE, key=stranger, kid="no-such-key"
        ),
        "no sub": issuer.id_token(sub="", email=email, audience=AUDIENCE),
        "tampered payload": f"{header}.{b64({**claims, 'sub': 'admin'})}.{signature}",
        "not a JWT": "not-a-jwt",
    }
    for case, token in cases.items():
        answer = await exchange(client, token)
        assert (answer.status_code, answer.json()["code"]) == (401, "invalid_token"), case
    bad_type = await client.post(
        EXCHANGE, json={"subject_token": good, "subject_token_type": "urn:x:saml2"}
    )
    assert bad_type.status_code == 422
    # within a minute of clock skew is fine
    skewed = issuer.id_token(sub=sub, email=email, audience=AUDIENCE, exp=now - 30)
    assert (await exchange(client, skewed)).status_code == 200


async def test_the_issuer_rotates_its_keys_and_tokens_keep_working(
    client: httpx.AsyncClient, api: Any, issuer: TestIssuer
) -> None:
    email = api.new_email()

    def token() -> str:
        return issuer.id_token(sub="rotating", email=email, audience=AUDIENCE)

    assert (await exchange(client, token())).status_code == 200
    fetched = issuer.jwks_fetches
    assert (await exchange(client, token())).status_code == 200
    assert issuer.jwks_fetches == fetched  # the keys are cached
    await asyncio.sleep(0.35)  # past the refresh floor (0.3 s in tests, 10 s by default)
    issuer.rotate()  # a new key; the old one gone from the JWKS
    assert (await exchange(client, token())).status_code == 200
    assert issuer.jwks_fetches == fetched + 1  # fetched once again for the new kid
    # a flood of unknown kids does not make us fetch again and again
    for _ in range(5):
        forged = issuer.id_token(
            sub="rotating",
            email=email,
            audience=AUDIENCE,
            kid=f"x-{uuid.uuid4().hex[:6]}",
            key=issuer.keys[issuer.current_kid],
        )
        assert (await exchange(client, forged)).status_code == 401
    assert issuer.jwks_fetches <= fetched + 3  # not once per made-up kid


async def test_providers_are_checked_when_registered(client: httpx.AsyncClient, api: Any) -> None:
    admin = api.bearer(await api.admin_token())
    for body, code in (
        ({"name": "x", "issuer": "http://10.1.2.3", "audience": "a"}, "url_not_allowed"),
        (
            {
                "name": "x",
                "issuer": "https://i.example",
                "audience": "a",
                "jwks_uri": "http://169.254.169.254/latest",
            },
            "url_not_allowed",
        ),
        ({"name": "x", "issuer": "file:///etc/passwd", "audience": "a"}, "url_not_allowed"),
    ):
        answer = await client.post("/auth/admin/identity-providers", json=body, headers=admin)
        assert (answer.status_code, answer.json()["code"]) == (422, code), body
    nothing_there = TestIssuer()
    async with running_server(nothing_there.app()) as url:
        wrong = await client.post(
            "/auth/admin/identity-providers",
            json={"name": "x", "issuer": url + "/elsewhere", "audience": "a"},
            headers=admin,
        )
        assert (wrong.status_code, wrong.json()["code"]) == (422, "discovery_failed")
        nothing_there.url = url
        made = await client.post(
            "/auth/admin/identity-providers",
            json={"name": "x", "issuer": url, "audience": "a"},
            headers=admin,
        )
        assert made.status_code == 201
        twice = await client.post(
            "/auth/admin/identity-providers",
            json={"name": "x", "issuer": url, "audience": "a"},
            headers=admin,
        )
        assert (twice.status_code, twice.json()["code"]) == (409, "issuer_exists")
        listed = (await client.get("/auth/admin/identity-providers", headers=admin)).json()
        assert url in {p["issuer"] for p in listed["items"]}
        removed = await client.delete(
            f"/auth/admin/identity-providers/{made.json()['id']}", headers=admin
        )
        assert removed.status_code == 204
        gone = await client.delete(
            f"/auth/admin/identity-providers/{made.json()['id']}", headers=admin
        )
        assert (gone.status_code, gone.json()["code"]) == (404, "provider_not_found")


async def test_orders_before_the_first_sign_in_count_and_addresses_are_not_taken_over(
    client: httpx.AsyncClient, api: Any, issuer: TestIssuer
) -> None:
    admin = api.bearer(await api.admin_token())
    email = api.new_email()
    order = {
        "email": email,
        "order_id": f"SSO-{uuid.uuid4().hex[:8]}",
        "amount": "1000",
        "currency": "KRW",
        "purchased_at": "2026-11-20T10:00:00+09:00",
    }
    await client.post("/auth/admin/purchases", json={"items": [order]}, headers=admin)
    made = await exchange(client, issuer.id_token(sub="buyer-1", email=email, audience=AUDIENCE))
    claims = jwt.decode(made.json()["access_token"], options={"verify_signature": False})
    assert claims["eligible"] is True

    local = await api.register()  # a local account with a password
    unverified = issuer.id_token(
        sub="someone", email=local["email"], audience=AUDIENCE, email_verified=False
    )
    taken = await exchange(client, unverified)
    assert (taken.status_code, taken.json()["code"]) == (409, "email_taken")
    vouched = issuer.id_token(sub="owner", email=local["email"], audience=AUDIENCE)
    linked = await exchange(client, vouched)
    assert linked.status_code == 200 and linked.json()["account_created"] is False
    me = await client.get("/auth/me", headers=api.bearer(linked.json()["access_token"]))
    assert me.json()["id"] == local["id"]


async def test_first_sign_ins_at_once_make_one_account(
    client: httpx.AsyncClient, api: Any, issuer: TestIssuer
) -> None:
    email = api.new_email()
    token = issuer.id_token(sub=f"twin-{uuid.uuid4().hex[:6]}", email=email, audience=AUDIENCE)
    answers = await asyncio.gather(*(exchange(client, token) for _ in range(8)))
    assert [a.status_code for a in answers] == [200] * 8
    assert sum(a.json()["account_created"] for a in answers) == 1
    ids = set()
    for answer in answers:
        me = await client.get("/auth/me", headers=api.bearer(answer.json()["access_token"]))
        ids.add(me.json()["id"])
    assert len(ids) == 1


async def test_local_sign_up_can_be_switched_off(settings_for: Any, api: Any) -> None:
    from auth_service.main import create_app
    from checkin_testkit.apps import lifespan_client

    async with lifespan_client(create_app(settings_for(local_signup=False))) as closed:
        answer = await closed.post(
            "/auth/register",
            json={"email": api.new_email(), "password": api.password, "name": "K"},
        )
        assert (answer.status_code, answer.json()["code"]) == (403, "local_signup_disabled")


async def test_a_provider_in_use_stays_and_one_that_is_down_is_a_503(
    client: httpx.AsyncClient, api: Any
) -> None:
    admin = api.bearer(await api.admin_token())
    provider = TestIssuer()
    async with running_server(provider.app()) as url:
        provider.url = url
        made = await client.post(
            "/auth/admin/identity-providers",
            json={"name": "x", "issuer": url, "audience": AUDIENCE, "jwks_uri": f"{url}/jwks"},
            headers=admin,
        )
        assert made.status_code == 201
        token = provider.id_token(sub="s-1", email=api.new_email(), audience=AUDIENCE)
        assert (await exchange(client, token)).status_code == 200
        kept = await client.delete(
            f"/auth/admin/identity-providers/{made.json()['id']}", headers=admin
        )
        assert (kept.status_code, kept.json()["code"]) == (409, "provider_in_use")
    # the provider is gone; a token naming a key we never had cannot be checked: 503
    provider.rotate()
    later = provider.id_token(sub="s-2", email=api.new_email(), audience=AUDIENCE)
    down = await exchange(client, later)
    assert (down.status_code, down.json()["code"]) in {
        (503, "identity_provider_unavailable"),
        (401, "invalid_token"),  # within the refresh floor: the cached keys decide
    }
    await asyncio.sleep(0.35)
    down = await exchange(client, later)
    assert (down.status_code, down.json()["code"]) == (503, "identity_provider_unavailable")
    assert down.headers["retry-after"] == "5"


async def test_a_new_name_or_email_at_the_shop_is_taken_and_announced(
    client: httpx.AsyncClient, api: Any, issuer: TestIssuer, auth_database_url: str
) -> None:
    """The shop's sign-in is the source of name and email: the next exchange takes a change
    and announces user.profile_changed.v1 (so admin views elsewhere name them anew); an
    email another account holds is not taken."""
    from checkin_shared.db import make_engine
    from sqlalchemy import text

    sub, email = f"shop-{uuid.uuid4().hex[:8]}", api.new_email()
    first = await exchange(client, issuer.id_token(sub=sub, email=email, audience=AUDIENCE))
    user_id = await client.get("/auth/me", headers=api.bearer(first.json()["access_token"]))
    new_email, taken = api.new_email(), (await api.register())["email"]
    await exchange(
        client, issuer.id_token(sub=sub, email=new_email, name="Park Jiho", audience=AUDIENCE)
    )
    clash = await exchange(
        client, issuer.id_token(sub=sub, email=taken, name="Park Jiho", audience=AUDIENCE)
    )
    assert clash.status_code == 200
    me = await client.get("/auth/me", headers=api.bearer(clash.json()["access_token"]))
    assert (me.json()["email"], me.json()["name"]) == (new_email, "Park Jiho")
    engine = make_engine(auth_database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            told = (
                await conn.execute(
                    text(
                        "SELECT payload->'data'->>'email', payload->'data'->>'name' "
                        "FROM auth.outbox WHERE event_type = 'user.profile_changed.v1' "
                        "AND payload->'data'->>'user_id' = :u ORDER BY created_at"
                    ),
                    {"u": user_id.json()["id"]},
                )
            ).all()
    finally:
        await engine.dispose()
    assert [tuple(r) for r in told] == [(new_email, "Park Jiho")]  # once: the clash changed nothing
