"""The `warrantyRegistrationVerify` mutation."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ...core.mutations import BaseMutation
from ..access import warranty_for
from ..types import Warranty
from .common import errors_field


class WarrantyRegistrationVerify(BaseMutation):
    warranty = graphene.Field(Warranty)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)
        approve = graphene.Boolean(required=True)
        note = graphene.String(description="Required when rejecting: the reason shown to the customer.")
        duration_months = graphene.Int(description="Override the duration from the terms.")

    class Meta:
        description = "Verify (or reject) a registration of an item bought elsewhere. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        warranty, actor = warranty_for(info, data["id"], staff_only=True)
        warranty = actions.verify_registration(
            warranty=warranty,
            actor=actor,
            approve=data["approve"],
            note=data.get("note") or "",
            duration_months=data.get("duration_months"),
        )
        return cls(warranty=warranty)
