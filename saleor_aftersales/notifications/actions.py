"""The notification hook every capability calls for a customer-visible step.

`notify` records the notification in the caller's transaction and sends it from a task after commit; the
dedupe key makes a repeated call (a retried webhook, a task run twice) a no-op.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from ..core.i18n import normalize_language
from ..installations.models import Installation
from .models import Notification

logger = logging.getLogger(__name__)


def notify(
    *,
    installation: Installation,
    event: str,
    recipient_email: str,
    dedupe_key: str,
    language: str | None = None,
    context: dict | None = None,
    subject_type: str = "",
    subject_id: str | int = "",
) -> Notification | None:
    if not recipient_email:
        return None
    existing = Notification.objects.filter(installation=installation, dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                installation=installation,
                event=event,
                dedupe_key=dedupe_key,
                recipient_email=recipient_email,
                language=normalize_language(language),
                context=context or {},
                subject_type=subject_type,
                subject_id=str(subject_id),
            )
    except IntegrityError:
        return Notification.objects.filter(installation=installation, dedupe_key=dedupe_key).first()
    from .tasks import send_notification_task

    transaction.on_commit(lambda: send_notification_task.delay(notification.pk))
    return notification
