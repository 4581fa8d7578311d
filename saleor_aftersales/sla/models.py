"""SLA clocks: one row per (subject, metric), e.g. (service case 12, first_response)."""

from __future__ import annotations

from django.db import models

from ..core.models import TimestampedModel
from ..installations.models import InstallationScopedModel


class ClockStatus(models.TextChoices):
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    MET = "met", "Met"
    BREACHED = "breached", "Breached"
    CANCELLED = "cancelled", "Cancelled"


class SlaClock(InstallationScopedModel, TimestampedModel):
    subject_type = models.CharField(max_length=64)  # e.g. "return_request", "repair_order", "service_case"
    subject_id = models.CharField(max_length=64)
    metric = models.CharField(max_length=64)  # e.g. "decision", "refund", "first_response", "resolution"
    status = models.CharField(max_length=16, choices=ClockStatus.choices, default=ClockStatus.RUNNING)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(db_index=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    target_minutes = models.PositiveIntegerField()
    calendar_id = models.BigIntegerField(null=True, blank=True)
    # Business minutes spent paused (waiting on the customer); the due date was pushed by as much.
    paused_minutes = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "subject_type", "subject_id", "metric"],
                name="sla_clock_unique_metric",
            )
        ]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["status", "warn_at"]),
            # Insights' SLA overview reads one installation's clocks started in a date range.
            models.Index(fields=["installation", "started_at"], name="sla_clock_started_idx"),
        ]


class BusinessCalendar(InstallationScopedModel, TimestampedModel):
    """Opening hours in a time zone, with holidays: due dates count only time inside them.

    `weekly_hours`: {"0": [["09:00", "18:00"]], ..., "6": []} with Monday = "0" (local wall-clock times).
    `holidays`: ["2026-10-01", ...] local dates that are closed all day.
    """

    name = models.CharField(max_length=100)
    time_zone = models.CharField(max_length=64, default="UTC")
    is_24_7 = models.BooleanField(default=False)
    weekly_hours = models.JSONField(default=dict, blank=True)
    holidays = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installation", "name"], name="sla_calendar_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.time_zone})"


class SlaPolicy(InstallationScopedModel, TimestampedModel):
    """A target for one metric of one kind of subject; blank priority / channel match any."""

    subject_type = models.CharField(max_length=64)
    metric = models.CharField(max_length=64)
    priority = models.CharField(max_length=16, blank=True, default="")
    channel = models.CharField(max_length=32, blank=True, default="")
    target_minutes = models.PositiveIntegerField()
    warning_minutes_before = models.PositiveIntegerField(default=0)
    calendar = models.ForeignKey(BusinessCalendar, null=True, blank=True, on_delete=models.SET_NULL)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "SLA policies"
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "subject_type", "metric", "priority", "channel"],
                name="sla_policy_unique_scope",
            )
        ]
