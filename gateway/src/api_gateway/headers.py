"""What crosses the gateway: hop-by-hop and identity headers never do."""

from collections.abc import Iterable

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "proxy-connection",
    }
)
# Set by the gateway itself, or asserting an identity only a token may carry.
NEVER_FROM_CLIENT = frozenset(
    {
        "host",
        "content-length",
        "forwarded",
        "x-forwarded-for",
        "x-forwarded-host",
        "x-forwarded-proto",
        "x-real-ip",
        "x-request-id",
        "x-user-id",
        "x-user-role",
        "x-user-email",
        "x-auth-user",
        "x-authenticated-user",
    }
)
IDENTITY_PREFIXES = ("x-user-", "x-auth-", "x-internal-")


def _connection_listed(headers: Iterable[tuple[str, str]]) -> set[str]:
    listed: set[str] = set()
    for name, value in headers:
        if name == "connection":
            listed |= {token.strip().lower() for token in value.split(",")}
    return listed


def upstream_request_headers(
    client_headers: list[tuple[str, str]], *, client_ip: str, scheme: str, request_id: str
) -> list[tuple[str, str]]:
    lowered = [(name.lower(), value) for name, value in client_headers]
    dropped = HOP_BY_HOP | NEVER_FROM_CLIENT | _connection_listed(lowered)
    kept = [
        (name, value)
        for name, value in lowered
        if name not in dropped and not name.startswith(IDENTITY_PREFIXES)
    ]
    host = next((v for n, v in lowered if n == "host"), "")
    kept += [
        ("x-forwarded-for", client_ip),
        ("x-forwarded-proto", scheme),
        ("x-forwarded-host", host),
        ("x-request-id", request_id),
    ]
    return kept


def client_response_headers(
    upstream: Iterable[tuple[bytes, bytes]],
) -> list[tuple[bytes, bytes]]:
    """The service's answer headers (as read off the wire) that go on to the client."""
    pairs = [(name.decode("latin-1").lower(), value) for name, value in upstream]
    listed = _connection_listed((n, v.decode("latin-1")) for n, v in pairs)
    dropped = HOP_BY_HOP | {"x-request-id", "server", "date"} | listed
    return [(n.encode("latin-1"), v) for n, v in pairs if n not in dropped]
