from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "saleor_aftersales.core"
    label = "core"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers system checks)
