"""Access-token verification: explicit algorithms, a known `kid`, and exp/iss/aud required."""

import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from checkin_shared.compact_jws import CompactToken, TokenRejected, check_claims
from checkin_shared.errors import ProblemError
from checkin_shared.keysets import KeySet

ROLES = ("shopper", "support", "admin")


@dataclass(frozen=True)
class Principal:
    """Who is calling, as the access token says."""

    user_id: uuid.UUID
    role: str
    eligible: bool
    token_id: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_staff(self) -> bool:
        """An admin or the shop's customer service (`support`): reads every admin view."""
        return self.role in ("support", "admin")


def invalid_token(detail: str) -> ProblemError:
    return ProblemError(
        401, "invalid_token", "Invalid token", detail, headers={"WWW-Authenticate": "Bearer"}
    )


class VerifiedTokens:
    """Tokens already verified, with when they stop being valid: a hit skips the signature
    check (the token's bytes, signature included, are the key, so an edited token is a
    miss). Bounded; the oldest entries go first. Only successes are kept."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    def get(self, token: str, now: float) -> Principal | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        valid_until, principal = entry
        if now >= valid_until:
            del self._entries[token]
            return None
        return principal

    def put(self, token: str, principal: Principal, valid_until: float) -> None:
        if self.max_entries <= 0:
            return
        self._entries[token] = (valid_until, principal)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)


class TokenVerifier:
    def __init__(
        self,
        keys: KeySet,
        *,
        issuer: str,
        audience: str,
        algorithms: list[str],
        leeway_seconds: int = 5,
        cache_entries: int = 10_000,
    ) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.algorithms = [a for a in algorithms if a.lower() != "none"]
        self.leeway = leeway_seconds
        self.verified = VerifiedTokens(cache_entries)

    async def verify(self, token: str) -> Principal:
        now = time.time()
        cached = self.verified.get(token, now)
        if cached is not None:
            return cached
        claims = await self.claims(token)
        try:
            user_id = uuid.UUID(str(claims["sub"]))
        except ValueError as exc:
            raise invalid_token("subject is not a user id") from exc
        role = claims.get("role")
        if role not in ROLES:
            raise invalid_token("unknown role")
        principal = Principal(
            user_id, str(role), claims.get("eligible") is True, str(claims["jti"])
        )
        # Valid until `exp` exactly (without the leeway a fresh check would allow).
        self.verified.put(token, principal, float(claims["exp"]))
        return principal

    async def claims(self, token: str) -> dict[str, Any]:
        try:
            parsed = CompactToken.parse(token)
        except TokenRejected as exc:
            raise invalid_token(exc.detail) from exc
        alg, kid = parsed.header.get("alg"), parsed.header.get("kid")
        if alg not in self.algorithms:
            raise invalid_token("algorithm not allowed")
        if not isinstance(kid, str):
            raise invalid_token("token has no key id")
        key = await self.keys.key_for(kid)
        if key is None:
            raise invalid_token("unknown signing key")
        if key.algorithm_name != alg:
            raise invalid_token("algorithm does not match the key")
        if not key.Algorithm.verify(parsed.signing_input, key.key, parsed.signature):
            raise invalid_token("token rejected: the signature does not verify")
        try:
            claims = parsed.claims()
            check_claims(
                claims,
                issuer=self.issuer,
                audience=self.audience,
                leeway=self.leeway,
                now=time.time(),
            )
        except TokenRejected as exc:
            raise invalid_token(exc.detail) from exc
        return claims
