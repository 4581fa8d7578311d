from django.apps import AppConfig


class SaleorClientConfig(AppConfig):
    name = "saleor_aftersales.saleor_client"
    label = "saleor_client"
