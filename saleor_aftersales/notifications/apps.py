from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "saleor_aftersales.notifications"
    label = "notifications"
