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


class TokenMinter:
    """An RS256 key of a test's own: its JWKS for a service under test, and tokens."""

    def __init__(self) -> None:
        from cryptography.hazmat.primitives.asymmetric import rsa
        from jwt.algorithms import RSAAlgorithm

        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        self.kid = uuid.uuid4().hex
        self._jwk = {**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self._jwk]}

    def token(
        self,
        *,
        user_id: uuid.UUID | None = None,
        role: str = "shopper",
        eligible: bool = True,
        ttl: int = 300,
    ) -> str:
        import jwt

        claims = base_claims(user_id=user_id, role=role, eligible=eligible, ttl=ttl)
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})

    def headers(self, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(**claims)}"}
