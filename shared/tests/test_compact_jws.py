"""The access-token check refuses what RFC 7515/7519 and our rules refuse, token by token,
and agrees with PyJWT (which it replaced on the hot path) everywhere except the two places
it is stricter on purpose: `=`-padded segments, dates given as strings, oversized tokens."""

import base64
import json
import time
import uuid
from typing import Any

import jwt
import pytest
from checkin_shared.compact_jws import MAX_TOKEN_CHARS
from checkin_shared.errors import ProblemError
from checkin_shared.keysets import StaticKeySet
from checkin_shared.tokens import TokenVerifier
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from jwt.algorithms import RSAAlgorithm

ISSUER, AUDIENCE, LEEWAY = "checkin-auth", "checkin", 5
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KID = "test-key"
JWK = {**json.loads(RSAAlgorithm.to_jwk(KEY.public_key())), "kid": KID, "alg": "RS256"}
PUBLIC_PEM = KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "sub": str(uuid.uuid4()),
        "role": "shopper",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
    }
    base.update(changes)
    return {name: value for name, value in base.items() if value is not ...}


def signed(payload: Any, header: dict[str, Any] | None = None) -> str:
    head = {"alg": "RS256", "typ": "JWT", "kid": KID, **(header or {})}
    signing_input = f"{b64(json.dumps(head).encode())}.{b64(json.dumps(payload).encode())}"
    signature = KEY.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64(signature)}"


def raw(header: bytes, payload: bytes) -> str:
    signing_input = f"{b64(header)}.{b64(payload)}"
    signature = KEY.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64(signature)}"


def last_char_bits_set(segment: str) -> str:
    """The same bytes spelled another way: the last character's unused low bits set."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return segment[:-1] + alphabet[alphabet.index(segment[-1]) | 0b11]


def with_segment(token: str, index: int, segment: str) -> str:
    parts = token.split(".")
    parts[index] = segment
    return ".".join(parts)


def cases() -> dict[str, tuple[str, bool, bool]]:
    """name: (token, accepted, PyJWT agrees)."""
    import hashlib
    import hmac

    now = int(time.time())
    good = signed(claims())
    header, payload, signature = good.split(".")
    hs256_input = f"{b64(json.dumps({'alg': 'HS256', 'kid': KID}).encode())}.{payload}"
    hs256 = hmac.new(PUBLIC_PEM, hs256_input.encode(), hashlib.sha256).digest()
    found = {
        "valid": (good, True, True),
        "audience in a list": (signed(claims(aud=["other", AUDIENCE])), True, True),
        "expired within the leeway": (signed(claims(exp=now - 2)), True, True),
        "expired": (signed(claims(exp=now - 60)), False, True),
        "issued in the future within the leeway": (signed(claims(iat=now + 2)), True, True),
        "issued in the future": (signed(claims(iat=now + 600)), False, True),
        "not yet valid": (signed(claims(nbf=now + 600)), False, True),
        "valid since": (signed(claims(nbf=now - 10)), True, True),
        "fractional exp": (signed(claims(exp=now + 300.5)), True, True),
        "wrong issuer": (signed(claims(iss="someone-else")), False, True),
        "issuer not a string": (signed(claims(iss=7)), False, True),
        "wrong audience": (signed(claims(aud="other")), False, True),
        "audience list without ours": (signed(claims(aud=["a", "b"])), False, True),
        "audience a number": (signed(claims(aud=7)), False, True),
        "audience list with a number": (signed(claims(aud=[AUDIENCE, 7])), False, True),
        "subject a number": (signed(claims(sub=7)), False, True),
        "jti a number": (signed(claims(jti=7)), False, True),
        "exp null": (signed(claims(exp=None)), False, True),
        "payload a list": (signed([1, 2]), False, True),
        "header a list": (raw(b"[1]", json.dumps(claims()).encode()), False, True),
        "header not json": (raw(b"{nope", json.dumps(claims()).encode()), False, True),
        "payload not json": (
            raw(json.dumps({"alg": "RS256", "kid": KID}).encode(), b"{"),
            False,
            True,
        ),
        "alg none": (
            f"{b64(json.dumps({'alg': 'none', 'kid': KID}).encode())}.{payload}.",
            False,
            True,
        ),
        "HS256 keyed with the public key": (f"{hs256_input}.{b64(hs256)}", False, True),
        "unknown kid": (signed(claims(), {"kid": "other"}), False, True),
        "kid a number": (signed(claims(), {"kid": 7}), False, True),
        "no kid": (signed(claims(), {"kid": None}), False, True),
        "alg not allowed": (signed(claims(), {"alg": "RS512"}), False, True),
        "crit extension": (signed(claims(), {"crit": ["exp"], "exp": 1}), False, True),
        "b64 false": (signed(claims(), {"crit": ["b64"], "b64": False}), False, True),
        "payload edited": (
            with_segment(good, 1, b64(json.dumps(claims(role="admin")).encode())),
            False,
            True,
        ),
        "signature edited": (
            with_segment(
                good, 2, signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
            ),
            False,
            True,
        ),
        "signature spelled another way": (
            with_segment(good, 2, last_char_bits_set(signature)),
            False,
            True,
        ),
        "signature missing": (f"{header}.{payload}.", False, True),
        "two segments": (f"{header}.{payload}", False, True),
        "four segments": (f"{good}.{signature}", False, True),
        "not base64url": (with_segment(good, 1, payload[:-4] + "!!!!"), False, True),
        "not ascii": (with_segment(good, 1, payload[:-1] + "é"), False, True),
        "garbage": ("garbage", False, True),
        # Stricter than PyJWT, on purpose:
        "padded segments": (
            with_segment(good, 2, signature + "=" * (-len(signature) % 4)),
            False,
            False,
        ),
        "exp a string": (signed(claims(exp=str(now + 300))), False, False),
        "oversized": (signed(claims(filler="x" * MAX_TOKEN_CHARS)), False, False),
    }
    assert "=" in found["padded segments"][0]
    return found


NAMES = list(cases())


def pyjwt_accepts(token: str) -> bool:
    """PyJWT as the check used it: the header read first to find the key by its kid."""
    try:
        if jwt.get_unverified_header(token).get("kid") != KID:
            return False
        jwt.decode(
            token,
            jwt.PyJWK(JWK),
            algorithms=["RS256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=LEEWAY,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"]},
        )
    except jwt.PyJWTError:
        return False
    return True


@pytest.mark.parametrize("name", NAMES)
async def test_a_token_is_accepted_or_refused_as_the_rules_say(name: str) -> None:
    token, accepted, pyjwt_agrees = cases()[name]  # made now: some are seconds from expiring
    verifier = TokenVerifier(
        StaticKeySet({"keys": [JWK]}),
        issuer=ISSUER,
        audience=AUDIENCE,
        algorithms=["RS256", "EdDSA"],
        leeway_seconds=LEEWAY,
    )
    refusal: ProblemError | None = None
    try:
        await verifier.verify(token)
    except ProblemError as refused:
        refusal = refused
    assert (refusal is None) is accepted
    if refusal is not None:
        assert (refusal.status, refusal.code) == (401, "invalid_token")
    assert (pyjwt_accepts(token) is accepted) is pyjwt_agrees
