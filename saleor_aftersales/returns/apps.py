from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "saleor_aftersales.returns"
    label = "returns"

    def ready(self) -> None:
        from . import outbox_handlers  # noqa: F401  (registers outbox callbacks and reconcilers)
