from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "saleor_aftersales.sla"
    label = "sla"
