"""Rate limits (moving window) backed by `limits`: memory in dev, Redis in production."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from .errors import DomainError


@lru_cache(maxsize=1)
def _limiter() -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(storage_from_string(settings.RATE_LIMIT_STORAGE_URL))


def hit(rate: str, *keys: str) -> bool:
    """Record one hit; False when the limit is exceeded."""
    return _limiter().hit(parse(rate), *keys)


def enforce(rate: str, *keys: str, field: str | None = None) -> None:
    if not hit(rate, *keys):
        raise DomainError("RATE_LIMITED", "Too many attempts. Please try again later.", field)


def reset() -> None:
    _limiter().storage.reset()
