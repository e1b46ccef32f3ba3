"""A hot route answered by its endpoint alone: `async def endpoint(request) -> Response`.

FastAPI documents it like any other route (summary, description, `response_model`,
`responses`, and the bearer scheme given as `dependencies=[BEARER_SCHEME]`), but per request
it neither solves dependencies nor validates and serializes the answer: the endpoint reads
what it needs itself (`bearer_principal`, `counted`, `app.state`) and returns the response
(`json_answer`). Errors raised in it take the same way as anywhere (the problem handlers).

Why: in the check-in's profile FastAPI's dependency solving was the largest part of the
service's own request handling; per request, in-process through the whole middleware stack,
the check-in's dependencies cost about 470 µs of CPU here and a direct route 150 µs.

So that nothing is declared and then silently not run, a direct route refuses at import an
endpoint with any parameter other than the request and any dependency other than a security
scheme (documentation only). App-wide dependencies do not run either: the one there is
(`content_type.json_bodies_only`) checks only routes that take a body, which a direct
route cannot."""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security.base import SecurityBase
from pydantic import BaseModel

DirectEndpoint = Callable[[Request], Coroutine[Any, Any, Response]]


def _undeclared(dependant: Dependant) -> list[str]:
    params = [
        *dependant.path_params,
        *dependant.query_params,
        *dependant.header_params,
        *dependant.cookie_params,
        *dependant.body_params,
    ]
    found = [f"parameter {param.name!r}" for param in params]
    for dependency in dependant.dependencies:
        if isinstance(dependency.call, SecurityBase):
            found.extend(_undeclared(dependency))
        else:
            found.append(f"dependency {getattr(dependency.call, '__name__', dependency.call)!r}")
    return found


class DirectRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        refused = _undeclared(self.dependant)
        if refused:
            raise TypeError(
                f"{path}: a DirectRoute runs only its endpoint(request); it would ignore "
                + ", ".join(refused)
            )

    def get_route_handler(self) -> DirectEndpoint:
        endpoint: DirectEndpoint = self.endpoint
        return endpoint


def json_answer(model: BaseModel, status_code: int = 200) -> Response:
    """`model` as FastAPI would answer it from a `response_model` (pydantic's JSON mode)."""
    return Response(model.model_dump_json(), status_code, media_type="application/json")
