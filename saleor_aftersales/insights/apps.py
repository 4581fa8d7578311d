from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "saleor_aftersales.insights"
    label = "insights"
