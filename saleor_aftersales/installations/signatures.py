"""Verification of Saleor's webhook signature: RS256 JWS with a detached, unencoded payload (RFC 7797).

Signing input = base64url(protected header) + "." + raw body bytes. Verified on the raw bytes before anything
is parsed; the algorithm is pinned to RS256 (RSASSA-PKCS1-v1_5 with SHA-256), never taken from the header.

Why not PyJWT on the hot path: `PyJWS.decode_complete` re-parses the header and base64 and builds the key
from the JWK on every call. Here the public key is parsed once per (installation key set, kid) and the RSA
check is one `cryptography` call on the same signing input; PyJWT still parses the JWKs (`PyJWKSet`).
"""

from __future__ import annotations

import binascii
import json
import threading
from dataclasses import dataclass

import jwt
from cryptography.exceptions import InvalidSignature as _CryptoInvalidSignature
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.hashes import SHA256
from jwt.utils import base64url_decode

from .jwks import signing_key
from .models import Installation

SUPPORTED_CRIT = frozenset({"b64"})
NO_KEY = "No key for this kid in the installation's JWKS"
_PKCS1V15 = padding.PKCS1v15()
_SHA256 = SHA256()


class InvalidSignature(Exception):
    pass


@dataclass(frozen=True)
class DetachedJws:
    """A parsed detached JWS: the key id, the protected header as sent (base64url) and the signature bytes."""

    kid: str | None
    header_b64: str
    signature_bytes: bytes


def parse_detached_jws(signature: str) -> DetachedJws:
    """Parse the Saleor-Signature header (pure: no key, no I/O), or InvalidSignature."""
    parts = signature.split(".")
    if len(parts) != 3 or parts[1] != "":
        raise InvalidSignature("Not a detached JWS")
    try:
        header = json.loads(base64url_decode(parts[0].encode()))
        signature_bytes = base64url_decode(parts[2].encode())
    except (ValueError, TypeError, binascii.Error) as exc:
        raise InvalidSignature("Malformed JWS") from exc
    if not isinstance(header, dict) or header.get("alg") != "RS256":
        raise InvalidSignature("Unsupported JWS algorithm")
    crit = header.get("crit")
    if header.get("b64") is not False or not isinstance(crit, list) or "b64" not in crit:
        raise InvalidSignature("JWS payload must be unencoded and detached")
    if not all(isinstance(ext, str) and ext in SUPPORTED_CRIT for ext in crit):
        raise InvalidSignature("Unsupported critical JWS extension")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise InvalidSignature("Malformed JWS")
    return DetachedJws(kid, parts[0], signature_bytes)


def verify_detached(jws: DetachedJws, body: bytes, key: jwt.PyJWK) -> None:
    """The RSA check on the raw bytes (one `cryptography` call), or InvalidSignature."""
    public_key = key.key
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise InvalidSignature("Key is not an RSA public key")
    try:
        public_key.verify(jws.signature_bytes, jws.header_b64.encode() + b"." + body, _PKCS1V15, _SHA256)
    except _CryptoInvalidSignature as exc:
        raise InvalidSignature("Signature verification failed") from exc


def verify_with_jwks(signature: str, body: bytes, jwks: dict) -> None:
    """Verify against a given key set (used by tests on the real samples)."""
    jws = parse_detached_jws(signature)
    keyset = jwt.PyJWKSet.from_dict(jwks)
    key = next((k for k in keyset.keys if k.key_id == jws.kid), None)
    if key is None:
        raise InvalidSignature("Unknown key id")
    verify_detached(jws, body, key)


# Parsed keys per installation: {installation pk: (the jwks dict they came from, {kid: key})}. A JWKS refetch
# assigns a new dict to installation.jwks, so the identity check below drops the stale keys at once.
_keys_lock = threading.Lock()
_parsed_keys: dict[int, tuple[dict, dict[str | None, jwt.PyJWK]]] = {}


def cached_key(installation: Installation, kid: str | None) -> jwt.PyJWK | None:
    """The parsed key for `kid` when it is cached for this installation's current key set; no I/O."""
    cached = _parsed_keys.get(installation.pk)
    if cached is not None and cached[0] is (installation.jwks or {}) and kid in cached[1]:
        return cached[1][kid]
    return None


def key_for(installation: Installation, kid: str | None) -> jwt.PyJWK | None:
    """The key for `kid`: cached, else parsed from the installation's JWKS, which is refetched once when the kid
    is unknown (Saleor rotated its key). May do I/O (HTTP, database): never call it on an event loop."""
    key = cached_key(installation, kid)
    if key is not None:
        return key
    key = signing_key(installation, kid)  # may refetch the JWKS (unknown kid) and replace installation.jwks
    if key is not None:
        with _keys_lock:
            current = _parsed_keys.get(installation.pk)
            keys = dict(current[1]) if current is not None and current[0] is installation.jwks else {}
            keys[kid] = key
            _parsed_keys[installation.pk] = (installation.jwks, keys)
    return key


def verify_webhook_signature(installation: Installation, signature: str, body: bytes) -> None:
    jws = parse_detached_jws(signature)
    key = key_for(installation, jws.kid)
    if key is None:
        raise InvalidSignature(NO_KEY)
    verify_detached(jws, body, key)
