"""A hot route answered by its endpoint with little of FastAPI's per-request machinery.

It is written and documented like any route (summary, description, `response_model`,
`responses`, path, query and header parameters, an optional body, and
`principal: CurrentUser`), but per request FastAPI neither solves dependencies nor
validates and serializes the answer. The route itself, in FastAPI's order: verifies the
caller's token when the endpoint takes `CurrentUser` (401 first), validates the parameters
with FastAPI's own function for them (the same values, the same 422 `validation_error`),
then calls `endpoint(request, **values)`, which reads what else it needs itself
(`counted`, `reads_of`, `app.state`) and returns its response (`json_answer`). A request
that carries a body goes FastAPI's whole way instead (the body, the app-wide content-type
check, their 4xx), to the same endpoint: only bodiless requests are direct. Errors raised
in the endpoint take the same way as anywhere (the problem handlers).

Why: in the check-in's profile FastAPI's dependency solving was the largest part of the
service's own request handling; per request, in-process through the whole middleware stack,
the check-in's dependencies cost about 470 µs of CPU here and a direct route 150 µs.

So that nothing is declared and then silently not run, a direct route refuses at import a
required body, a cookie, and any dependency other than `CurrentUser` and a security
scheme. App-wide dependencies do not run on the direct way: the one there is
(`content_type.json_bodies_only`) checks only requests with a body, which go FastAPI's way."""

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import request_params_to_args
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security.base import SecurityBase
from pydantic import BaseModel
from starlette.datastructures import QueryParams

from checkin_shared.security import bearer_principal, current_principal

_IMMUTABLE = (type(None), bool, int, float, str, bytes)
DirectEndpoint = Callable[[Request], Coroutine[Any, Any, Response]]
# The dependencies a direct route runs itself: each by a function of the request alone.
_RUN_DIRECTLY: dict[Any, Callable[[Request], Awaitable[Any]]] = {
    current_principal: bearer_principal
}


def _refused(dependant: Dependant) -> list[str]:
    found = [f"parameter {p.name!r}" for p in dependant.cookie_params]
    found += [
        f"required body {p.name!r}" for p in dependant.body_params if p.field_info.is_required()
    ]
    for dependency in dependant.dependencies:
        if dependency.call not in _RUN_DIRECTLY and not isinstance(dependency.call, SecurityBase):
            found.append(f"dependency {getattr(dependency.call, '__name__', dependency.call)!r}")
    return found


class DirectRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        refused = _refused(self.dependant)
        if refused:
            raise TypeError(
                f"{path}: a DirectRoute runs only its endpoint, its parameters and "
                f"CurrentUser; it would ignore {', '.join(refused)}"
            )

    def get_route_handler(self) -> DirectEndpoint:
        endpoint = self.endpoint
        runs = [
            (dependency.name, _RUN_DIRECTLY[dependency.call])
            for dependency in self.dependant.dependencies
            if dependency.call in _RUN_DIRECTLY
        ]
        taken = [
            (fields, where, _when_absent(fields) if where == "query_params" else None)
            for fields, where in (
                (self.dependant.path_params, "path_params"),
                (self.dependant.query_params, "query_params"),
                (self.dependant.header_params, "headers"),
            )
            if fields
        ]

        bodies = {field.name: field.default for field in self.dependant.body_params}
        whole = super().get_route_handler() if bodies else None

        async def direct(request: Request) -> Response:
            if whole is not None and _has_body(request):
                return await whole(request)  # FastAPI's own way: the body, its checks, its 422s
            values: dict[str, Any] = dict(bodies)
            for name, run in runs:
                value = await run(request)
                if name is not None:
                    values[name] = value
            errors: list[Any] = []
            for fields, where, absent in taken:
                if absent is not None and not request.scope["query_string"]:
                    values.update(absent)  # no query string: the values worked out once
                    continue
                found, wrong = request_params_to_args(fields, getattr(request, where))
                values.update(found)
                errors.extend(wrong)
            if errors:
                raise RequestValidationError(errors)
            answer: Response = await endpoint(request, **values)
            return answer

        return direct


def _when_absent(fields: list[Any]) -> dict[str, Any] | None:
    """What FastAPI's own function gives `fields` from an empty query string, when that is
    values (no error, as when every one has a default) and each is immutable, so that one
    answer serves every request without a query string; else None."""
    values, errors = request_params_to_args(fields, QueryParams(""))
    if errors or not all(isinstance(v, _IMMUTABLE) for v in values.values()):
        return None
    return values


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return (length is not None and length != "0") or "transfer-encoding" in request.headers


def json_answer(model: BaseModel, status_code: int = 200) -> Response:
    """`model` as FastAPI answers it from a `response_model` (pydantic's JSON mode, by alias)."""
    return Response(
        model.model_dump_json(by_alias=True), status_code, media_type="application/json"
    )
