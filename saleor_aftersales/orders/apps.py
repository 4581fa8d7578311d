from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "saleor_aftersales.orders"
    label = "orders"
