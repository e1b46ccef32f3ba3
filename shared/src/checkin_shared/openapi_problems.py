"""Every error an operation can answer, in its OpenAPI document, as problem+json: the
`Problem` schema, each 4xx/5xx response pointing at it, and the errors every operation of
a kind can meet added where they apply. Descriptions name the problem `code`s."""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from checkin_shared.errors import PROBLEM_MEDIA_TYPE

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `code` is stable, clients branch on it",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
    },
    "additionalProperties": True,
}
METHODS = {"get", "put", "post", "delete", "patch"}


def problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path, operation) for every operation of the document."""
    return [
        (method.upper(), path, operation)
        for path, item in document.get("paths", {}).items()
        for method, operation in item.items()
        if method in METHODS
    ]


def add_errors(
    document: dict[str, Any], errors: Callable[[str, str, dict[str, Any]], dict[str, str]]
) -> dict[str, Any]:
    """Adds `errors(method, path, operation)` (status -> codes) to each operation, then
    makes every error response problem+json."""
    document.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for method, path, operation in operations(document):
        responses = operation.setdefault("responses", {})
        for status, codes in errors(method, path, operation).items():
            if status in responses:
                described = responses[status].get("description", "")
                if described == "Validation Error":  # FastAPI's own words, not a code
                    described = ""
                if codes not in described:
                    both = f"{described} or {codes}" if described else codes
                    responses[status]["description"] = both
            else:
                responses[status] = {"description": codes}
        for status, response in responses.items():
            if status[0] in "45":
                responses[status] = problem(response.get("description", ""))
    return document


def service_errors(method: str, path: str, operation: dict[str, Any]) -> dict[str, str]:
    """What the shared service code answers on its own, whatever the route."""
    errors = {"503": "database_unavailable"}
    if operation.get("security"):
        errors["401"] = "invalid_token"
    if "/admin/" in path:
        errors["403"] = "forbidden"
    if operation.get("parameters") or operation.get("requestBody"):
        errors["422"] = "validation_error or invalid_value"
    return errors


def install(app: FastAPI) -> None:
    """Make `app.openapi()` document its errors (computed once, like FastAPI's own)."""
    build = app.openapi

    def documented() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_errors(build(), service_errors)
        return app.openapi_schema

    app.openapi = documented  # type: ignore[method-assign]
