from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    name = "saleor_aftersales.loyalty"
    label = "loyalty"

    def ready(self) -> None:
        from . import outbox_handlers  # noqa: F401  (registers outbox callbacks and reconcilers)
