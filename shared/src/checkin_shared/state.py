"""FastAPI dependencies that read what an app's lifespan stored on `app.state`."""

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request


def from_state(name: str) -> Callable[[Request], Awaitable[Any]]:
    """A dependency returning `request.app.state.<name>` (use it inside `Annotated`)."""

    # async on purpose: FastAPI runs a plain `def` dependency in its thread pool, a
    # thread hop on every request (the profile of a check-in showed it).
    async def read(request: Request) -> Any:
        return getattr(request.app.state, name)

    read.__name__ = f"state_{name}"
    return read
