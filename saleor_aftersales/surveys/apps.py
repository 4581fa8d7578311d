from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "saleor_aftersales.surveys"
    label = "surveys"

    def ready(self) -> None:
        from ..notifications.registry import webhook_events
        from . import handlers  # noqa: F401  (asks for feedback when a return, claim or repair is resolved)
        from .events import WEBHOOK_EVENTS

        webhook_events(*WEBHOOK_EVENTS)
