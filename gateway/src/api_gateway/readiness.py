"""The gateway is ready when it has verification keys and every service is ready."""

import asyncio

import aiohttp
from checkin_shared.health import ReadinessCheck, keys_check
from checkin_shared.keysets import RemoteKeySet


def _service_check(client: aiohttp.ClientSession, base: str) -> ReadinessCheck:
    async def check() -> None:
        async with asyncio.timeout(2):
            async with client.get(f"{base.rstrip('/')}/readyz") as response:
                if response.status != 200:
                    raise RuntimeError(f"readyz answered {response.status}")

    return check


def upstream_checks(
    routes: dict[str, str], client: aiohttp.ClientSession, keys: RemoteKeySet
) -> dict[str, ReadinessCheck]:
    checks = {segment: _service_check(client, base) for segment, base in routes.items()}
    checks["jwks"] = keys_check(keys)
    return checks
