"""Routes whose body is a CSV file: the media types taken, the 415 otherwise, and the
request body as the OpenAPI document shows it."""

from typing import Any

from fastapi import Request

from checkin_shared.errors import ProblemError

CSV_TYPES = ("text/csv", "application/csv")


def require_csv(request: Request) -> None:
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media not in CSV_TYPES:
        raise ProblemError(
            415,
            "unsupported_media_type",
            "Unsupported media type",
            "Send the file as the body with Content-Type: text/csv",
        )


def csv_request_body(example: str) -> dict[str, Any]:
    """For `openapi_extra=`: a required `text/csv` body."""
    return {
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}, "example": example}},
        }
    }
