"""Every error an operation can answer, in its OpenAPI document, as problem+json: the
`Problem` schema, each 4xx/5xx response pointing at it with its `code`s as an enum and an
example, and the errors every operation of a kind can meet added where they apply.
Descriptions name the problem `code`s. Every response documents its headers."""

import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from checkin_shared.errors import PROBLEM_MEDIA_TYPE
from checkin_shared.openapi_examples import add_examples

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


CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)*\b")
REQUEST_ID_HEADER = {
    "description": "The request's id (the caller's when well-formed, else one made here); "
    "logs and events name it",
    "schema": {"type": "string", "examples": ["4f1c2a9e8b7d4c3e"]},
}
RETRY_AFTER_HEADER = {
    "description": "Seconds to wait before trying again",
    "schema": {"type": "integer", "examples": [1]},
}


def codes_in(description: str) -> list[str]:
    """The problem codes a response description names ("already_claimed or out_of_stock")."""
    return sorted({c for c in CODE.findall(description) if c != "or"})


def problem(status: str, description: str) -> dict[str, Any]:
    """An error response: problem+json whose `code` is one of those named, with an example
    and the headers it carries."""
    codes = codes_in(description)
    schema: dict[str, Any] = {"$ref": "#/components/schemas/Problem"}
    content: dict[str, Any] = {"schema": schema}
    if codes:
        content["schema"] = {
            "allOf": [schema, {"type": "object", "properties": {"code": {"enum": codes}}}]
        }
        content["example"] = {
            "type": f"https://errors.checkin.example/{codes[0]}",
            "title": codes[0].replace("_", " ").capitalize(),
            "status": int(status),
            "detail": "What went wrong, for people",
            "code": codes[0],
        }
    headers = {"X-Request-ID": REQUEST_ID_HEADER}
    if status in ("429", "503"):
        headers["Retry-After"] = RETRY_AFTER_HEADER
    return {
        "description": description,
        "headers": headers,
        "content": {PROBLEM_MEDIA_TYPE: content},
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
                responses[status] = problem(status, response.get("description", ""))
            else:
                response.setdefault("headers", {})["X-Request-ID"] = REQUEST_ID_HEADER
    return document


def service_errors(method: str, path: str, operation: dict[str, Any]) -> dict[str, str]:
    """What the shared service code answers on its own, whatever the route."""
    errors = {"503": "database_unavailable"}
    if operation.get("security"):
        errors["401"] = "invalid_token"
    if "/admin/" in path:
        errors["403"] = "forbidden"
    parameters = {p["name"] for p in operation.get("parameters", [])}
    if parameters or operation.get("requestBody"):
        invalid = ["validation_error", "invalid_value"]
        invalid += ["invalid_cursor"] if "cursor" in parameters else []
        invalid += ["invalid_range"] if {"from", "to"} & parameters else []
        errors["422"] = " or ".join(invalid)
    if operation.get("requestBody"):
        errors["415"] = "unsupported_media_type"
    return errors


def install(app: FastAPI) -> None:
    """Make `app.openapi()` document its errors (computed once, like FastAPI's own)."""
    build = app.openapi

    def documented() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_examples(add_errors(build(), service_errors))
        return app.openapi_schema

    app.openapi = documented  # type: ignore[method-assign]
