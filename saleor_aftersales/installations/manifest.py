"""The app manifest Saleor reads at install time (GET /api/manifest)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

from .. import __version__
from ..core.documents import subscription_documents
from .permissions import APP_PERMISSIONS

APP_IDENTIFIER = "saleor.app.aftersales"

# Events whose subscription types exist only from a given Saleor schema version.
EVENTS_SINCE: dict[str, tuple[int, int]] = {"APP_DELETED": (3, 23)}


def _parse_version(value: str | None) -> tuple[int, int] | None:
    try:
        major, minor = (value or "").split(".")[:2]
        return int(major), int(minor)
    except ValueError:
        return None


def absolute(path: str) -> str:
    return f"{settings.PUBLIC_URL}{path}"


def webhook_definitions(schema_version: str | None = None) -> list[dict]:
    version = _parse_version(schema_version)
    webhooks = []
    for event, query in subscription_documents().items():
        since = EVENTS_SINCE.get(event)
        if since and (version is None or version < since):
            continue
        webhooks.append(
            {
                "name": f"aftersales-{event.lower().replace('_', '-')}",
                "asyncEvents": [event],
                "query": query,
                "targetUrl": absolute(f"/api/webhooks/{event.lower()}"),
                "isActive": True,
            }
        )
    return webhooks


_EXTENSION_PROVIDERS: list[Callable[[], list[dict]]] = []


def provides_extensions(fn: Callable[[], list[dict]]) -> Callable[[], list[dict]]:
    """Register a function returning Dashboard extensions for the manifest.

    Why a registry: the dashboard app (an entry point, above this layer) owns its extension list and plugs it in
    from its AppConfig.ready(); the manifest does not import upward.
    """
    if fn not in _EXTENSION_PROVIDERS:
        _EXTENSION_PROVIDERS.append(fn)
    return fn


def extensions() -> list[dict]:
    return [extension for provider in _EXTENSION_PROVIDERS for extension in provider()]


def build_manifest(schema_version: str | None = None) -> dict:
    return {
        "id": APP_IDENTIFIER,
        "version": __version__,
        "name": "After-sales",
        "about": (
            "Returns, exchanges and claims; warranty and repair; loyalty points and rewards; service cases "
            "with SLA clocks — settled through Saleor."
        ),
        "author": "saleor-aftersales",
        "requiredSaleorVersion": ">=3.20",
        "permissions": [str(p) for p in APP_PERMISSIONS],
        "appUrl": absolute("/dashboard/"),
        "tokenTargetUrl": absolute("/api/register"),
        "homepageUrl": absolute("/"),
        "supportUrl": absolute("/"),
        "dataPrivacyUrl": absolute("/privacy"),
        "brand": {"logo": {"default": absolute("/static/aftersales/logo.png")}},
        "webhooks": webhook_definitions(schema_version),
        "extensions": extensions(),
    }
