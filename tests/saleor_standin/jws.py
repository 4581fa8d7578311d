"""Signing keys, the JWKS document and Saleor's detached JWS webhook signatures.

Saleor signs every webhook body with RS256 as a JWS with a detached, *unencoded* payload (RFC 7797):
protected header {"alg":"RS256","b64":false,"crit":["b64"],"kid":<RFC 7638 thumbprint>,"typ":"JWT"}, header value
`<b64url(header)>..<b64url(signature)>`. PyJWT produces exactly that layout with `is_payload_detached=True` and the
headers {"kid", "crit": ["b64"]} (checked against the real samples in tests/test_standin_webhooks.py).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt import api_jws


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def rfc7638_thumbprint(jwk: dict[str, Any]) -> str:
    """The JWK thumbprint Saleor uses as `kid`: SHA-256 over the canonical JSON of the required RSA members."""
    canonical = json.dumps(
        {"e": jwk["e"], "kty": jwk["kty"], "n": jwk["n"]}, separators=(",", ":"), sort_keys=True
    )
    return b64url(hashlib.sha256(canonical.encode()).digest())


@dataclass
class SigningKey:
    private_key: rsa.RSAPrivateKey
    kid: str = field(init=False)

    def __post_init__(self) -> None:
        self.kid = rfc7638_thumbprint(self._raw_public_jwk())

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def _raw_public_jwk(self) -> dict[str, Any]:
        return json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key()))

    def public_jwk(self) -> dict[str, Any]:
        raw = self._raw_public_jwk()
        # Same members and order as the JWKS a real Saleor serves (samples/jwks.json).
        return {
            "kty": "RSA",
            "key_ops": ["verify"],
            "n": raw["n"],
            "e": raw["e"],
            "use": "sig",
            "kid": self.kid,
            "alg": "RS256",
        }


class KeyRing:
    """The stand-in's RSA keys: one current key published in the JWKS; rotated-out keys are kept only so the
    stand-in can still check tokens it issued earlier (they are no longer published)."""

    def __init__(self) -> None:
        self.current = SigningKey.generate()
        self.retired: list[SigningKey] = []

    def rotate(self) -> SigningKey:
        self.retired.append(self.current)
        self.current = SigningKey.generate()
        return self.current

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.current.public_jwk()]}

    def find(self, kid: str | None) -> SigningKey | None:
        for key in [self.current, *self.retired]:
            if key.kid == kid:
                return key
        return None


def sign_detached(body: bytes, key: SigningKey) -> str:
    """The `Saleor-Signature` header value for a webhook body."""
    return api_jws.encode(
        body,
        key.private_key,
        algorithm="RS256",
        headers={"kid": key.kid, "crit": ["b64"]},
        is_payload_detached=True,
    )


def decode_protected_header(signature: str) -> dict[str, Any]:
    return json.loads(b64url_decode(signature.split(".")[0]))


def verify_detached(signature: str, body: bytes, jwks: dict[str, Any]) -> dict[str, Any]:
    """Verify a Saleor webhook signature the way an app does (PyJWT, key picked by kid). Returns the header."""
    header = decode_protected_header(signature)
    jwk_set = jwt.PyJWKSet.from_dict(jwks)
    key = next((k for k in jwk_set.keys if k.key_id == header.get("kid")), None)
    if key is None:
        raise jwt.InvalidKeyError(f"unknown kid {header.get('kid')!r}")
    api_jws.PyJWS().decode(signature, key.key, algorithms=["RS256"], detached_payload=body)
    return header
