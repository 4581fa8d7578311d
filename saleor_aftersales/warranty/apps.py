from django.apps import AppConfig


class WarrantyConfig(AppConfig):
    name = "saleor_aftersales.warranty"
    label = "warranty"
