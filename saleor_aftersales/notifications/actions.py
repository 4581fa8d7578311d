"""Every write of the notifications capability.

`notify` is the hook every capability calls for a customer-visible step: it records the notification in the
caller's transaction and sends it from a task after commit; the dedupe key makes a repeated call (a retried
webhook, a task run twice) a no-op. A new notification is also published to the merchant's webhook endpoints
and handed to the handlers registered for its event (`registry.on_event`, e.g. surveys after a resolution).
"""

from __future__ import annotations

import logging
import secrets
import uuid

from django.db import IntegrityError, transaction

from ..core.actors import Actor
from ..core.errors import DomainError, NotFoundError
from ..core.i18n import SUPPORTED_LANGUAGES, normalize_language
from ..core.time import now as clock_now
from ..installations.models import Installation
from . import error_codes, outgoing, registry, templates
from .models import (
    DeliveryStatus,
    Notification,
    NotificationTemplate,
    WebhookDelivery,
    WebhookEndpoint,
)

logger = logging.getLogger(__name__)

MAX_SUBJECT = 255
MAX_BODY = 10_000
MAX_ENDPOINTS = 20
EVENT_ID_NAMESPACE = uuid.UUID("6f0f6d1e-5b7c-4c55-9a53-3f4f2f2b8a10")


def event_id_for(installation: Installation, key: str) -> str:
    """A stable event id: the same step always gets the same id (receivers dedupe on it)."""
    return uuid.uuid5(EVENT_ID_NAMESPACE, f"{installation.pk}:{key}").hex


def _insert_unless_recorded(notification: Notification) -> bool:
    """INSERT ... ON CONFLICT (installation, dedupe_key) DO NOTHING: one statement, no savepoint (webhook hot
    paths notify in their own transaction). False when the dedupe key was recorded already (nothing written)."""
    from django.db import connection

    fields = [f for f in Notification._meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(notification, True), connection) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(Notification._meta.db_table)} ({columns}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) "
            'ON CONFLICT ("installation_id", "dedupe_key") DO NOTHING RETURNING "id"',
            values,
        )
        row = cursor.fetchone()
    if row is None:
        return False
    notification.pk = row[0]
    notification._state.adding = False
    return True


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
    notification = Notification(
        installation=installation,
        event=event,
        dedupe_key=dedupe_key,
        recipient_email=recipient_email,
        language=normalize_language(language),
        context=context or {},
        subject_type=subject_type,
        subject_id=str(subject_id),
    )
    if not _insert_unless_recorded(notification):
        return Notification.objects.filter(installation=installation, dedupe_key=dedupe_key).first()
    from .tasks import send_notification_task

    transaction.on_commit(lambda: send_notification_task.delay(notification.pk))
    publish_event(
        installation=installation,
        event=event,
        event_id=event_id_for(installation, "notification:" + dedupe_key),
        data={
            "subject_type": notification.subject_type,
            "subject_id": notification.subject_id,
            "recipient_email": notification.recipient_email,
            "language": notification.language,
            "context": notification.context,
        },
    )
    registry.dispatch(
        registry.NotificationEvent(
            installation=installation,
            event=event,
            recipient_email=notification.recipient_email,
            language=notification.language,
            subject_type=notification.subject_type,
            subject_id=notification.subject_id,
            context=dict(notification.context),
            notification=notification,
        )
    )
    return notification


# --- merchant webhooks ----------------------------------------------------------------------------------------


def webhook_event_names() -> list[str]:
    return sorted(set(templates.events()) | registry.webhook_only_events())


def _subscribed_endpoint_ids(installation: Installation, event: str) -> list[int]:
    """Active endpoints subscribed to `event`, read as (id, events) in one plain statement: every notification
    asks, most installations have none, and the ORM's query compilation cost more than the query."""
    import json

    from django.db import connection

    table = connection.ops.quote_name(WebhookEndpoint._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "id", "events" FROM {table} WHERE "installation_id" = %s AND "is_active" ORDER BY "id"',
            [installation.pk],
        )
        rows = cursor.fetchall()
    found = []
    for pk, events in rows:
        names = json.loads(events) if isinstance(events, str | bytes) else events
        if "*" in (names or []) or event in (names or []):
            found.append(pk)
    return found


