"""The `warrantyTransferCreate` mutation."""

from __future__ import annotations

import graphene

from ....core.errors import PermissionDeniedError
from ....warranty import actions
from ...core.mutations import BaseMutation
from ..access import warranty_for
from ..types import WarrantyTransfer
from .common import errors_field


class WarrantyTransferCreate(BaseMutation):
    transfer = graphene.Field(WarrantyTransfer)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)
        email = graphene.String(required=True, description="The receiver's email.")

    class Meta:
        description = "Offer the warranty to another person; it moves when they accept (the owner only)."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        warranty, actor = warranty_for(info, data["id"])
        if actor.is_staff:
            raise PermissionDeniedError("The owner transfers a warranty.")
        transfer = actions.offer_transfer(warranty=warranty, actor=actor, to_email=data["email"])
        return cls(transfer=transfer)
