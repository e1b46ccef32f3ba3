"""A signed access token in JWS compact form (RFC 7515, 7519) taken apart and checked in a
few C calls: a profile of the check-in showed PyJWT's generic decoding (a per-character
alphabet check in Python, the header parsed twice, option merging) costing twice the RSA
verification itself, in the gateway and in every service, on every request.

The signature itself is still checked by PyJWT's algorithm object of the key (the JWK
fixes the algorithm). Stricter than PyJWT in two places, both outside what RFC 7515/7519
allow: segments with `=` padding, and NumericDate claims given as strings."""

import base64
import json
import re
from dataclasses import dataclass
from typing import Any

MAX_TOKEN_CHARS = 8192
"""Longer is refused before anything is decoded (ours are under 1,000 characters)."""

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "sub", "jti")


class TokenRejected(Exception):
    """Why a token is refused, in words fit for the 401's `detail`."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class TokenExpired(TokenRejected):
    def __init__(self) -> None:
        super().__init__("token expired")


def decode_segment(segment: str) -> bytes:
    """base64url without padding, in its one canonical spelling (the unused low bits of the
    last character are zero), so a token has exactly one text."""
    if len(segment) % 4 == 1 or _BASE64URL.fullmatch(segment) is None:
        raise TokenRejected("malformed token")
    raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    if base64.urlsafe_b64encode(raw).rstrip(b"=") != segment.encode("ascii"):
        raise TokenRejected("malformed token")
    return raw


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise TokenRejected("malformed token") from exc
    if not isinstance(value, dict):
        raise TokenRejected("malformed token")
    return value


@dataclass(frozen=True)
class CompactToken:
    """A token split and its header read; the payload is decoded only once the signature
    holds (`claims`), so an unsigned token costs no more than its header."""

    header: dict[str, Any]
    signing_input: bytes
    signature: bytes
    payload_segment: str

    @classmethod
    def parse(cls, token: str) -> "CompactToken":
        if len(token) > MAX_TOKEN_CHARS:
            raise TokenRejected("malformed token")
        parts = token.split(".")
        if len(parts) != 3:
            raise TokenRejected("malformed token")
        header_segment, payload_segment, signature_segment = parts
        if _BASE64URL.fullmatch(payload_segment) is None:  # decoded later, checked now
            raise TokenRejected("malformed token")
        header = _json_object(decode_segment(header_segment))
        # No JWS extension is understood here: `crit` (and with it `b64: false`) refuses.
        if "crit" in header or header.get("b64", True) is not True:
            raise TokenRejected("unsupported critical header")
        signature = decode_segment(signature_segment)
        signing_input = f"{header_segment}.{payload_segment}".encode("ascii")
        return cls(header, signing_input, signature, payload_segment)

    def claims(self) -> dict[str, Any]:
        return _json_object(decode_segment(self.payload_segment))


def _numeric_date(claims: dict[str, Any], name: str) -> float:
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TokenRejected(f"token rejected: {name} is not a NumericDate")
    return float(value)


def check_claims(
    claims: dict[str, Any], *, issuer: str, audience: str, leeway: float, now: float
) -> None:
    """Every required claim present; `exp`, `iat` and `nbf` against `now` with `leeway`
    seconds either way; `iss` exactly; `aud` the audience or a list holding it; `sub` and
    `jti` strings."""
    for name in REQUIRED_CLAIMS:
        if claims.get(name) is None:
            raise TokenRejected(f"token rejected: the {name} claim is missing")
    if _numeric_date(claims, "exp") <= now - leeway:
        raise TokenExpired()
    if _numeric_date(claims, "iat") > now + leeway:
        raise TokenRejected("token rejected: issued in the future")
    if "nbf" in claims and _numeric_date(claims, "nbf") > now + leeway:
        raise TokenRejected("token rejected: not yet valid")
    if claims["iss"] != issuer:
        raise TokenRejected("token rejected: invalid issuer")
    aud = claims["aud"]
    audiences = [aud] if isinstance(aud, str) else aud
    if not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
        raise TokenRejected("token rejected: invalid audience claim")
    if audience not in audiences:
        raise TokenRejected("token rejected: invalid audience")
    if not isinstance(claims["sub"], str) or not isinstance(claims["jti"], str):
        raise TokenRejected("token rejected: sub and jti must be strings")
