"""Who is calling our API: a customer, a staff user, or a guest — always within one installation.

Tokens are Saleor JWTs (see tokens.py). A Dashboard (app-extension) token lists `user_permissions`; a plain
staff token from `tokenCreate` has only `is_staff`, so we ask Saleor `me { userPermissions }` with that very
token (which also catches a revoked token) and cache the answer until the token expires.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

from ..core.actors import Actor, ActorType, current_actor
from ..core.errors import PermissionDeniedError
from ..saleor_client.client import SaleorClient
from ..saleor_client.errors import SaleorError
from .models import Installation
from .tokens import InvalidToken, SaleorTokenClaims, verify_saleor_jwt


class AuthenticationFailed(Exception):
    pass


@dataclass(frozen=True)
class Requestor:
    installation: Installation | None
    actor: Actor
    claims: SaleorTokenClaims | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.claims is not None

    @property
    def is_staff(self) -> bool:
        return self.actor.type == ActorType.STAFF

    @property
    def is_customer(self) -> bool:
        return self.actor.type == ActorType.CUSTOMER

    def has_perm(self, permission: str) -> bool:
        return self.is_staff and permission in self.actor.permissions

    def require_installation(self) -> Installation:
        if self.installation is None:
            raise PermissionDeniedError("Authenticate with a Saleor token or send the Saleor-Api-Url header.")
        return self.installation

    def require_staff(self, *permissions: str) -> Installation:
        installation = self.require_installation()
        if not self.is_staff:
            raise PermissionDeniedError("Staff only.")
        missing = [p for p in permissions if p not in self.actor.permissions]
        if missing:
            raise PermissionDeniedError(f"Requires permission: {', '.join(missing)}.")
        return installation

    def require_customer(self) -> Installation:
        installation = self.require_installation()
        if not self.is_customer:
            raise PermissionDeniedError("Sign in as a customer.")
        return installation


def bearer_token(request: HttpRequest) -> str | None:
    # App Bridge sends `authorization-bearer`; storefronts and gateways send a standard Authorization header.
    raw = request.headers.get("Authorization", "")
    if raw.lower().startswith("bearer "):
        return raw[7:].strip() or None
    return request.headers.get("Authorization-Bearer") or None


def _staff_permissions(claims: SaleorTokenClaims, token: str) -> frozenset[str]:
    if claims.is_app_token or "user_permissions" in claims.raw:
        return claims.user_permissions
    key = "staffperms:" + hashlib.sha256(token.encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return frozenset(cached)
    try:
        data = SaleorClient(claims.installation.saleor_api_url, token, retries=1).execute("StaffPermissions")
    except SaleorError as exc:
        raise AuthenticationFailed("Saleor did not accept the staff token") from exc
    me = data.get("me") or {}
    if not me or me.get("id") != claims.user_id or not me.get("isStaff"):
        raise AuthenticationFailed("The token's user is not a staff member")
    permissions = [p["code"] for p in me.get("userPermissions") or []]
    ttl = max(int(claims.exp - time.time()), 1)
    cache.set(key, permissions, timeout=ttl)
    return frozenset(permissions)


def authenticate(request: HttpRequest) -> Requestor:
    token = bearer_token(request)
    api_url = request.headers.get("Saleor-Api-Url") or None
    if not token:
        installation = (
            Installation.objects.filter(saleor_api_url=api_url, is_active=True).first() if api_url else None
        )
        return Requestor(installation=installation, actor=Actor(type=ActorType.GUEST))
    try:
        claims = verify_saleor_jwt(token, saleor_api_url=api_url)
    except InvalidToken as exc:
        raise AuthenticationFailed(str(exc)) from exc
    if claims.is_staff:
        permissions = _staff_permissions(claims, token)
        actor = Actor(
            type=ActorType.STAFF, user_id=claims.user_id, email=claims.email, permissions=permissions
        )
    else:
        actor = Actor(type=ActorType.CUSTOMER, user_id=claims.user_id, email=claims.email)
    current_actor.set(actor)  # audit.tracking attributes configuration changes to this user
    return Requestor(installation=claims.installation, actor=actor, claims=claims)
