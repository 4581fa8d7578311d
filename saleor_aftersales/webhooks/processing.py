"""Turning a stored delivery into domain actions: one delivery, one transaction."""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import timedelta

from django.db import transaction
from django.utils.dateparse import parse_datetime

from ..core.metrics import WEBHOOKS_PROCESSED
from ..core.time import now
from ..orders.actions import sync_customer, sync_order
from .models import DeliveryStatus, WebhookDelivery
from .registry import WebhookContext, handlers_for

logger = logging.getLogger(__name__)

MAX_PROCESSING_ATTEMPTS = 5


def issued_by_installation(payload: dict, app_id: str) -> bool:
    principal = payload.get("issuingPrincipal") or {}
    return principal.get("__typename") == "App" and bool(app_id) and principal.get("id") == app_id


def process_delivery(delivery_id: int) -> str | None:
    """Run the handlers of one delivery. Idempotent: a processed delivery is skipped."""
    try:
        with transaction.atomic():
            delivery = (
                WebhookDelivery.objects.select_for_update(skip_locked=True)
                .select_related("installation")
                .filter(pk=delivery_id, status=DeliveryStatus.RECEIVED)
                .first()
            )
            if delivery is None:
                return None
            delivery.attempts += 1
            payload = json.loads(delivery.body)
            ctx = WebhookContext(
                installation=delivery.installation,
                event=delivery.event,
                payload=payload,
                issued_at=parse_datetime(payload.get("issuedAt") or "") if payload.get("issuedAt") else None,
                issued_by_this_app=issued_by_installation(payload, delivery.installation.app_id),
                delivery_id=delivery.pk,
            )
            if isinstance(payload.get("order"), dict) and payload["order"].get("id"):
                order = sync_order(
                    installation=delivery.installation,
                    payload=payload["order"],
                    issued_at=ctx.issued_at,
                    event=ctx.event,
                )
                ctx = dataclasses.replace(ctx, order=order)
            if (
                isinstance(payload.get("user"), dict)
                and payload["user"].get("id")
                and ctx.event.startswith("CUSTOMER_")
            ):
                sync_customer(installation=delivery.installation, payload=payload["user"])
            for handler in handlers_for(delivery.event):
                handler(ctx)
            delivery.status = DeliveryStatus.PROCESSED
            delivery.processed_at = now()
            delivery.error = ""
            delivery.save(update_fields=["status", "processed_at", "error", "attempts"])
    except Exception as exc:  # a handler failed: nothing it wrote is kept; the delivery is retried
        logger.exception("webhook processing failed", extra={"delivery_id": delivery_id})
        _record_failure(delivery_id, exc)
        WEBHOOKS_PROCESSED.labels("unknown", "error").inc()
        return "error"
    WEBHOOKS_PROCESSED.labels(delivery.event, "processed").inc()
    return DeliveryStatus.PROCESSED


def _record_failure(delivery_id: int, exc: Exception) -> None:
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        return
    attempts = delivery.attempts + 1
    status = DeliveryStatus.FAILED if attempts >= MAX_PROCESSING_ATTEMPTS else DeliveryStatus.RECEIVED
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        attempts=attempts, status=status, error=repr(exc)[:4000]
    )


def drain_inbox(batch_size: int = 200) -> int:
    """Process every delivery received and not yet attempted, oldest first; see webhooks.inbox for the wake-up.

    Deliveries that failed wait for the beat sweep (their backoff) instead of being retried in this loop, and
    rows another drain holds are skipped by process_delivery's SKIP LOCKED.
    """
    from .inbox import clear_drain_wakeup

    clear_drain_wakeup()
    processed = 0
    after = 0
    while True:
        ids = list(
            WebhookDelivery.objects.filter(status=DeliveryStatus.RECEIVED, attempts=0, pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return processed
        for delivery_id in ids:
            if process_delivery(delivery_id) is not None:
                processed += 1
        after = ids[-1]


def stale_delivery_ids(older_than: timedelta = timedelta(minutes=1), limit: int = 1000) -> list[int]:
    """Deliveries stored but not processed (the task was lost, or it failed and waits for a retry)."""
    return list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.RECEIVED, received_at__lt=now() - older_than)
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )


def retry_failed_delivery(delivery: WebhookDelivery) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.RECEIVED, attempts=0
    )
