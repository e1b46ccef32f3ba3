"""JSON bodies only where a route takes a JSON body: anything else is 415, not a 422 that
says "valid dictionary" about a body the client never meant as JSON."""

from fastapi import Request
from fastapi.routing import APIRoute

from checkin_shared.errors import ProblemError

JSON_TYPES = ("application/json",)


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in JSON_TYPES or (media.startswith("application/") and media.endswith("+json"))


async def json_bodies_only(request: Request) -> None:
    """An app-wide dependency: a request with a body to a route that takes a JSON body
    must say `Content-Type: application/json` (or `+json`)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or route.body_field is None:
        return
    has_body = request.headers.get("content-length", "0") != "0" or (
        "transfer-encoding" in request.headers
    )
    if has_body and not _is_json(request.headers.get("content-type", "")):
        raise ProblemError(
            415,
            "unsupported_media_type",
            "Unsupported media type",
            "This route takes a JSON body: send it with Content-Type: application/json",
        )
