"""/healthz (the process answers) and /readyz (its dependencies answer)."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse

ReadinessCheck = Callable[[], Awaitable[None]]


def database_check(engine: AsyncEngine) -> ReadinessCheck:
    async def check() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    return check


async def healthz(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def run_checks(
    checks: dict[str, ReadinessCheck], limit_seconds: float = 2.0
) -> dict[str, str]:
    async def one(check: ReadinessCheck) -> str:
        try:
            await asyncio.wait_for(check(), limit_seconds)
        except Exception as exc:  # readiness reports any failure; it never raises
            return f"down: {type(exc).__name__}"
        return "ok"

    names = list(checks)
    results = await asyncio.gather(*(one(checks[n]) for n in names))
    return dict(zip(names, results, strict=True))


async def readyz(request: Request) -> JSONResponse:
    """Ready when every check passes. `readiness_info` checks are reported but never make
    the service unready: a broker outage delays events, it must not stop the requests."""
    checks: dict[str, ReadinessCheck] = getattr(request.app.state, "readiness_checks", {})
    info: dict[str, ReadinessCheck] = getattr(request.app.state, "readiness_info", {})
    results = await run_checks({**checks, **info})
    ready = all(results[name] == "ok" for name in checks)
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "checks": results},
        status_code=200 if ready else 503,
    )


class HasKeys(Protocol):
    @property
    def ready(self) -> bool: ...


def keys_check(keys: HasKeys) -> ReadinessCheck:
    """Not ready before the token-verification keys are loaded: every token would fail."""

    async def check() -> None:
        if not keys.ready:
            raise RuntimeError("no JWKS keys loaded yet")

    return check
