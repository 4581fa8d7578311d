"""Rendering and sending (Django's email backend). The service capability adds per-installation templates."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction

from ..core.time import now
from .models import Notification, NotificationStatus

MAX_ATTEMPTS = 5


def render(notification: Notification) -> tuple[str, str]:
    from .templates import render_notification

    return render_notification(notification)


def send(notification_id: int) -> Notification | None:
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, status=NotificationStatus.PENDING)
            .first()
        )
        if notification is None:
            return None
        notification.attempts += 1
        try:
            subject, body = render(notification)
            send_mail(subject, body, None, [notification.recipient_email])
        except Exception as exc:  # SMTP and template errors are recorded and retried, never lost
            notification.last_error = repr(exc)[:2000]
            if notification.attempts >= MAX_ATTEMPTS:
                notification.status = NotificationStatus.FAILED
            notification.save()
            raise
        notification.status = NotificationStatus.SENT
        notification.sent_at = now()
        notification.rendered_subject = subject[:512]
        notification.save()
        return notification
