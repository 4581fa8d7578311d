from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "saleor_aftersales.audit"
    label = "audit"
    verbose_name = "Configuration history"

    def ready(self) -> None:
        from . import tracking

        tracking.connect()
