from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "saleor_aftersales.outbox"
    label = "outbox"
