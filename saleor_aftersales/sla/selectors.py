"""SLA state of subjects, for lists (one query for many subjects)."""

from __future__ import annotations

from datetime import datetime

from ..installations.models import Installation
from .models import BusinessCalendar, ClockStatus, SlaClock, SlaPolicy


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


# Targets when the merchant has set no policy (minutes). Returns keep their own per-policy hours
# (ReturnPolicy.decision_sla_hours / refund_sla_hours) and pass them to start_clock themselves.
DEFAULT_TARGETS: dict[tuple[str, str], int] = {
    ("service_case", "first_response"): 30,
    ("service_case", "next_response"): 240,
    ("service_case", "resolution"): 24 * 60,
    ("return_request", "decision"): 24 * 60,
    ("return_request", "refund"): 48 * 60,
    ("repair_order", "turnaround"): 10 * 24 * 60,
}
FALLBACK_TARGET_MINUTES = 24 * 60


def policy_for(
    *, installation: Installation, subject_type: str, metric: str, priority: str = "", channel: str = ""
) -> SlaPolicy | None:
    """The most specific active policy: priority+channel, then priority, then channel, then any."""
    candidates = SlaPolicy.objects.filter(
        installation=installation,
        subject_type=subject_type,
        metric=metric,
        is_active=True,
        priority__in=[priority or "", ""],
        channel__in=[channel or "", ""],
    ).select_related("calendar")

    def rank(policy: SlaPolicy) -> tuple[int, int]:
        return (1 if policy.priority else 0, 1 if policy.channel else 0)

    ranked = sorted(candidates, key=rank, reverse=True)
    return ranked[0] if ranked else None


def target_for(
    *, installation: Installation, subject_type: str, metric: str, priority: str = "normal", channel: str = ""
) -> tuple[int, BusinessCalendar | None]:
    policy = policy_for(
        installation=installation,
        subject_type=subject_type,
        metric=metric,
        priority=priority,
        channel=channel,
    )
    if policy is not None:
        return policy.target_minutes, policy.calendar
    return DEFAULT_TARGETS.get((subject_type, metric), FALLBACK_TARGET_MINUTES), None


def warning_minutes_for(
    *, installation: Installation, subject_type: str, metric: str, priority: str = "normal", channel: str = ""
) -> int:
    policy = policy_for(
        installation=installation,
        subject_type=subject_type,
        metric=metric,
        priority=priority,
        channel=channel,
    )
    return policy.warning_minutes_before if policy is not None else 0


def attainment(installation: Installation, *, since: datetime | None = None) -> list[dict]:
    """Met / breached counts per (subject type, metric) over stopped clocks."""
    from django.db.models import Count, Q

    rows = SlaClock.objects.filter(
        installation=installation, status__in=[ClockStatus.MET, ClockStatus.BREACHED]
    )
    if since is not None:
        rows = rows.filter(stopped_at__gte=since)
    result = []
    for row in (
        rows.values("subject_type", "metric")
        .annotate(
            met=Count("id", filter=Q(status=ClockStatus.MET)),
            breached=Count("id", filter=Q(status=ClockStatus.BREACHED)),
        )
        .order_by("subject_type", "metric")
    ):
        total = row["met"] + row["breached"]
        result.append({**row, "total": total, "share_met": (row["met"] / total) if total else None})
    return result
