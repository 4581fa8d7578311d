from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "saleor_aftersales.webhooks"
    label = "webhooks"
