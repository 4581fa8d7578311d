from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "saleor_aftersales.service"
    label = "service"

    def ready(self) -> None:
        from ..surveys.registry import on_low_score
        from . import escalation  # noqa: F401 - registers the SLA warning/breach handlers
        from .follow_up import open_follow_up_case

        on_low_score(open_follow_up_case)
