"""Saleor's JSON Web Key Set: fetched at install, cached on the installation, refetched once on an unknown kid."""

from __future__ import annotations

import logging

import httpx
import jwt
from django.conf import settings

from ..core.time import now
from .models import Installation

logger = logging.getLogger(__name__)


class JwksUnavailable(Exception):
    pass


def jwks_url(saleor_api_url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(saleor_api_url)
    return f"{parts.scheme}://{parts.netloc}/.well-known/jwks.json"


def fetch_jwks(saleor_api_url: str) -> dict:
    try:
        response = httpx.get(
            jwks_url(saleor_api_url),
            timeout=httpx.Timeout(settings.SALEOR_HTTP_TIMEOUT, connect=settings.SALEOR_HTTP_CONNECT_TIMEOUT),
            follow_redirects=False,
        )
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise JwksUnavailable(str(exc)) from exc
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise JwksUnavailable("JWKS has no keys")
    return data


def _find_key(jwks: dict, kid: str | None) -> jwt.PyJWK | None:
    if not jwks.get("keys"):
        return None
    try:
        keyset = jwt.PyJWKSet.from_dict(jwks)
    except jwt.PyJWTError:
        return None
    for key in keyset.keys:
        if kid is None or key.key_id == kid:
            return key
    return None


def refresh_jwks(installation: Installation) -> dict:
    jwks = fetch_jwks(installation.saleor_api_url)
    Installation.objects.filter(pk=installation.pk).update(jwks=jwks, jwks_fetched_at=now())
    installation.jwks = jwks
    return jwks


def signing_key(installation: Installation, kid: str | None) -> jwt.PyJWK | None:
    """The key for `kid` from the cached set; on a miss, refetch once (Saleor rotated its key)."""
    key = _find_key(installation.jwks or {}, kid)
    if key is not None:
        return key
    try:
        jwks = refresh_jwks(installation)
    except JwksUnavailable:
        logger.warning("jwks refetch failed", extra={"saleor_api_url": installation.saleor_api_url})
        return None
    return _find_key(jwks, kid)
