"""Verification of Saleor's webhook signature: RS256 JWS with a detached, unencoded payload (RFC 7797).

Signing input = base64url(protected header) + "." + raw body bytes. Verified on the raw bytes before anything
is parsed; the algorithm is pinned to RS256, never taken from the header.
"""

from __future__ import annotations

import json

import jwt
from jwt.utils import base64url_decode

from .jwks import signing_key
from .models import Installation


class InvalidSignature(Exception):
    pass


def _protected_header(signature: str) -> dict:
    parts = signature.split(".")
    if len(parts) != 3 or parts[1] != "":
        raise InvalidSignature("Not a detached JWS")
    try:
        header = json.loads(base64url_decode(parts[0].encode()))
    except (ValueError, TypeError) as exc:
        raise InvalidSignature("Malformed JWS header") from exc
    if not isinstance(header, dict) or header.get("alg") != "RS256":
        raise InvalidSignature("Unsupported JWS algorithm")
    if header.get("b64") is not False or "b64" not in (header.get("crit") or []):
        raise InvalidSignature("JWS payload must be unencoded and detached")
    return header


def verify_with_jwks(signature: str, body: bytes, jwks: dict) -> None:
    """Verify against a given key set (used by tests on the real samples)."""
    header = _protected_header(signature)
    keyset = jwt.PyJWKSet.from_dict(jwks)
    key = next((k for k in keyset.keys if k.key_id == header.get("kid")), None)
    if key is None:
        raise InvalidSignature("Unknown key id")
    _verify(signature, body, key)


def _verify(signature: str, body: bytes, key: jwt.PyJWK) -> None:
    try:
        jwt.api_jws.PyJWS().decode_complete(signature, key=key, algorithms=["RS256"], detached_payload=body)
    except jwt.PyJWTError as exc:
        raise InvalidSignature(str(exc)) from exc


def verify_webhook_signature(installation: Installation, signature: str, body: bytes) -> None:
    header = _protected_header(signature)
    key = signing_key(installation, header.get("kid"))
    if key is None:
        raise InvalidSignature("No key for this kid in the installation's JWKS")
    _verify(signature, body, key)
