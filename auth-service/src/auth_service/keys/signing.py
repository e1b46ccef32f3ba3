"""The access-token signing key (RS256 or EdDSA), its `kid`, and the published JWKS."""

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from jwt.algorithms import OKPAlgorithm, RSAAlgorithm

PrivateKey = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
PublicKey = rsa.RSAPublicKey | ed25519.Ed25519PublicKey
_THUMBPRINT_MEMBERS = {"RSA": ("e", "kty", "n"), "OKP": ("crv", "kty", "x")}


def generate_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_jwk(public_key: PublicKey) -> dict[str, Any]:
    """The public key as a JWK with `kid` = its RFC 7638 thumbprint."""
    if isinstance(public_key, rsa.RSAPublicKey):
        jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(public_key))
        jwk["alg"] = "RS256"
    else:
        jwk = json.loads(OKPAlgorithm.to_jwk(public_key))
        jwk["alg"] = "EdDSA"
    members = {m: jwk[m] for m in _THUMBPRINT_MEMBERS[jwk["kty"]]}
    digest = hashlib.sha256(json.dumps(members, separators=(",", ":")).encode()).digest()
    jwk["kid"] = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    jwk["use"] = "sig"
    return jwk


def load_private_key(pem: str) -> PrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        raise ValueError("the signing key must be RSA or Ed25519")
    return key


@dataclass(frozen=True)
class SigningKeys:
    """Signs with the current key; publishes the current and the previous one."""

    private_key: PrivateKey
    current_jwk: dict[str, Any]
    previous_jwk: dict[str, Any] | None

    @classmethod
    def from_pem(cls, current: str, previous: str | None = None) -> "SigningKeys":
        key = load_private_key(current)
        old = public_jwk(load_private_key(previous).public_key()) if previous else None
        return cls(key, public_jwk(key.public_key()), old)

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(
            claims,
            self.private_key,
            algorithm=self.current_jwk["alg"],
            headers={"kid": self.current_jwk["kid"]},
        )

    def jwks(self) -> dict[str, Any]:
        keys = [self.current_jwk]
        if self.previous_jwk and self.previous_jwk["kid"] != self.current_jwk["kid"]:
            keys.append(self.previous_jwk)
        return {"keys": keys}
