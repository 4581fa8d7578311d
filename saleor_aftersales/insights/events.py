"""Audit rows of insights: alert raised/refreshed/acknowledged, simulation started/finished/failed."""

from __future__ import annotations

from ..core.actors import Actor
from .models import QualityAlert, QualityAlertEvent, SimulationRun, SimulationRunEvent


def record_alert_event(
    alert: QualityAlert,
    *,
    type: str,
    actor: Actor,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict | None = None,
) -> QualityAlertEvent:
    return QualityAlertEvent.objects.create(
        alert=alert,
        type=type,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
        **actor.as_record(),
    )


def record_run_event(
    run: SimulationRun,
    *,
    type: str,
    actor: Actor,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict | None = None,
) -> SimulationRunEvent:
    return SimulationRunEvent.objects.create(
        run=run,
        type=type,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
        **actor.as_record(),
    )
