"""Queries and mutations about the installation itself: app info, and the outbox of calls to Saleor."""

from __future__ import annotations

import graphene

from ... import __version__
from ...core.errors import NotFoundError
from ...core.ids import from_global_id, to_global_id
from ...installations.permissions import SaleorPermission
from ...outbox import actions as outbox_actions
from ...outbox.models import OutboxMessage as OutboxMessageModel
from .context import get_requestor
from .errors import error_code_enum, error_type
from .mutations import BaseMutation
from .types import page_size


class AppInfo(graphene.ObjectType):
    version = graphene.String(required=True)
    saleor_api_url = graphene.String(description="The Saleor this request is scoped to.")


class OutboxMessage(graphene.ObjectType):
    """A call to Saleor that changes money or objects; visible so a failed settlement is never silent."""

    id = graphene.ID(required=True)
    operation = graphene.String(required=True)
    status = graphene.String(required=True)
    attempts = graphene.Int(required=True)
    last_error = graphene.String()
    subject_type = graphene.String()
    subject_id = graphene.String()
    created_at = graphene.DateTime(required=True)
    next_attempt_at = graphene.DateTime()

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("OutboxMessage", root.pk)


OutboxErrorCode = error_code_enum("OutboxErrorCode", [])
OutboxError = error_type("OutboxError", OutboxErrorCode)


class OutboxMessageRetry(BaseMutation):
    message = graphene.Field(OutboxMessage)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(OutboxError)))

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Retry a failed call to Saleor (after fixing its cause). Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, id):
        installation = get_requestor(info).require_staff(SaleorPermission.MANAGE_ORDERS)
        try:
            _type, pk = from_global_id(id)
        except ValueError:
            raise NotFoundError("Unknown outbox message.", "id") from None
        message = OutboxMessageModel.objects.filter(installation=installation, pk=pk).first()
        if message is None:
            raise NotFoundError("Unknown outbox message.", "id")
        return cls(message=outbox_actions.retry_failed(message=message))


class CoreQueries(graphene.ObjectType):
    app_info = graphene.Field(AppInfo, required=True)
    outbox_messages = graphene.List(
        graphene.NonNull(OutboxMessage),
        required=True,
        status=graphene.String(description="pending, in_flight, succeeded, failed, cancelled"),
        first=graphene.Int(default_value=50),
        description="Calls to Saleor, newest first. Requires MANAGE_ORDERS.",
    )

    @staticmethod
    def resolve_app_info(_root, info):
        requestor = get_requestor(info)
        return AppInfo(
            version=__version__,
            saleor_api_url=requestor.installation.saleor_api_url if requestor.installation else None,
        )

    @staticmethod
    def resolve_outbox_messages(_root, info, status=None, first=50):
        installation = get_requestor(info).require_staff(SaleorPermission.MANAGE_ORDERS)
        qs = OutboxMessageModel.objects.filter(installation=installation).order_by("-created_at", "-id")
        if status:
            qs = qs.filter(status=status)
        return list(qs[: page_size(first)])


class CoreMutations(graphene.ObjectType):
    outbox_message_retry = OutboxMessageRetry.Field()
