"""The Celery application. Tasks are thin: they take ids and call one domain action."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_aftersales.settings")

app = Celery("saleor_aftersales")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# Periodic jobs: each capability lists its own in `<capability>/schedule.py` as `SCHEDULE = {...}` (plain dicts,
# no Django imports), merged here with the foundation's in settings.CELERY_BEAT_SCHEDULE.
_CAPABILITIES_WITH_SCHEDULES = (
    "returns",
    "loyalty",
    "warranty",
    "surveys",
    "service",
    "sla",
    "notifications",
    "insights",
)


def _merge_schedules() -> None:
    import importlib

    schedule = dict(app.conf.beat_schedule or {})
    for name in _CAPABILITIES_WITH_SCHEDULES:
        try:
            module = importlib.import_module(f"saleor_aftersales.{name}.schedule")
        except ModuleNotFoundError:
            continue
        schedule.update(getattr(module, "SCHEDULE", {}))
    app.conf.beat_schedule = schedule


app.on_after_configure.connect(lambda sender, **kwargs: _merge_schedules(), weak=False)
