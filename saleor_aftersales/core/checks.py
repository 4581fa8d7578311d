"""System checks that refuse unsafe production settings."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def dev_broker_not_in_production(app_configs, **kwargs):
    broker = settings.CELERY_BROKER_URL
    dev_only = broker.startswith(("filesystem://", "sqla+", "memory://"))
    if dev_only and not settings.DEBUG and not settings.TESTING and not settings.ALLOW_DEV_BROKER:
        return [
            Error(
                f"CELERY_BROKER_URL={broker!r} is at-most-once and meant for development.",
                hint="Set CELERY_BROKER_URL (or REDIS_URL) to Redis, or ALLOW_DEV_BROKER=1 for the embedded default.",
                id="aftersales.E001",
            )
        ]
    return []
