from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "saleor_aftersales.outbox"
    label = "outbox"

    def ready(self) -> None:
        from ..core.metrics import on_scrape
        from .selectors import refresh_outbox_gauges

        on_scrape(refresh_outbox_gauges)
