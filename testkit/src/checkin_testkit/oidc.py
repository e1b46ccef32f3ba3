"""A shop's identity provider for tests: a real OIDC issuer over HTTP on loopback,
serving its discovery document and JWKS, with RSA keys made by the test; it signs ID
tokens, rotates its keys, and counts how often its JWKS was fetched."""

import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


class TestIssuer:
    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        self.url = ""  # set once served (running_server's URL)
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.jwks_fetches = 0
        self.rotate()

    @property
    def current_kid(self) -> str:
        return next(reversed(self.keys))

    def rotate(self, *, keep_old: bool = False) -> str:
        """A new signing key (the old one dropped from the JWKS unless `keep_old`)."""
        kid = f"k-{uuid.uuid4().hex[:8]}"
        if not keep_old:
            self.keys.clear()
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return kid

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid, key in self.keys.items():
            jwk: dict[str, Any] = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
            keys.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})
        return {"keys": keys}

    def app(self) -> Starlette:
        async def discovery(_: Request) -> JSONResponse:
            return JSONResponse(
                {
                    "issuer": self.url,
                    "jwks_uri": f"{self.url}/jwks",
                    "id_token_signing_alg_values_supported": ["RS256"],
                }
            )

        async def jwks(_: Request) -> JSONResponse:
            self.jwks_fetches += 1
            return JSONResponse(self.jwks())

        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", discovery),
                Route("/jwks", jwks),
            ]
        )

    def id_token(
        self,
        *,
        sub: str,
        email: str | None,
        audience: str,
        name: str = "Shop Shopper",
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
        algorithm: str = "RS256",
        **claims: Any,
    ) -> str:
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.url,
            "sub": sub,
            "aud": audience,
            "iat": now,
            "exp": now + 300,
            "name": name,
            "email_verified": True,
            **claims,
        }
        if email is not None:
            body["email"] = email
        kid = kid or self.current_kid
        signing_key = key or self.keys[kid]
        return jwt.encode(body, signing_key, algorithm=algorithm, headers={"kid": kid})
