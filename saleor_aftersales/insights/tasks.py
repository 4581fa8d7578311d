"""Thin Celery tasks of insights: each takes ids (or nothing, for sweeps) and calls one action."""

from __future__ import annotations

from celery import shared_task

from ..core.time import now
from ..installations.models import Installation


@shared_task(name="insights.refresh_rollups")
def refresh_rollups_task(installation_id: int, full: bool = False) -> None:
    from .rollups import refresh_rollups

    installation = Installation.objects.filter(pk=installation_id, is_active=True).first()
    if installation is not None:
        refresh_rollups(installation, full=full)


@shared_task(name="insights.refresh_all_rollups")
def refresh_all_rollups_task() -> None:
    for installation_id in Installation.objects.filter(is_active=True).values_list("pk", flat=True):
        refresh_rollups_task.delay(installation_id)


@shared_task(name="insights.sweep_quality_alerts")
def sweep_quality_alerts_task(installation_id: int) -> None:
    from .alerts import sweep_quality_alerts
    from .rollups import refresh_rollups

    installation = Installation.objects.filter(pk=installation_id, is_active=True).first()
    if installation is not None:
        refresh_rollups(installation)
        sweep_quality_alerts(installation, today=now().date())


@shared_task(name="insights.sweep_all_quality_alerts")
def sweep_all_quality_alerts_task() -> None:
    for installation_id in Installation.objects.filter(is_active=True).values_list("pk", flat=True):
        sweep_quality_alerts_task.delay(installation_id)


@shared_task(name="insights.send_weekly_digest")
def send_weekly_digest_task(installation_id: int) -> None:
    from .actions import send_weekly_digest

    installation = Installation.objects.filter(pk=installation_id, is_active=True).first()
    if installation is not None:
        send_weekly_digest(installation=installation, today=now().date())


@shared_task(name="insights.send_all_weekly_digests")
def send_all_weekly_digests_task() -> None:
    for installation_id in Installation.objects.filter(is_active=True).values_list("pk", flat=True):
        send_weekly_digest_task.delay(installation_id)


@shared_task(name="insights.run_simulation")
def run_simulation_task(run_id: int) -> None:
    from .actions import run_simulation

    run_simulation(run_id=run_id)
