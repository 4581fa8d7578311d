from django.apps import AppConfig


class WarrantyConfig(AppConfig):
    name = "saleor_aftersales.warranty"
    label = "warranty"

    def ready(self) -> None:
        from . import outbox_handlers  # noqa: F401  (registers outbox callbacks and reconcilers)
