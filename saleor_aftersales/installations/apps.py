from django.apps import AppConfig


class InstallationsConfig(AppConfig):
    name = "saleor_aftersales.installations"
    label = "installations"
