"""Staff management of merchant webhook endpoints (create, update, delete, redeliver). Requires MANAGE_APPS."""

import graphene

from ....notifications import actions
from ...core.mutations import BaseMutation
from ..types import (
    WEBHOOKS_PERMISSION,
    NotificationError,
    NotificationWebhookDelivery,
    NotificationWebhookEndpoint,
    pk_of,
)


class NotificationWebhookInput(graphene.InputObjectType):
    url = graphene.String(description="http(s); private and loopback addresses are refused in production.")
    events = graphene.List(graphene.NonNull(graphene.String), description='Event names or ["*"].')
    secret = graphene.String(description="16-200 characters; generated when omitted on create.")
    is_active = graphene.Boolean()
    description = graphene.String()


class NotificationWebhookCreate(BaseMutation):
    webhook = graphene.Field(NotificationWebhookEndpoint)
    secret = graphene.String(description="The signing secret, shown once.")
    errors = graphene.NonNull(graphene.List(graphene.NonNull(NotificationError)))

    class Arguments:
        input = NotificationWebhookInput(required=True)

    class Meta:
        description = "Register an endpoint for signed event POSTs. Requires MANAGE_APPS."

    @classmethod
    def perform_mutation(cls, root, info, input):
        requestor = cls.requestor(info)
        installation = requestor.require_staff(WEBHOOKS_PERMISSION)
        endpoint = actions.create_webhook_endpoint(
            installation=installation,
            actor=requestor.actor,
            url=input.get("url") or "",
            events=list(input.get("events") or []),
            secret=input.get("secret"),
            is_active=input.get("is_active", True) is not False,
            description=input.get("description") or "",
        )
        return cls(webhook=endpoint, secret=endpoint.secret)


class NotificationWebhookUpdate(BaseMutation):
    webhook = graphene.Field(NotificationWebhookEndpoint)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(NotificationError)))

    class Arguments:
        id = graphene.ID(required=True)
        input = NotificationWebhookInput(required=True)

    class Meta:
        description = "Change an endpoint (URL, events, secret, active). Requires MANAGE_APPS."

    @classmethod
    def perform_mutation(cls, root, info, id, input):
        requestor = cls.requestor(info)
        installation = requestor.require_staff(WEBHOOKS_PERMISSION)
        endpoint = actions.update_webhook_endpoint(
            installation=installation,
            endpoint_id=pk_of(id, "NotificationWebhookEndpoint"),
            actor=requestor.actor,
            url=input.get("url"),
            events=input.get("events"),
            secret=input.get("secret"),
            is_active=input.get("is_active"),
            description=input.get("description"),
        )
        return cls(webhook=endpoint)


class NotificationWebhookDelete(BaseMutation):
    deleted_id = graphene.ID()
    errors = graphene.NonNull(graphene.List(graphene.NonNull(NotificationError)))

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Delete an endpoint and its delivery log. Requires MANAGE_APPS."

    @classmethod
    def perform_mutation(cls, root, info, id):
        requestor = cls.requestor(info)
        installation = requestor.require_staff(WEBHOOKS_PERMISSION)
        actions.delete_webhook_endpoint(
            installation=installation,
            endpoint_id=pk_of(id, "NotificationWebhookEndpoint"),
            actor=requestor.actor,
        )
        return cls(deleted_id=id)


class NotificationWebhookRedeliver(BaseMutation):
    delivery = graphene.Field(NotificationWebhookDelivery)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(NotificationError)))

    class Arguments:
        id = graphene.ID(required=True, description="A NotificationWebhookDelivery id.")

    class Meta:
        description = "Send a delivered or failed event again (same event id). Requires MANAGE_APPS."

    @classmethod
    def perform_mutation(cls, root, info, id):
        requestor = cls.requestor(info)
        installation = requestor.require_staff(WEBHOOKS_PERMISSION)
        delivery = actions.redeliver_webhook(
            installation=installation,
            delivery_id=pk_of(id, "NotificationWebhookDelivery"),
            actor=requestor.actor,
        )
        return cls(delivery=delivery)
