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


@transaction.atomic
def retarget_clock(
    *,
    installation: Installation,
    subject_type: str,
    subject_id: str | int,
    metric: str,
    target_minutes: int,
    calendar=None,
    warning_minutes: int = 0,
) -> SlaClock | None:
    """Give a running or paused clock a new target (e.g. the case's priority changed), counted from its start.

    Time already spent paused still does not count. Warnings/breaches already marked stay marked only if the
    new due dates have passed too.
    """
    clock = (
        SlaClock.objects.select_for_update()
        .filter(
            installation=installation, subject_type=subject_type, subject_id=str(subject_id), metric=metric
        )
        .first()
    )
    if clock is None or clock.status not in (ClockStatus.RUNNING, ClockStatus.PAUSED):
        return clock
    total = target_minutes + clock.paused_minutes
    clock.target_minutes = target_minutes
    clock.calendar_id = getattr(calendar, "pk", None)
    clock.due_at = compute_due(started_at=clock.started_at, target_minutes=total, calendar=calendar)
    clock.warn_at = (
        compute_due(
            started_at=clock.started_at, target_minutes=max(total - warning_minutes, 0), calendar=calendar
        )
        if warning_minutes
        else None
    )
    now = clock_now()
    if clock.breached_at and clock.due_at > now:
        clock.breached_at = None
    if clock.warned_at and (clock.warn_at is None or clock.warn_at > now):
        clock.warned_at = None
    clock.save()
    return clock


# Configuration (SLA policies and business-hours calendars), written by staff through GraphQL.


@transaction.atomic
def save_calendar(
    *,
    installation: Installation,
    name: str,
    time_zone: str = "UTC",
    weekly_hours: dict | None = None,
    holidays: list | None = None,
    is_24_7: bool = False,
    calendar: BusinessCalendar | None = None,
) -> BusinessCalendar:
    from ..core.errors import DomainError
    from .calendars import validate_calendar

    name = (name or "").strip()
    if not name:
        raise DomainError("REQUIRED", "A calendar needs a name.", "name")
    if len(name) > 100:
        raise DomainError("TOO_LONG", "At most 100 characters.", "name")
    weekly_hours = {str(k): v for k, v in (weekly_hours or {}).items()}
    holidays = sorted({str(h) for h in (holidays or [])})
    validate_calendar(time_zone=time_zone, weekly_hours=weekly_hours, holidays=holidays, is_24_7=is_24_7)
    clash = BusinessCalendar.objects.filter(installation=installation, name=name)
    if calendar is not None:
        clash = clash.exclude(pk=calendar.pk)
    if clash.exists():
        raise DomainError("DUPLICATE", "A calendar with this name exists.", "name")
    calendar = calendar or BusinessCalendar(installation=installation)
    calendar.name = name
    calendar.time_zone = time_zone
    calendar.weekly_hours = weekly_hours
    calendar.holidays = holidays
    calendar.is_24_7 = is_24_7
    calendar.save()
    return calendar


@transaction.atomic
def delete_calendar(*, calendar: BusinessCalendar) -> None:
    """Policies using it fall back to elapsed time; running clocks keep the due dates they were given."""
    calendar.delete()


@transaction.atomic
def save_policy(
    *,
    installation: Installation,
    subject_type: str,
    metric: str,
    target_minutes: int,
    priority: str = "",
    channel: str = "",
    warning_minutes_before: int = 0,
    calendar: BusinessCalendar | None = None,
    is_active: bool = True,
    policy=None,
):
    from ..core.errors import DomainError
    from .models import SlaPolicy

    if not subject_type:
        raise DomainError("REQUIRED", "Which subjects the policy clocks.", "subjectType")
    if not metric:
        raise DomainError("REQUIRED", "Which metric the policy targets.", "metric")
    if target_minutes is None or not 1 <= int(target_minutes) <= 366 * 24 * 60:
        raise DomainError("OUT_OF_RANGE", "The target is 1 minute to 366 days.", "targetMinutes")
    if warning_minutes_before < 0 or warning_minutes_before >= target_minutes:
        raise DomainError(
            "OUT_OF_RANGE", "The warning comes 0 or more minutes before the target.", "warningMinutesBefore"
        )
    if calendar is not None and calendar.installation_id != installation.pk:
        raise DomainError("NOT_FOUND", "Unknown calendar.", "calendarId")
    scope = {
        "installation": installation,
        "subject_type": subject_type,
        "metric": metric,
        "priority": priority or "",
        "channel": channel or "",
    }
    clash = SlaPolicy.objects.filter(**scope)
    if policy is not None:
        clash = clash.exclude(pk=policy.pk)
    if clash.exists():
        raise DomainError("DUPLICATE", "A policy for this scope exists; update it instead.", "metric")
    policy = policy or SlaPolicy(installation=installation)
    for field_name, value in scope.items():
        setattr(policy, field_name, value)
    policy.target_minutes = int(target_minutes)
    policy.warning_minutes_before = int(warning_minutes_before)
    policy.calendar = calendar
    policy.is_active = is_active
    policy.save()
    return policy


@transaction.atomic
def delete_policy(*, policy) -> None:
    policy.delete()
