"""Customer notifications: one row per (installation, dedupe key), so a step is never announced twice."""

from __future__ import annotations

from django.db import models

from ..core.models import TimestampedModel
from ..installations.models import InstallationScopedModel


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class Notification(InstallationScopedModel, TimestampedModel):
    event = models.CharField(max_length=64, help_text="e.g. return_approved, points_expiring")
    dedupe_key = models.CharField(max_length=200)
    recipient_email = models.EmailField(max_length=254)
    language = models.CharField(max_length=16, default="en")
    context = models.JSONField(default=dict, blank=True)
    subject_type = models.CharField(max_length=64, blank=True, default="")
    subject_id = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(
        max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    rendered_subject = models.CharField(max_length=512, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "dedupe_key"], name="notifications_unique_dedupe_key"
            )
        ]
