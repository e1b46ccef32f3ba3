"""Who the client is: the socket's peer, unless that peer is a proxy we trust (the
shop's ingress or load balancer, `GATEWAY_TRUSTED_PROXIES`), in which case the nearest
address in `X-Forwarded-For` that is not one of our proxies. Nothing is trusted by
default: a client cannot choose its address by sending the header itself."""

import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(cidrs: Sequence[str]) -> list[Network]:
    return [ipaddress.ip_network(c, strict=False) for c in cidrs]


def _trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(peer: str, forwarded_for: str | None, trusted: Sequence[Network]) -> str:
    """The rightmost address of the chain (peer last) that is not a trusted proxy; each
    proxy appends the address it saw, so what lies left of an untrusted hop is the
    client's own word and is not taken."""
    if not trusted or not _trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in (forwarded_for or "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer
