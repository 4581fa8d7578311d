"""Sending a notification by email through Django's email backend (SMTP in production, console/file embedded).

`send` sends one pending notification at most once: the row is locked with `select_for_update(skip_locked)` and
only a `pending` row is sent. Every try is recorded (`attempts`, `last_attempt_at`, `last_error`) and committed
*before* a failure is raised to the task, so retries count; after `NOTIFICATION_MAX_ATTEMPTS` the row is
`failed`. A lost task is picked up again by the beat sweep (`send_due`) once `next_attempt_at` has passed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from ..core.time import now as clock_now
from .models import Notification, NotificationStatus
from .templates import Rendered, render_notification


class SendFailed(Exception):
    def __init__(self, notification_id: int, attempts: int, final: bool, error: str):
        self.notification_id = notification_id
        self.attempts = attempts
        self.final = final
        super().__init__(error)


def max_attempts() -> int:
    return int(settings.NOTIFICATION_MAX_ATTEMPTS)


def backoff(attempts: int) -> timedelta:
    base = float(settings.NOTIFICATION_BACKOFF_SECONDS)
    return timedelta(seconds=min(base * (2 ** max(attempts - 1, 0)), 6 * 3600))


def render(notification: Notification) -> Rendered:
    return render_notification(notification)


def _deliver(notification: Notification, rendered: Rendered) -> None:
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient_email],
        headers={"X-Aftersales-Event": notification.event, "Content-Language": rendered.language},
    )
    message.attach_alternative(rendered.html, "text/html")
    message.send(fail_silently=False)


def send(notification_id: int, *, now: datetime | None = None) -> Notification | None:
    current = now or clock_now()
    failure: SendFailed | None = None
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .select_related("installation")
            .filter(pk=notification_id, status=NotificationStatus.PENDING)
            .first()
        )
        if notification is None:
            return None
        notification.attempts += 1
        notification.last_attempt_at = current
        try:
            rendered = render(notification)
            _deliver(notification, rendered)
        except Exception as exc:  # SMTP and template errors are recorded and retried, never lost
            notification.last_error = repr(exc)[:2000]
            final = notification.attempts >= max_attempts()
            if final:
                notification.status = NotificationStatus.FAILED
                notification.next_attempt_at = None
            else:
                notification.next_attempt_at = current + backoff(notification.attempts)
            notification.save()
            failure = SendFailed(notification.pk, notification.attempts, final, notification.last_error)
        else:
            notification.status = NotificationStatus.SENT
            notification.sent_at = current
            notification.next_attempt_at = None
            notification.last_error = ""
            notification.rendered_subject = rendered.subject[:512]
            notification.save()
    if failure is not None:
        raise failure  # outside the atomic block: the recorded attempt is committed
    return notification


def due_notifications(*, now: datetime, limit: int = 500) -> list[int]:
    return list(
        Notification.objects.filter(status=NotificationStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
