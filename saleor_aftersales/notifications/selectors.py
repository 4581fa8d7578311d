"""Reads of the notifications capability."""

from __future__ import annotations

from django.db.models import QuerySet

from ..installations.models import Installation
from .models import Notification, NotificationTemplate, WebhookDelivery, WebhookEndpoint


def notifications_for(installation: Installation) -> QuerySet[Notification]:
    return Notification.objects.filter(installation=installation)


def overrides_for(installation: Installation) -> dict[tuple[str, str], NotificationTemplate]:
    return {(t.event, t.language): t for t in NotificationTemplate.objects.filter(installation=installation)}


def endpoints_for(installation: Installation) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(installation=installation)


def deliveries_for(installation: Installation) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(installation=installation)
