"""Helpers for tests that need an auth service (its own tests and the gateway's)."""

from pathlib import Path
from typing import Any

import auth_service
from auth_service.config import AuthSettings
from auth_service.keys.signing import SigningKeys, generate_private_key_pem
from cryptography.hazmat.primitives import serialization
from pydantic import SecretStr

from checkin_testkit import tokens

ALEMBIC_INI = Path(auth_service.__file__).parents[2] / "alembic.ini"
FORGERIES = (
    "alg_none",
    "hs256_public_key_secret",
    "unknown_kid",
    "expired",
    "wrong_aud",
    "wrong_iss",
    "edited_payload",
    "garbage",
)


def test_settings(
    database_url: str, signing_pem: str, *, amqp_url: str, events_exchange: str, **overrides: Any
) -> AuthSettings:
    """Fast hashing and loose throttles (tests that need tight ones override them), and the
    test run's own exchange, never the `checkin.events` of a running stack."""
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "amqp_url": amqp_url,
        "events_exchange": events_exchange,
        "outbox_poll_seconds": 0.2,
        "signing_key": SecretStr(signing_pem),
        "argon2_time_cost": 1,
        "argon2_memory_kib": 8192,
        "argon2_parallelism": 1,
        "login_max_failures_per_email": 1000,
        "login_max_failures_per_ip": 1000,
        "allow_loopback_urls": True,  # the tests' identity providers listen on 127.0.0.1
        "jwks_refresh_floor_seconds": 0.3,
        "log_json": False,
        **overrides,
    }
    return AuthSettings(**values)


test_settings.__test__ = False  # type: ignore[attr-defined]


def forged_tokens(pem: str, user_id: str) -> dict[str, str]:
    """One token per way of forging or spoiling it, all for `user_id`."""
    keys = SigningKeys.from_pem(pem)
    kid = keys.current_jwk["kid"]
    claims = {**tokens.base_claims(), "sub": user_id}
    public_pem = keys.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    stranger = SigningKeys.from_pem(generate_private_key_pem())
    valid = keys.sign(claims)
    return {
        "alg_none": tokens.unsigned_token(claims, kid=kid),
        "hs256_public_key_secret": tokens.hs256_with_secret(claims, secret=public_pem, kid=kid),
        "unknown_kid": stranger.sign(claims),
        "expired": keys.sign({**claims, "iat": claims["iat"] - 3600, "exp": claims["iat"] - 60}),
        "wrong_aud": keys.sign({**claims, "aud": "someone-else"}),
        "wrong_iss": keys.sign({**claims, "iss": "https://evil.example"}),
        "edited_payload": tokens.edit_payload(valid, role="admin"),
        "garbage": "not.a.token",
    }


def signed_token(pem: str, **claims: Any) -> str:
    return SigningKeys.from_pem(pem).sign({**tokens.base_claims(), **claims})
