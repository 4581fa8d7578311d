"""Install, re-install and remove installations."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import transaction

from ..core.errors import DomainError
from ..core.time import now
from ..saleor_client.client import SaleorClient
from ..saleor_client.errors import SaleorError
from .jwks import JwksUnavailable, fetch_jwks
from .lookup import forget_installations
from .models import Installation


def saleor_url_allowed(saleor_api_url: str) -> bool:
    return any(re.fullmatch(pattern, saleor_api_url) for pattern in settings.ALLOWED_SALEOR_API_URLS)


def register_installation(*, saleor_api_url: str, saleor_domain: str, auth_token: str) -> Installation:
    """The token exchange: prove the token works, learn our app id, prime the JWKS, store it all.

    Raises DomainError with codes SALEOR_URL_PROHIBITED, UNKNOWN_APP_ID or JWKS_NOT_AVAILABLE.
    """
    if not saleor_url_allowed(saleor_api_url):
        raise DomainError("SALEOR_URL_PROHIBITED", "This Saleor instance is not allowed to install the app.")
    try:
        data = SaleorClient(saleor_api_url, auth_token, retries=1).execute("AppId")
    except SaleorError as exc:
        raise DomainError("UNKNOWN_APP_ID", f"Could not verify the app token with Saleor: {exc}") from exc
    app_id = (data.get("app") or {}).get("id")
    if not app_id:
        raise DomainError("UNKNOWN_APP_ID", "Saleor did not return the app id for this token.")
    try:
        jwks = fetch_jwks(saleor_api_url)
    except JwksUnavailable as exc:
        raise DomainError("JWKS_NOT_AVAILABLE", f"Could not fetch Saleor's JWKS: {exc}") from exc
    with transaction.atomic():
        installation, _ = Installation.objects.select_for_update().update_or_create(
            saleor_api_url=saleor_api_url,
            defaults={
                "saleor_domain": saleor_domain,
                "app_id": app_id,
                "auth_token": auth_token,
                "jwks": jwks,
                "jwks_fetched_at": now(),
                "saleor_version": str((data.get("shop") or {}).get("version") or ""),
                "is_active": True,
            },
        )
    return installation


def deactivate_installation(*, installation: Installation) -> None:
    Installation.objects.filter(pk=installation.pk).update(is_active=False)
    forget_installations()
