"""X-Request-ID: keep the caller's (when well-formed) or make one; expose it to logs.
The ASGI middleware (`checkin_shared.asgi`) sets it on every request and answer."""

import re
import uuid
from contextvars import ContextVar

REQUEST_ID_HEADER = "x-request-id"
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
_VALID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def accept_or_new(value: str | None) -> str:
    """The caller's id when it is safe to log and forward, otherwise a fresh one."""
    if value and _VALID.match(value):
        return value
    return uuid.uuid4().hex
