"""FastAPI dependencies that read what an app's lifespan stored on `app.state`."""

from collections.abc import Callable
from typing import Any

from fastapi import Request


def from_state(name: str) -> Callable[[Request], Any]:
    """A dependency returning `request.app.state.<name>` (use it inside `Annotated`)."""

    def read(request: Request) -> Any:
        return getattr(request.app.state, name)

    read.__name__ = f"state_{name}"
    return read
