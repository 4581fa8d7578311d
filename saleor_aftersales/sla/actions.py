"""The SLA engine's entry points, used by returns, warranty/repair and service cases.

start_clock is idempotent per (subject, metric); stop_clock records met or breached; pause/resume for waiting
on the customer. The service capability adds business-hours calendars and escalation.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from ..core.time import now as clock_now
from ..installations.models import Installation
from .models import ClockStatus, SlaClock


def compute_due(*, started_at: datetime, target_minutes: int, calendar=None) -> datetime:
    if calendar is not None:
        from .calendars import add_business_minutes

        return add_business_minutes(calendar, started_at, target_minutes)
    return started_at + timedelta(minutes=target_minutes)


@transaction.atomic
def start_clock(
    *,
    installation: Installation,
    subject_type: str,
    subject_id: str | int,
    metric: str,
    target_minutes: int,
    started_at: datetime | None = None,
    calendar=None,
) -> SlaClock:
    started = started_at or clock_now()
    clock, created = SlaClock.objects.get_or_create(
        installation=installation,
        subject_type=subject_type,
        subject_id=str(subject_id),
        metric=metric,
        defaults={
            "started_at": started,
            "target_minutes": target_minutes,
            "due_at": compute_due(started_at=started, target_minutes=target_minutes, calendar=calendar),
            "calendar_id": getattr(calendar, "pk", None),
        },
    )
    return clock


@transaction.atomic
def stop_clock(
    *,
    installation: Installation,
    subject_type: str,
    subject_id: str | int,
    metric: str,
    at: datetime | None = None,
) -> SlaClock | None:
    clock = (
        SlaClock.objects.select_for_update()
        .filter(
            installation=installation, subject_type=subject_type, subject_id=str(subject_id), metric=metric
        )
        .first()
    )
    if clock is None or clock.status in (ClockStatus.MET, ClockStatus.BREACHED, ClockStatus.CANCELLED):
        return clock
    stopped = at or clock_now()
    clock.stopped_at = stopped
    clock.status = ClockStatus.MET if stopped <= clock.due_at else ClockStatus.BREACHED
    if clock.status == ClockStatus.BREACHED and not clock.breached_at:
        clock.breached_at = clock.due_at
    clock.save()
    return clock


def cancel_clocks(*, installation: Installation, subject_type: str, subject_id: str | int) -> int:
    return SlaClock.objects.filter(
        installation=installation,
        subject_type=subject_type,
        subject_id=str(subject_id),
        status__in=[ClockStatus.RUNNING, ClockStatus.PAUSED],
    ).update(status=ClockStatus.CANCELLED, stopped_at=clock_now())
