"""Audit rows of insights: alert raised/refreshed/acknowledged, simulation started/finished/failed."""

from __future__ import annotations

from ..core.events import EventRecorder
from .models import QualityAlertEvent, SimulationRunEvent

record_alert_event = EventRecorder(QualityAlertEvent, "alert")


record_run_event = EventRecorder(SimulationRunEvent, "run")