def publish_event(
    *, installation: Installation, event: str, event_id: str, data: dict
) -> list[WebhookDelivery]:
    """Queue one signed POST per active endpoint subscribed to `event` (once per endpoint and event id)."""
    subscribed = _subscribed_endpoint_ids(installation, event)
    if not subscribed:
        return []
    endpoints = [
        e for e in WebhookEndpoint.objects.filter(pk__in=subscribed).order_by("pk") if e.subscribes_to(event)
    ]
    if not endpoints:
        return []
    current = clock_now()
    payload = {
        "id": event_id,
        "type": event,
        "created_at": current.isoformat(),
        "saleor_api_url": installation.saleor_api_url,
        "data": data,
    }
    created: list[WebhookDelivery] = []
    for endpoint in endpoints:
        try:
            with transaction.atomic():
                created.append(
                    WebhookDelivery.objects.create(
                        installation=installation,
                        endpoint=endpoint,
                        event_id=event_id,
                        event=event,
                        payload=payload,
                        next_attempt_at=current,
                    )
                )
        except IntegrityError:
            continue  # this event was queued for this endpoint already
    if created:
        from .tasks import deliver_webhook_task

        ids = [d.pk for d in created]
        transaction.on_commit(lambda: [deliver_webhook_task.delay(pk) for pk in ids])
    return created


def _clean_events(events: list[str] | None) -> list[str]:
    names = [e.strip() for e in events or [] if e and e.strip()]
    if not names:
        raise DomainError("REQUIRED", 'Subscribe to at least one event (or "*").', "events")
    known = set(webhook_event_names())
    unknown = sorted({n for n in names if n != "*" and n not in known})
    if unknown:
        raise DomainError(error_codes.UNKNOWN_EVENT, f"Unknown event(s): {', '.join(unknown)}.", "events")
    return sorted(set(names))


def _clean_secret(secret: str | None) -> str:
    if secret is None or secret == "":
        return "whsec_" + secrets.token_urlsafe(32)
    if len(secret) < 16 or len(secret) > 200:
        raise DomainError("INVALID", "A secret has 16 to 200 characters.", "secret")
    return secret


@transaction.atomic
def create_webhook_endpoint(
    *,
    installation: Installation,
    actor: Actor,
    url: str,
    events: list[str],
    secret: str | None = None,
    is_active: bool = True,
    description: str = "",
) -> WebhookEndpoint:
    url = outgoing.check_endpoint_url(url, resolve=False)
    names = _clean_events(events)
    if len(description) > 255:
        raise DomainError("TOO_LONG", "At most 255 characters.", "description")
    if WebhookEndpoint.objects.filter(installation=installation).count() >= MAX_ENDPOINTS:
        raise DomainError("INVALID", f"At most {MAX_ENDPOINTS} endpoints.", "url")
    endpoint = WebhookEndpoint.objects.create(
        installation=installation,
        url=url,
        events=names,
        secret=_clean_secret(secret),
        is_active=is_active,
        description=description,
    )
    logger.info("webhook endpoint created", extra={"endpoint": endpoint.pk, "by": actor.email})
    return endpoint


def _endpoint(installation: Installation, endpoint_id: int) -> WebhookEndpoint:
    endpoint = (
        WebhookEndpoint.objects.select_for_update().filter(installation=installation, pk=endpoint_id).first()
    )
    if endpoint is None:
        raise NotFoundError("No such webhook endpoint.", "id")
    return endpoint


@transaction.atomic
def update_webhook_endpoint(
    *,
    installation: Installation,
    endpoint_id: int,
    actor: Actor,
    url: str | None = None,
    events: list[str] | None = None,
    secret: str | None = None,
    is_active: bool | None = None,
    description: str | None = None,
) -> WebhookEndpoint:
    endpoint = _endpoint(installation, endpoint_id)
    if url is not None:
        endpoint.url = outgoing.check_endpoint_url(url, resolve=False)
    if events is not None:
        endpoint.events = _clean_events(events)
    if secret is not None:
        endpoint.secret = _clean_secret(secret)
    if is_active is not None:
        endpoint.is_active = is_active
    if description is not None:
        if len(description) > 255:
            raise DomainError("TOO_LONG", "At most 255 characters.", "description")
        endpoint.description = description
    endpoint.save()
    return endpoint


