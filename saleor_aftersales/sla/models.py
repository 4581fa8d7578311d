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

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "subject_type", "subject_id", "metric"],
                name="sla_clock_unique_metric",
            )
        ]
        indexes = [models.Index(fields=["status", "due_at"])]
