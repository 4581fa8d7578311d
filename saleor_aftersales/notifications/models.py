"""Customer notifications, per-installation templates and merchant webhooks.

- `Notification`: one row per (installation, dedupe key), so a step is never announced twice; its `attempts`,
  `last_error` and `status` record every try of the sending task.
- `NotificationTemplate`: a staff override of the default text of one event in one language.
- `WebhookEndpoint` / `WebhookDelivery` / `WebhookAttempt`: outgoing signed POSTs to the merchant's endpoints,
  one delivery per (endpoint, event id) and one attempt row per HTTP try.
"""

from __future__ import annotations

from django.db import models

from ..core.crypto import EncryptedTextField
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
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.TextField(blank=True, default="")
    rendered_subject = models.CharField(max_length=512, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "dedupe_key"], name="notifications_unique_dedupe_key"
            )
        ]


class NotificationTemplate(InstallationScopedModel, TimestampedModel):
    """The installation's own subject and body of one event in one language (placeholders validated on save)."""

    event = models.CharField(max_length=64)
    language = models.CharField(max_length=16)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    updated_by = models.CharField(max_length=256, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "event", "language"], name="notifications_unique_template"
            )
        ]


class WebhookEndpoint(InstallationScopedModel, TimestampedModel):
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list, help_text='Event names, or ["*"] for every event.')
    secret = EncryptedTextField(help_text="HMAC-SHA256 signing secret (encrypted at rest).")
    is_active = models.BooleanField(default=True)
    description = models.CharField(max_length=255, blank=True, default="")

    def subscribes_to(self, event: str) -> bool:
        return self.is_active and ("*" in self.events or event in self.events)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(InstallationScopedModel, TimestampedModel):
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=64, help_text="Stable id of the event; receivers dedupe on it.")
    event = models.CharField(max_length=64)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="notifications_unique_delivery")
        ]


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    duration_ms = models.PositiveIntegerField(default=0)
    signature = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ("attempted_at", "id")

    def __str__(self) -> str:
        return f"{self.delivery_id}@{self.attempted_at:%Y-%m-%dT%H:%M:%S} -> {self.status_code or self.error[:40]}"
