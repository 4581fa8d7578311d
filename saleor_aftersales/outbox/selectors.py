"""Reads of the outbox for operations (metrics, health)."""

from __future__ import annotations

from ..core.metrics import OUTBOX_FAILED, OUTBOX_PENDING
from .models import OutboxMessage, OutboxStatus


def refresh_outbox_gauges() -> None:
    OUTBOX_PENDING.set(
        OutboxMessage.objects.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.IN_FLIGHT]).count()
    )
    OUTBOX_FAILED.set(OutboxMessage.objects.filter(status=OutboxStatus.FAILED).count())
