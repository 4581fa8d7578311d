from celery import shared_task

from . import escalation


@shared_task(name="sla.sweep")
def sweep_sla_clocks() -> dict[str, int]:
    return escalation.sweep()
