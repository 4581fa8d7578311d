"""GraphQL queries and mutations of the notifications capability."""

from __future__ import annotations

import graphene

from ...core.i18n import SUPPORTED_LANGUAGES
from ...notifications import selectors
from ...notifications import templates as registry
from ..core.context import get_requestor
from ..core.types import page_size
from .mutations.notification_template_delete import NotificationTemplateDelete
from .mutations.notification_template_preview import NotificationTemplatePreview
from .mutations.notification_template_save import NotificationTemplateSave
from .mutations.notification_webhook import (
    NotificationWebhookCreate,
    NotificationWebhookDelete,
    NotificationWebhookRedeliver,
    NotificationWebhookUpdate,
)
from .types import (
    TEMPLATES_PERMISSION,
    WEBHOOKS_PERMISSION,
    Notification,
    NotificationTemplate,
    NotificationWebhookDelivery,
    NotificationWebhookEndpoint,
    pk_of,
)


class NotificationQueries(graphene.ObjectType):
    notification_templates = graphene.List(
        graphene.NonNull(NotificationTemplate),
        required=True,
        event=graphene.String(),
        language=graphene.String(),
        description="Every event's text per language (override or default). Requires MANAGE_SETTINGS.",
    )
    notifications = graphene.List(
        graphene.NonNull(Notification),
        required=True,
        first=graphene.Int(default_value=50),
        status=graphene.String(),
        event=graphene.String(),
        recipient_email=graphene.String(),
        description="The sent log, newest first. Requires MANAGE_SETTINGS.",
    )
    notification_webhooks = graphene.List(
        graphene.NonNull(NotificationWebhookEndpoint), required=True, description="Requires MANAGE_APPS."
    )
    notification_webhook_events = graphene.List(
        graphene.NonNull(graphene.String), required=True, description="Events an endpoint can subscribe to."
    )
    notification_webhook_deliveries = graphene.List(
        graphene.NonNull(NotificationWebhookDelivery),
        required=True,
        webhook_id=graphene.ID(),
        status=graphene.String(),
        first=graphene.Int(default_value=50),
        description="Deliveries with their attempt log, newest first. Requires MANAGE_APPS.",
    )

    @staticmethod
    def resolve_notification_templates(_root, info, event=None, language=None):
        installation = get_requestor(info).require_staff(TEMPLATES_PERMISSION)
        overrides = selectors.overrides_for(installation)
        defaults = registry.default_texts()
        rows = []
        for name in registry.events():
            if event and name != event:
                continue
            for lang in SUPPORTED_LANGUAGES:
                if language and lang != language:
                    continue
                override = overrides.get((name, lang))
                if override is not None:
                    subject, body = override.subject, override.body
                else:
                    subject, body = defaults[name].get(lang) or defaults[name]["en"]
                rows.append(
                    NotificationTemplate(
                        event=name,
                        language=lang,
                        subject=subject,
                        body=body,
                        is_overridden=override is not None,
                        placeholders=sorted(registry.allowed_placeholders(name)),
                        updated_at=override.updated_at if override else None,
                    )
                )
        return rows

    @staticmethod
    def resolve_notifications(_root, info, first=50, status=None, event=None, recipient_email=None):
        installation = get_requestor(info).require_staff(TEMPLATES_PERMISSION)
        qs = selectors.notifications_for(installation)
        if status:
            qs = qs.filter(status=status)
        if event:
            qs = qs.filter(event=event)
        if recipient_email:
            qs = qs.filter(recipient_email__iexact=recipient_email.strip())
        return list(qs.order_by("-created_at", "-id")[: page_size(first)])

    @staticmethod
    def resolve_notification_webhooks(_root, info):
        installation = get_requestor(info).require_staff(WEBHOOKS_PERMISSION)
        return list(selectors.endpoints_for(installation).order_by("id"))

    @staticmethod
    def resolve_notification_webhook_events(_root, info):
        get_requestor(info).require_staff(WEBHOOKS_PERMISSION)
        from ...notifications.actions import webhook_event_names

        return webhook_event_names()

    @staticmethod
    def resolve_notification_webhook_deliveries(_root, info, webhook_id=None, status=None, first=50):
        installation = get_requestor(info).require_staff(WEBHOOKS_PERMISSION)
        qs = selectors.deliveries_for(installation)
        if webhook_id:
            qs = qs.filter(endpoint_id=pk_of(webhook_id, "NotificationWebhookEndpoint", "webhookId"))
        if status:
            qs = qs.filter(status=status)
        return list(qs.prefetch_related("attempt_log").order_by("-created_at", "-id")[: page_size(first)])


class NotificationMutations(graphene.ObjectType):
    notification_template_save = NotificationTemplateSave.Field()
    notification_template_delete = NotificationTemplateDelete.Field()
    notification_template_preview = NotificationTemplatePreview.Field()
    notification_webhook_create = NotificationWebhookCreate.Field()
    notification_webhook_update = NotificationWebhookUpdate.Field()
    notification_webhook_delete = NotificationWebhookDelete.Field()
    notification_webhook_redeliver = NotificationWebhookRedeliver.Field()
