from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "saleor_aftersales.service"
    label = "service"

    def ready(self) -> None:
        from . import escalation  # noqa: F401 - registers the SLA warning/breach handlers
