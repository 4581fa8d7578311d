"""GraphQL types of the notifications capability (templates, the sent log, merchant webhooks)."""

from __future__ import annotations

import graphene

from ...core.errors import NotFoundError
from ...core.ids import from_global_id, to_global_id
from ...notifications import error_codes
from ..core.errors import error_code_enum, error_type

NotificationErrorCode = error_code_enum("NotificationErrorCode", error_codes.ALL)
NotificationError = error_type("NotificationError", NotificationErrorCode)

# Saleor's permissions for the same kind of setting: shop settings (incl. the email sender) need MANAGE_SETTINGS;
# webhooks (webhookCreate/Update/Delete) need MANAGE_APPS.
TEMPLATES_PERMISSION = "MANAGE_SETTINGS"
WEBHOOKS_PERMISSION = "MANAGE_APPS"


def pk_of(global_id: str, type_name: str, field: str = "id") -> int:
    try:
        kind, pk = from_global_id(global_id)
        if kind != type_name:
            raise ValueError(kind)
        return int(pk)
    except ValueError:
        raise NotFoundError(f"Not a {type_name} id.", field) from None


class NotificationTemplate(graphene.ObjectType):
    """The text of one event in one language: the installation's override or the default."""

    event = graphene.String(required=True)
    language = graphene.String(required=True, description="en or zh-hans")
    subject = graphene.String(required=True)
    body = graphene.String(required=True)
    is_overridden = graphene.Boolean(required=True, description="False: the built-in default text.")
    placeholders = graphene.List(
        graphene.NonNull(graphene.String), required=True, description="The {name} fields this event provides."
    )
    updated_at = graphene.DateTime()


class NotificationRendered(graphene.ObjectType):
    subject = graphene.String(required=True)
    text = graphene.String(required=True)
    html = graphene.String(required=True)
    language = graphene.String(required=True)


class Notification(graphene.ObjectType):
    """One email to a customer: what, to whom, and how sending went."""

    id = graphene.ID(required=True)
    event = graphene.String(required=True)
    recipient_email = graphene.String(required=True)
    language = graphene.String(required=True)
    status = graphene.String(required=True, description="pending, sent or failed")
    attempts = graphene.Int(required=True)
    last_error = graphene.String()
    sent_at = graphene.DateTime()
    next_attempt_at = graphene.DateTime()
    subject_type = graphene.String()
    subject_id = graphene.String()
    rendered_subject = graphene.String()
    created_at = graphene.DateTime(required=True)

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("Notification", root.pk)


class NotificationWebhookEndpoint(graphene.ObjectType):
    id = graphene.ID(required=True)
    url = graphene.String(required=True)
    events = graphene.List(graphene.NonNull(graphene.String), required=True)
    is_active = graphene.Boolean(required=True)
    description = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("NotificationWebhookEndpoint", root.pk)


class NotificationWebhookAttempt(graphene.ObjectType):
    attempted_at = graphene.DateTime(required=True)
    status_code = graphene.Int()
    error = graphene.String()
    duration_ms = graphene.Int(required=True)


class NotificationWebhookDelivery(graphene.ObjectType):
    id = graphene.ID(required=True)
    endpoint_id = graphene.ID(required=True)
    event = graphene.String(required=True)
    event_id = graphene.String(required=True)
    status = graphene.String(required=True, description="pending, delivered or failed")
    attempts = graphene.Int(required=True)
    last_status_code = graphene.Int()
    last_error = graphene.String()
    next_attempt_at = graphene.DateTime()
    delivered_at = graphene.DateTime()
    created_at = graphene.DateTime(required=True)
    payload = graphene.JSONString(required=True)
    attempt_log = graphene.List(graphene.NonNull(NotificationWebhookAttempt), required=True)

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("NotificationWebhookDelivery", root.pk)

    @staticmethod
    def resolve_endpoint_id(root, _info):
        return to_global_id("NotificationWebhookEndpoint", root.endpoint_id)

    @staticmethod
    def resolve_attempt_log(root, _info):
        return list(root.attempt_log.all())  # prefetched by the list resolver
