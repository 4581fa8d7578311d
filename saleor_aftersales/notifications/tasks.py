"""Thin tasks: each takes an id and calls one idempotent function; failures are retried with backoff.

The retry is Celery's (`self.retry(countdown=backoff)`); run eagerly (tests), the retry happens at once. A task
that is lost anyway is covered by the beat sweeps, which pick up rows whose `next_attempt_at` has passed.
"""

from celery import shared_task

from ..core.time import now
from . import outgoing, sending


def _retry(task, countdown: float, again):
    if task.request.is_eager:
        return again()
    raise task.retry(countdown=countdown)


@shared_task(name="notifications.send", bind=True, max_retries=None)
def send_notification_task(self, notification_id: int) -> None:
    try:
        sending.send(notification_id)
    except sending.SendFailed as exc:
        if exc.final:
            return None
        return _retry(
            self,
            sending.backoff(exc.attempts).total_seconds(),
            lambda: send_notification_task.run(notification_id),
        )
    return None


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
        return _retry(self, countdown, lambda: deliver_webhook_task.run(delivery_id))
    return None


@shared_task(name="notifications.deliver_due_webhooks")
def deliver_due_webhooks() -> int:
    """Beat: pending webhook deliveries whose retry time has come."""
    count = 0
    for delivery_id in outgoing.due_deliveries(now=now()):
        if outgoing.deliver(delivery_id) is not None:
            count += 1
    return count
