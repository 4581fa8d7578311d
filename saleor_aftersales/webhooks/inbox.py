"""The webhook inbox's write path, kept to one database round trip and no broker publish per delivery.

Why: ingest must answer Saleor fast under bursts (Saleor times out and retries slow deliveries). On PostgreSQL a
delivery is stored, or counted as a duplicate, by a single INSERT ... ON CONFLICT in autocommit. Processing is
started by a wake-up flag instead of one Celery message per delivery: the first delivery after the drain task
starts sets the flag and publishes one `webhooks.drain_inbox`; later deliveries see the flag and skip the
publish. The drain clears the flag before it scans, so a delivery committed before the clear is seen by the
scan and one committed after it publishes a new drain: nothing is left behind. The beat sweep
(`process_stale_deliveries`) remains the safety net for a lost message.
"""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from ..core.time import now
from ..installations.models import Installation
from .models import DeliveryStatus, WebhookDelivery

DRAIN_WAKEUP_KEY = "webhooks:drain-wakeup"
# A lost drain message (broker down after the flag was set) blocks wake-ups this long; the sweep catches up.
DRAIN_WAKEUP_TTL_SECONDS = 60

_UPSERT_SQL = f"""
INSERT INTO {WebhookDelivery._meta.db_table}
    (installation_id, event, body_sha256, body, received_at, issued_at, issued_by_app, duplicates, status,
     attempts, processed_at, error)
VALUES (%s, %s, %s, %s, %s, %s, %s, 0, %s, 0, NULL, '')
ON CONFLICT (installation_id, event, body_sha256)
DO UPDATE SET duplicates = {WebhookDelivery._meta.db_table}.duplicates + 1
RETURNING id, (xmax = 0) AS inserted
"""


def store_delivery(
    *,
    installation: Installation,
    event: str,
    body: str,
    body_sha256: str,
    issued_at: datetime | None,
    issued_by_app: bool,
) -> tuple[int, bool]:
    """Store a verified delivery; returns (delivery id, True if new / False if a re-delivery was counted)."""
    if connection.vendor == "postgresql" and connection.get_autocommit():
        with connection.cursor() as cursor:
            cursor.execute(
                _UPSERT_SQL,
                [
                    installation.pk,
                    event,
                    body_sha256,
                    body,
                    now(),
                    issued_at,
                    issued_by_app,
                    DeliveryStatus.RECEIVED.value,
                ],
            )
            delivery_id, inserted = cursor.fetchone()
        return delivery_id, bool(inserted)
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                installation=installation,
                event=event,
                body_sha256=body_sha256,
                body=body,
                issued_at=issued_at,
                issued_by_app=issued_by_app,
            )
        return delivery.pk, True
    except IntegrityError:
        duplicate = WebhookDelivery.objects.filter(
            installation=installation, event=event, body_sha256=body_sha256
        )
        duplicate.update(duplicates=F("duplicates") + 1)
        return duplicate.values_list("pk", flat=True).get(), False


def wake_drain() -> None:
    """Ask for one drain run unless one is already asked for (see the module docstring)."""
    if cache.add(DRAIN_WAKEUP_KEY, 1, timeout=DRAIN_WAKEUP_TTL_SECONDS):
        from .tasks import drain_inbox

        drain_inbox.delay()


def clear_drain_wakeup() -> None:
    cache.delete(DRAIN_WAKEUP_KEY)
