"""Forged and well-formed tokens for tests of token verification."""

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def base_claims(
    *,
    user_id: uuid.UUID | None = None,
    role: str = "shopper",
    eligible: bool = True,
    issuer: str = "checkin-auth",
    audience: str = "checkin",
    ttl: int = 300,
) -> dict[str, Any]:
    now = int(time.time())
    return {
        "sub": str(user_id or uuid.uuid4()),
        "role": role,
        "eligible": eligible,
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
    }


def unsigned_token(claims: dict[str, Any], *, kid: str) -> str:
    """`alg: none`: no signature at all."""
    header = {"alg": "none", "typ": "JWT", "kid": kid}
    parts = [b64url(json.dumps(p).encode()) for p in (header, claims)]
    return ".".join([*parts, ""])


def hs256_with_secret(claims: dict[str, Any], *, secret: bytes, kid: str) -> str:
    """HS256 keyed with (for the attack) the RSA public key's PEM bytes."""
    header = {"alg": "HS256", "typ": "JWT", "kid": kid}
    signing_input = ".".join(b64url(json.dumps(p).encode()) for p in (header, claims))
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def edit_payload(token: str, **changes: Any) -> str:
    """Change claims but keep the original signature."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    return ".".join([header, b64url(json.dumps(claims).encode()), signature])
