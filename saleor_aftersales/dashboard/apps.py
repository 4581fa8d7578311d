from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "saleor_aftersales.dashboard"
    label = "dashboard"

    def ready(self) -> None:
        from ..installations.manifest import provides_extensions
        from .extensions import manifest_extensions

        provides_extensions(manifest_extensions)
