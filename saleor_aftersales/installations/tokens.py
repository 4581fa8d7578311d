"""Verification of the JWTs Saleor issues (customer/staff access tokens, Dashboard app tokens).

The installation is chosen by the token's `iss` (and the optional `Saleor-Api-Url` header must agree); the
signature is then checked only against that installation's stored JWKS, so a token minted by another
Saleor, or by anyone pointing `iss` at their own key set, is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import jwt

from .jwks import signing_key
from .models import Installation


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class SaleorTokenClaims:
    installation: Installation
    raw: dict
    user_id: str
    email: str
    is_staff: bool
    token_type: str  # "access" for customer/staff tokens, "thirdparty" for Dashboard app tokens
    user_permissions: frozenset[str] = field(default_factory=frozenset)
    app_id: str = ""
    exp: int = 0

    @property
    def is_app_token(self) -> bool:
        return self.token_type == "thirdparty"


def _unverified(token: str) -> tuple[dict, dict]:
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise InvalidToken("Malformed token") from exc
    return header, claims


def verify_saleor_jwt(token: str, *, saleor_api_url: str | None = None) -> SaleorTokenClaims:
    header, unverified = _unverified(token)
    if header.get("alg") != "RS256":
        raise InvalidToken("Only RS256 tokens are accepted")
    issuer = unverified.get("iss")
    if not isinstance(issuer, str) or not issuer:
        raise InvalidToken("Token has no issuer")
    if saleor_api_url and saleor_api_url != issuer:
        raise InvalidToken("Token issuer does not match Saleor-Api-Url")
    installation = Installation.objects.filter(saleor_api_url=issuer, is_active=True).first()
    if installation is None:
        raise InvalidToken("No installation for this issuer")
    key = signing_key(installation, header.get("kid"))
    if key is None:
        raise InvalidToken("Unknown signing key")
    try:
        claims = jwt.decode(
            token,
            key=key,
            algorithms=["RS256"],
            issuer=installation.saleor_api_url,
            options={"require": ["exp", "iss"], "verify_aud": False},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    token_type = str(claims.get("type", ""))
    if token_type not in ("access", "thirdparty"):
        raise InvalidToken("Not an access token")
    app_id = str(claims.get("app", ""))
    if token_type == "thirdparty" and app_id != installation.app_id:
        raise InvalidToken("Token was issued for another app")
    return SaleorTokenClaims(
        installation=installation,
        raw=claims,
        user_id=str(claims.get("user_id", "")),
        email=str(claims.get("email", "")),
        is_staff=bool(claims.get("is_staff", False)),
        token_type=token_type,
        user_permissions=frozenset(claims.get("user_permissions") or []),
        app_id=app_id,
        exp=int(claims["exp"]),
    )
