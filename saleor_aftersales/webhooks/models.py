"""The webhook inbox: every verified delivery is stored before it is acknowledged.

Saleor retries a delivery (up to 5 times) with the same bytes and sends no delivery id, so a delivery is
identified by (installation, event, sha256 of the raw body); `issuedAt` inside the body makes distinct
events distinct.
"""

from __future__ import annotations

from django.db import models

from ..installations.models import InstallationScopedModel


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSED = "processed", "Processed"
    IGNORED = "ignored", "Ignored"
    FAILED = "failed", "Failed"


class WebhookDelivery(InstallationScopedModel):
    event = models.CharField(max_length=64)
    body_sha256 = models.CharField(max_length=64)
    body = models.TextField()
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by_app = models.BooleanField(default=False, help_text="Caused by this app's own call to Saleor")
    duplicates = models.PositiveIntegerField(default=0, help_text="Re-deliveries of the same bytes")
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.RECEIVED)
    attempts = models.PositiveIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "event", "body_sha256"], name="webhooks_delivery_unique_body"
            )
        ]
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self) -> str:
        return f"{self.event} {self.body_sha256[:12]} [{self.status}]"
