"""URLs that admins enter and the services then call (an identity provider's discovery and
JWKS, outgoing webhooks): `https` on public addresses only, so an admin's typo or a
hostile entry cannot make a service call into its own network. `make dev` and the tests
also allow `http` on loopback (`allow_loopback`), which deployments leave off."""

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from checkin_shared.errors import ProblemError


def url_not_allowed(url: str, why: str) -> ProblemError:
    return ProblemError(
        422, "url_not_allowed", "URL not allowed", f"{url!r} cannot be used: {why}", url=url
    )


async def check_outbound_url(url: str, *, allow_loopback: bool) -> None:
    """422 `url_not_allowed` unless `url` may be called (the name is resolved: every
    address it gives must be public, or loopback where that is allowed)."""
    parts = urlsplit(url)
    host = parts.hostname
    if not host or parts.scheme not in ("https", "http") or parts.username or parts.password:
        raise url_not_allowed(url, "an absolute https URL without credentials is needed")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as exc:
        raise url_not_allowed(url, f"the name does not resolve ({exc})") from None
    addresses = {ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos}
    loopback = all(a.is_loopback for a in addresses)
    if loopback and allow_loopback:
        return  # make dev and tests: http or https on 127.0.0.1
    if parts.scheme != "https":
        raise url_not_allowed(url, "only https is allowed")
    for address in addresses:
        if not address.is_global:
            raise url_not_allowed(url, f"{address} is not a public address")
