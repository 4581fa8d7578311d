from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "saleor_aftersales.service"
    label = "service"
