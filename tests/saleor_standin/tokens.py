"""User JWTs shaped like Saleor's (protocol doc §5) and how the stand-in's API checks them.

Claims: iat, exp, iss (the API URL), owner "saleor", type ("access" from tokenCreate, "thirdparty" for the
Dashboard's app tokens), token (the user's revocable token key), email, user_id (global id), is_staff; third-party
tokens add app, permissions and user_permissions (and aud when the app's manifest sets `audience`).
The header carries `kid`, like every JWT Saleor signs.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt

from .jws import KeyRing, SigningKey, b64url_decode

ACCESS = "access"
THIRDPARTY = "thirdparty"


class AuthError(Exception):
    """A token Saleor would refuse; `code` is the exception name Saleor reports in `extensions.exception.code`."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def looks_like_jwt(token: str) -> bool:
    parts = token.split(".")
    if len(parts) != 3:
        return False
    try:
        b64url_decode(parts[0])
    except ValueError:
        return False
    return True


@dataclass
class TokenFactory:
    keys: KeyRing
    issuer: str

    def claims(
        self,
        user: dict[str, Any],
        *,
        token_type: str,
        ttl: int,
        issued_at: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        now = int(time.time()) if issued_at is None else issued_at
        claims: dict[str, Any] = {
            "iat": now,
            "exp": now + ttl,
            "iss": self.issuer,
            "owner": "saleor",
            "token": user["_token_key"],
            "email": user["email"],
            "type": token_type,
            "user_id": user["id"],
            "is_staff": bool(user["isStaff"]),
        }
        claims.update(extra or {})
        return claims

    def sign(self, claims: dict[str, Any], *, key: SigningKey | None = None, kid: str | None = None) -> str:
        key = key or self.keys.current
        return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": kid or key.kid})


def new_token_key() -> str:
    return uuid.uuid4().hex[:12]


def decode_user_token(token: str, keys: KeyRing) -> dict[str, Any]:
    """Check signature and expiry like Saleor's API does (it does not pin `iss` or `aud`)."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise AuthError("DecodeError", "Invalid token.") from exc
    key = keys.find(header.get("kid")) or keys.current
    try:
        return jwt.decode(
            token,
            key.private_key.public_key(),
            algorithms=["RS256"],
            options={"verify_aud": False, "verify_iss": False},
        )
    except jwt.ExpiredSignatureError as exc:
        raise AuthError("ExpiredSignatureError", "Signature has expired") from exc
    except jwt.InvalidSignatureError as exc:
        raise AuthError("InvalidSignatureError", "Signature verification failed") from exc
    except jwt.PyJWTError as exc:
        raise AuthError(type(exc).__name__, str(exc) or "Invalid token.") from exc
