"""SLA state of subjects, for lists (one query for many subjects)."""

from __future__ import annotations

from datetime import datetime

from ..installations.models import Installation
from .models import ClockStatus, SlaClock


def sla_state(clock: SlaClock | None, now: datetime) -> str:
    """on_track | at_risk | breached | met | paused | none."""
    if clock is None:
        return "none"
    if clock.status == ClockStatus.MET:
        return "met"
    if clock.status == ClockStatus.BREACHED or (clock.status == ClockStatus.RUNNING and now > clock.due_at):
        return "breached"
    if clock.status == ClockStatus.PAUSED:
        return "paused"
    if clock.warn_at and now >= clock.warn_at:
        return "at_risk"
    return "on_track"


def clocks_for(installation: Installation, subject_type: str, subject_ids: list) -> dict[str, list[SlaClock]]:
    result: dict[str, list[SlaClock]] = {}
    for clock in SlaClock.objects.filter(
        installation=installation, subject_type=subject_type, subject_id__in=[str(s) for s in subject_ids]
    ):
        result.setdefault(clock.subject_id, []).append(clock)
    return result
