"""The durable outbox: every call that changes money or objects in Saleor is a row first.

A row is written in the same transaction as the domain change that needs it, so a decision is never lost
and never sent twice: the idempotency key is unique per installation, a row is leased before it is sent,
and an attempt whose outcome is unknown (timeout, 5xx) is reconciled against Saleor before any resend.
"""

from __future__ import annotations

from django.db import models

from ..core.models import TimestampedModel
from ..installations.models import InstallationScopedModel


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    IN_FLIGHT = "in_flight", "In flight"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class OutboxMessage(InstallationScopedModel, TimestampedModel):
    idempotency_key = models.CharField(max_length=200)
    operation = models.CharField(max_length=100, help_text="graphql/saleor/<operation>.graphql")
    variables = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=8)
    next_attempt_at = models.DateTimeField(db_index=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    # The last attempt may have reached Saleor without an answer: reconcile before sending again.
    outcome_unknown = models.BooleanField(default=False)
    last_error = models.TextField(blank=True, default="")
    result = models.JSONField(null=True, blank=True)
    subject_type = models.CharField(max_length=64, blank=True, default="")
    subject_id = models.CharField(max_length=64, blank=True, default="")
    on_success = models.CharField(max_length=100, blank=True, default="")
    on_failure = models.CharField(max_length=100, blank=True, default="")
    succeeded_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "idempotency_key"], name="outbox_unique_key_per_installation"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["subject_type", "subject_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.operation} [{self.status}] {self.idempotency_key}"
