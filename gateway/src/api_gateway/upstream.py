"""The gateway's aiohttp client, for its own calls to the services (OpenAPI documents,
readiness); proxied requests go through `upstream_http` (a third of aiohttp's CPU per
request, measured by `bench/upstream_client.py`)."""

import aiohttp


def make_client_session(
    *, pool_size: int, connect_timeout: float, keepalive_seconds: float
) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(
        limit=pool_size,
        limit_per_host=pool_size,
        keepalive_timeout=keepalive_seconds,
        ttl_dns_cache=60,
    )
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=connect_timeout),
        auto_decompress=False,  # pass bodies through byte for byte
        skip_auto_headers=("User-Agent", "Accept-Encoding", "Content-Type"),
        cookie_jar=aiohttp.DummyCookieJar(),
    )
