"""Verifying a shop's ID token: a registered issuer, an asymmetric signature by a key of
its JWKS (never `none`, never HMAC: a public key used as an HMAC secret is a classic
forgery), our audience, `exp`/`nbf`/`iat` within a small clock skew, and a `sub`."""

from dataclasses import dataclass
from typing import Any

import jwt
from checkin_shared.errors import ProblemError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auth_service.identity.jwks import JwksCache, JwksUnavailable
from auth_service.users.models import IdentityProvider

ASYMMETRIC = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]


def refused(why: str) -> ProblemError:
    return ProblemError(401, "invalid_token", "Invalid token", f"The ID token is refused: {why}")


@dataclass(frozen=True)
class VerifiedIdToken:
    provider: IdentityProvider
    claims: dict[str, Any]


async def verify_id_token(
    session: AsyncSession, keys: JwksCache, token: str, *, leeway: int
) -> VerifiedIdToken:
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise refused("not a JWT") from None
    algorithm = header.get("alg")
    if algorithm not in ASYMMETRIC:
        raise refused(f"algorithm {algorithm!r} is not accepted")
    issuer = unverified.get("iss")
    provider = (
        await session.execute(select(IdentityProvider).where(IdentityProvider.issuer == issuer))
        if isinstance(issuer, str)
        else None
    )
    found = provider.scalar_one_or_none() if provider is not None else None
    if found is None:
        raise refused("unknown issuer")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise refused("no key id (kid)")
    try:
        key = await keys.key(found.jwks_uri, kid)
    except JwksUnavailable:
        raise ProblemError(
            503,
            "identity_provider_unavailable",
            "Identity provider unavailable",
            "The identity provider's keys cannot be fetched just now; retry shortly",
            headers={"Retry-After": "5"},
        ) from None
    if key is None:
        raise refused("unknown key id")
    if key.alg not in (None, algorithm):
        raise refused("the key is not for this algorithm")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key=key.key,
            algorithms=[algorithm],
            audience=found.audience,
            issuer=found.issuer,
            leeway=leeway,
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
        )
    except jwt.PyJWTError as exc:
        raise refused(str(exc)) from None
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise refused("no subject")
    return VerifiedIdToken(provider=found, claims=claims)
