from typing import Any

from fastapi import APIRouter, Request, Response

router = APIRouter(prefix="/auth", tags=["keys"])


JWKS_EXAMPLE = {
    "keys": [
        {
            "kty": "RSA",
            "kid": "2026-11-21-k1",
            "use": "sig",
            "alg": "RS256",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7...",
            "e": "AQAB",
        }
    ]
}


@router.get(
    "/.well-known/jwks.json",
    summary="Public keys that verify access tokens",
    responses={
        200: {
            "content": {"application/json": {"example": JWKS_EXAMPLE}},
            "headers": {
                "Cache-Control": {"schema": {"type": "string"}, "example": "public, max-age=60"}
            },
        }
    },
)
async def jwks(request: Request, response: Response) -> dict[str, Any]:
    """The public keys that verify access tokens (RFC 7517), by `kid`."""
    response.headers["Cache-Control"] = "public, max-age=60"
    keys: dict[str, Any] = request.app.state.signing_keys.jwks()
    return keys
