from celery import shared_task

from . import processing


@shared_task(name="webhooks.process_delivery", acks_late=True)
def process_webhook_delivery(delivery_id: int) -> None:
    processing.process_delivery(delivery_id)


@shared_task(name="webhooks.process_stale_deliveries")
def process_stale_deliveries() -> int:
    ids = processing.stale_delivery_ids()
    for delivery_id in ids:
        processing.process_delivery(delivery_id)
    return len(ids)


@shared_task(name="webhooks.drain_inbox", acks_late=True)
def drain_inbox() -> int:
    return processing.drain_inbox()
