"""Personal data requests (MANAGE_USERS): export everything held about a customer, or erase it."""

import graphene

from ....installations.permissions import SaleorPermission
from ....service import actions
from ....service.personal_data import export_customer_data
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ..types import ServiceError


class ServiceCustomerDataExport(BaseMutation):
    data = graphene.JSONString(description="Everything the app holds about the customer, by capability.")
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ServiceError)))

    class Arguments:
        email = graphene.String()
        user_id = graphene.ID(description="The customer's Saleor User id.")

    class Meta:
        description = "Export a customer's data as JSON. Requires MANAGE_USERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        installation = get_requestor(info).require_staff(SaleorPermission.MANAGE_USERS)
        if not data.get("email") and not data.get("user_id"):
            from ....core.errors import DomainError

            raise DomainError("REQUIRED", "An email or a Saleor user id.", "email")
        return cls(
            data=export_customer_data(
                installation, email=data.get("email") or "", user_id=data.get("user_id") or ""
            )
        )


class ServiceCustomerDataErase(BaseMutation):
    counts = graphene.JSONString(description="How many rows of each kind were erased.")
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ServiceError)))

    class Arguments:
        email = graphene.String()
        user_id = graphene.ID()

    class Meta:
        description = (
            "Erase a customer's personal data (cases, messages, attachments, notifications). MANAGE_USERS."
        )

    @classmethod
    def perform_mutation(cls, root, info, **data):
        requestor = get_requestor(info)
        installation = requestor.require_staff(SaleorPermission.MANAGE_USERS)
        counts = actions.erase_customer_data(
            installation=installation,
            email=data.get("email") or "",
            user_id=data.get("user_id") or "",
            actor=requestor.actor,
        )
        return cls(counts=counts)
