"""Thin tasks: each takes an id and calls one idempotent function; failures are retried with backoff."""

from celery import shared_task

from ..core.time import now
from . import outgoing, sending


@shared_task(name="notifications.send", bind=True, max_retries=None)
def send_notification_task(self, notification_id: int) -> None:
    try:
        sending.send(notification_id)
    except sending.SendFailed as exc:
        if exc.final:
            return
        raise self.retry(exc=exc, countdown=sending.backoff(exc.attempts).total_seconds()) from exc


@shared_task(name="notifications.send_due")
def send_due_notifications() -> int:
    """Beat: pending notifications whose retry time has come (a lost or exhausted task)."""
    count = 0
    for notification_id in sending.due_notifications(now=now()):
        try:
            if sending.send(notification_id) is not None:
                count += 1
        except sending.SendFailed:
            continue
    return count


@shared_task(name="notifications.deliver_webhook", bind=True, max_retries=None)
def deliver_webhook_task(self, delivery_id: int) -> None:
    delivery = outgoing.deliver(delivery_id)
    if delivery is not None and delivery.status == "pending" and delivery.next_attempt_at is not None:
        countdown = max((delivery.next_attempt_at - now()).total_seconds(), 0)
        raise self.retry(countdown=countdown)


@shared_task(name="notifications.deliver_due_webhooks")
def deliver_due_webhooks() -> int:
    """Beat: pending webhook deliveries whose retry time has come."""
    count = 0
    for delivery_id in outgoing.due_deliveries(now=now()):
        if outgoing.deliver(delivery_id) is not None:
            count += 1
    return count
