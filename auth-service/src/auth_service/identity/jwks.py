"""The identity providers' public keys: fetched from their JWKS URL, kept a while, and
fetched again once when a token names a key we do not have (the provider rotated its
keys), at most once per `refresh_floor` seconds per provider (a flood of made-up `kid`s
cannot make us hammer the provider)."""

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from checkin_shared.outbound_urls import check_outbound_url
from jwt import PyJWK
from jwt.exceptions import PyJWKError


class JwksUnavailable(Exception):
    """The provider's keys could not be fetched (nothing cached to fall back on)."""


@dataclass(frozen=True)
class ProviderKey:
    key: Any  # the public key object
    alg: str | None  # the algorithm the JWK names, if it names one


@dataclass
class _Entry:
    keys: dict[str, ProviderKey] = field(default_factory=dict)
    fetched_at: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class JwksCache:
    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        ttl: float,
        allow_loopback: bool,
        refresh_floor: float = 10.0,
    ) -> None:
        self.client = client
        self.ttl = ttl
        self.allow_loopback = allow_loopback
        self.refresh_floor = refresh_floor
        self._entries: dict[str, _Entry] = {}

    async def key(self, jwks_uri: str, kid: str) -> ProviderKey | None:
        """The key `kid` of this JWKS, or None when the provider has no such key even
        after fetching its keys again."""
        entry = self._entries.setdefault(jwks_uri, _Entry())
        now = time.monotonic()
        if entry.keys and now - entry.fetched_at < self.ttl and kid in entry.keys:
            return entry.keys[kid]
        async with entry.lock:
            stale = time.monotonic() - entry.fetched_at >= self.ttl
            may_refresh = time.monotonic() - entry.fetched_at >= self.refresh_floor
            if (stale or kid not in entry.keys) and (may_refresh or not entry.keys):
                try:
                    entry.keys = await self._fetch(jwks_uri)
                    entry.fetched_at = time.monotonic()
                except JwksUnavailable:
                    if kid not in entry.keys:
                        raise  # a key we may lack only because the provider is down
                    # else the key we have, stale but still the provider's last word
        return entry.keys.get(kid)

    async def _fetch(self, jwks_uri: str) -> dict[str, ProviderKey]:
        await check_outbound_url(jwks_uri, allow_loopback=self.allow_loopback)
        try:
            response = await self.client.get(jwks_uri, timeout=5)
            response.raise_for_status()
            document: Any = json.loads(response.content)
        except (httpx.HTTPError, ValueError) as exc:
            raise JwksUnavailable(f"{jwks_uri}: {exc!r}") from exc
        keys: dict[str, ProviderKey] = {}
        for raw in document.get("keys", []) if isinstance(document, dict) else []:
            if not isinstance(raw, dict) or "kid" not in raw or raw.get("use", "sig") != "sig":
                continue
            if raw.get("kty") == "oct":
                continue  # a symmetric key is never trusted
            try:
                keys[str(raw["kid"])] = ProviderKey(PyJWK(raw).key, raw.get("alg"))
            except PyJWKError:
                continue  # a key type we cannot use (or a symmetric one): never trusted
        return keys
