"""Webhook signatures, both ways (orders from the shop in, events to the shop out):
`X-Checkin-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>` with
`X-Checkin-Timestamp: <unix seconds>`, refused when the timestamp is more than
`TOLERANCE_SECONDS` away from now (a replay)."""

import hashlib
import hmac

TIMESTAMP_HEADER = "X-Checkin-Timestamp"
SIGNATURE_HEADER = "X-Checkin-Signature"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signed_headers(secret: str, body: bytes, *, now: float) -> dict[str, str]:
    timestamp = int(now)
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def problem_with(
    secret: str, body: bytes, *, timestamp: str | None, signed: str | None, now: float
) -> str | None:
    """Why the signature is refused, or None when it is good (compared in constant time)."""
    if not timestamp or not signed:
        return f"{TIMESTAMP_HEADER} and {SIGNATURE_HEADER} are required"
    if not timestamp.isdigit() or len(timestamp) > 12:
        return f"{TIMESTAMP_HEADER} must be unix seconds"
    if abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        return f"the timestamp is more than {TOLERANCE_SECONDS} s away from now"
    if not hmac.compare_digest(signed.encode(), signature(secret, timestamp, body).encode()):
        return "the signature does not match"
    return None
