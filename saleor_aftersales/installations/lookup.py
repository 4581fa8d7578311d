"""Installation lookup for the webhook hot path, with a short per-process cache.

Why: every webhook names its Saleor by `Saleor-Api-Url`, and at hundreds of deliveries a second the row lookup
was a third of the ingest time. The cache lives in the process only, for `INSTALLATION_CACHE_SECONDS`;
saving or deactivating an installation in this process clears it at once (signals / the action), and other
processes see such a change within the TTL. A JWKS refetch updates the cached object in place.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from .models import Installation

_lock = threading.Lock()
_cache: dict[str, tuple[float, Installation]] = {}


def cached_installation(api_url: str) -> Installation | None:
    """The cached active installation for `api_url` while its entry is fresh, else None; no I/O (the asyncio
    ingest path calls it on the event loop and falls back to active_installation in a thread)."""
    if getattr(settings, "INSTALLATION_CACHE_SECONDS", 5) <= 0:
        return None
    hit = _cache.get(api_url)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    return None


def active_installation(api_url: str) -> Installation | None:
    ttl = getattr(settings, "INSTALLATION_CACHE_SECONDS", 5)
    if ttl <= 0:
        return Installation.objects.filter(saleor_api_url=api_url, is_active=True).first()
    hit = cached_installation(api_url)
    if hit is not None:
        return hit
    installation = Installation.objects.filter(saleor_api_url=api_url, is_active=True).first()
    if installation is not None:  # misses are not cached: a Saleor that installs right now must work at once
        with _lock:
            _cache[api_url] = (time.monotonic() + ttl, installation)
    return installation


def forget_installations() -> None:
    with _lock:
        _cache.clear()


def _on_change(sender, **kwargs) -> None:
    forget_installations()


post_save.connect(_on_change, sender=Installation, dispatch_uid="installations.lookup.save")
post_delete.connect(_on_change, sender=Installation, dispatch_uid="installations.lookup.delete")
