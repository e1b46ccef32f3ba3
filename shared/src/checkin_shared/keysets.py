"""Public keys for verifying access tokens: a fixed JWKS, or one fetched and refreshed."""

import asyncio
import contextlib
import logging
import time
from typing import Any, Protocol

import httpx
import jwt

log = logging.getLogger(__name__)


def parse_jwks(document: dict[str, Any]) -> dict[str, jwt.PyJWK]:
    """Keys by `kid`; keys without a kid or of an unsupported type are skipped."""
    keys: dict[str, jwt.PyJWK] = {}
    for entry in document.get("keys", []):
        kid = entry.get("kid")
        if not isinstance(kid, str) or entry.get("use", "sig") != "sig":
            continue
        try:
            keys[kid] = jwt.PyJWK(entry)
        except jwt.PyJWTError as exc:
            log.warning("skipping JWKS key %s: %s", kid, exc)
    return keys


class KeySet(Protocol):
    async def key_for(self, kid: str) -> jwt.PyJWK | None: ...


class StaticKeySet:
    """Keys known in-process (the auth service verifying its own tokens)."""

    def __init__(self, jwks: dict[str, Any]) -> None:
        self._keys = parse_jwks(jwks)

    async def key_for(self, kid: str) -> jwt.PyJWK | None:
        return self._keys.get(kid)


class RemoteKeySet:
    """A JWKS fetched at start, refreshed in the background, and re-fetched once on an
    unknown `kid` (at most every `min_refetch` seconds, so forged kids cannot flood it)."""

    def __init__(
        self, url: str, *, refresh_every: float = 300.0, min_refetch: float = 10.0
    ) -> None:
        self.url = url
        self.refresh_every = refresh_every
        self.min_refetch = min_refetch
        self._keys: dict[str, jwt.PyJWK] = {}
        self._last_fetch = float("-inf")
        self._lock = asyncio.Lock()
        self._client: httpx.AsyncClient | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=3.0)
        await self.refresh()
        self._task = asyncio.create_task(self._refresh_loop(), name="jwks-refresh")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._client:
            await self._client.aclose()

    async def refresh(self) -> bool:
        """Fetch the JWKS now; on failure keep the keys we have."""
        if self._client is None:
            return False
        self._last_fetch = time.monotonic()
        try:
            response = await self._client.get(self.url)
            response.raise_for_status()
            keys = parse_jwks(response.json())
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("JWKS fetch from %s failed: %s", self.url, exc)
            return False
        self._keys = keys
        return True

    async def _refresh_loop(self) -> None:
        while True:
            # Retry soon while we have no keys at all (the auth service may start later).
            await asyncio.sleep(self.refresh_every if self._keys else 1.0)
            await self.refresh()

    @property
    def ready(self) -> bool:
        return bool(self._keys)

    async def key_for(self, kid: str) -> jwt.PyJWK | None:
        key = self._keys.get(kid)
        if key is not None:
            return key
        async with self._lock:
            # With no keys at all (the auth service was not up yet) any wait is a refusal
            # of valid tokens; the rate limit only protects keys we already have.
            waited = time.monotonic() - self._last_fetch >= self.min_refetch
            if kid not in self._keys and (waited or not self._keys):
                await self.refresh()
        return self._keys.get(kid)
