"""The SLA engine's entry points, used by returns, warranty/repair and service cases.

start_clock is idempotent per (subject, metric); stop_clock records met or breached; pause/resume for waiting
on the customer. The service capability adds business-hours calendars and escalation.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from ..core.time import now as clock_now
from ..installations.models import Installation
from .calendars import add_business_minutes, business_minutes_between
from .models import BusinessCalendar, ClockStatus, SlaClock


def compute_due(*, started_at: datetime, target_minutes: int, calendar=None) -> datetime:
    return add_business_minutes(calendar, started_at, target_minutes)


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
    warning_minutes: int = 0,
) -> SlaClock:
    """Start the clock once per (subject, metric); `warning_minutes` before the due date it turns at_risk."""
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
            "warn_at": compute_due(
                started_at=started, target_minutes=max(target_minutes - warning_minutes, 0), calendar=calendar
            )
            if warning_minutes
            else None,
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
    # A clock stopped while paused is judged at the moment it was paused: the pause did not count.
    counted_until = clock.paused_at if clock.status == ClockStatus.PAUSED and clock.paused_at else stopped
    clock.stopped_at = stopped
    clock.paused_at = None
    clock.status = ClockStatus.MET if counted_until <= clock.due_at else ClockStatus.BREACHED
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


def _calendar_of(clock: SlaClock) -> BusinessCalendar | None:
    if clock.calendar_id is None:
        return None
    return BusinessCalendar.objects.filter(pk=clock.calendar_id).first()


@transaction.atomic
def pause_clocks(
    *, installation: Installation, subject_type: str, subject_id: str | int, at: datetime | None = None
) -> int:
    """Stop the running clocks of a subject from counting (e.g. while waiting on the customer)."""
    return SlaClock.objects.filter(
        installation=installation,
        subject_type=subject_type,
        subject_id=str(subject_id),
        status=ClockStatus.RUNNING,
    ).update(status=ClockStatus.PAUSED, paused_at=at or clock_now())


@transaction.atomic
def resume_clocks(
    *, installation: Installation, subject_type: str, subject_id: str | int, at: datetime | None = None
) -> int:
    """Resume paused clocks: what was left of the target at the pause is counted again from `at`."""
    resumed_at = at or clock_now()
    clocks = list(
        SlaClock.objects.select_for_update().filter(
            installation=installation,
            subject_type=subject_type,
            subject_id=str(subject_id),
            status=ClockStatus.PAUSED,
        )
    )
    for clock in clocks:
        calendar = _calendar_of(clock)
        paused_at = clock.paused_at or resumed_at
        left = business_minutes_between(calendar, paused_at, clock.due_at)
        warn_left = business_minutes_between(calendar, paused_at, clock.warn_at) if clock.warn_at else None
        clock.paused_minutes += business_minutes_between(calendar, paused_at, resumed_at)
        clock.due_at = add_business_minutes(calendar, resumed_at, left)
        if warn_left is not None:
            clock.warn_at = add_business_minutes(calendar, resumed_at, warn_left)
        clock.status = ClockStatus.RUNNING
        clock.paused_at = None
        clock.save(update_fields=["paused_minutes", "due_at", "warn_at", "status", "paused_at", "updated_at"])
    return len(clocks)