@transaction.atomic
def delete_webhook_endpoint(*, installation: Installation, endpoint_id: int, actor: Actor) -> int:
    endpoint = _endpoint(installation, endpoint_id)
    pk = endpoint.pk
    endpoint.delete()
    return pk


@transaction.atomic
def redeliver_webhook(*, installation: Installation, delivery_id: int, actor: Actor) -> WebhookDelivery:
    """Send a delivery again (same event id and payload: receivers dedupe on the id)."""
    delivery = (
        WebhookDelivery.objects.select_for_update()
        .filter(installation=installation, pk=delivery_id)
        .select_related("endpoint")
        .first()
    )
    if delivery is None:
        raise NotFoundError("No such delivery.", "id")
    if not delivery.endpoint.is_active:
        raise DomainError("INVALID", "The endpoint is disabled.", "id")
    if delivery.status == DeliveryStatus.PENDING:
        raise DomainError("INVALID_TRANSITION", "The delivery is still pending.", "id")
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = clock_now()
    delivery.save(update_fields=["status", "next_attempt_at", "updated_at"])
    from .tasks import deliver_webhook_task

    transaction.on_commit(lambda: deliver_webhook_task.delay(delivery.pk))
    return delivery


# --- templates ------------------------------------------------------------------------------------------------


def _clean_language(language: str) -> str:
    value = (language or "").strip().lower().replace("_", "-")
    if value not in SUPPORTED_LANGUAGES:
        raise DomainError("INVALID", f"Language: {', '.join(SUPPORTED_LANGUAGES)}.", "language")
    return value


def _check_texts(event: str, subject: str, body: str) -> tuple[str, str]:
    subject = (subject or "").strip()
    body = (body or "").strip()
    if not subject:
        raise DomainError("REQUIRED", "A subject is required.", "subject")
    if not body:
        raise DomainError("REQUIRED", "A body is required.", "body")
    if len(subject) > MAX_SUBJECT or "\n" in subject:
        raise DomainError("TOO_LONG", f"One line of at most {MAX_SUBJECT} characters.", "subject")
    if len(body) > MAX_BODY:
        raise DomainError("TOO_LONG", f"At most {MAX_BODY} characters.", "body")
    templates.check_template(event, subject, body)
    return subject, body


@transaction.atomic
def save_template(
    *, installation: Installation, event: str, language: str, subject: str, body: str, actor: Actor
) -> NotificationTemplate:
    language = _clean_language(language)
    subject, body = _check_texts(event, subject, body)
    template, _ = NotificationTemplate.objects.update_or_create(
        installation=installation,
        event=event,
        language=language,
        defaults={"subject": subject, "body": body, "updated_by": actor.email or actor.user_id},
    )
    return template


@transaction.atomic
def delete_template(*, installation: Installation, event: str, language: str, actor: Actor) -> bool:
    """Back to the default text; False when there was no override."""
    language = _clean_language(language)
    if event not in templates.events():
        raise DomainError(error_codes.UNKNOWN_EVENT, f"Unknown notification event {event!r}.", "event")
    deleted, _ = NotificationTemplate.objects.filter(
        installation=installation, event=event, language=language
    ).delete()
    return bool(deleted)


def preview_template(
    *,
    installation: Installation,
    event: str,
    language: str,
    subject: str | None = None,
    body: str | None = None,
    context: dict | None = None,
) -> templates.Rendered:
    """Render an event (with draft texts if given) for a sample context; writes nothing."""
    language = _clean_language(language)
    if event not in templates.events():
        raise DomainError(error_codes.UNKNOWN_EVENT, f"Unknown notification event {event!r}.", "event")
    if subject is not None or body is not None:
        current_subject, current_body, _ = templates.template_for(installation, event, language)
        subject, body = _check_texts(
            event, current_subject if subject is None else subject, current_body if body is None else body
        )
    values = {**templates.sample_context(event), **(context or {})}
    return templates.render(installation, event, language, values, subject=subject, body=body)
