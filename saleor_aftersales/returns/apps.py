from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "saleor_aftersales.returns"
    label = "returns"
