from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "saleor_aftersales.dashboard"
    label = "dashboard"
