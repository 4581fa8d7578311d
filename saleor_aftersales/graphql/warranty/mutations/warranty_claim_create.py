"""The `warrantyClaimCreate` mutation."""

from __future__ import annotations

import graphene

from ....core.idempotency import scoped_key
from ....warranty import actions
from ...core.mutations import BaseMutation
from ..access import warranty_for
from ..types import WarrantyClaim
from .common import errors_field
from .inputs import WarrantyClaimCreateInput


class WarrantyClaimCreate(BaseMutation):
    claim = graphene.Field(WarrantyClaim)
    errors = errors_field()

    class Arguments:
        input = WarrantyClaimCreateInput(required=True)

    class Meta:
        description = (
            "File a claim against a warranty (coverage is checked: in term, covered issue). Guests give the "
            "order's number and email."
        )

    @classmethod
    def perform_mutation(cls, root, info, input):
        warranty, actor = warranty_for(
            info,
            input["warranty_id"],
            "warrantyId",
            order_number=input.get("order_number"),
            email=input.get("email"),
        )
        claim = actions.create_claim(
            warranty=warranty,
            actor=actor,
            symptom=input["symptom"],
            description=input.get("description") or "",
            photos=input.get("photos") or [],
            override=bool(input.get("override")),
            paid_repair=bool(input.get("paid_repair")),
            idempotency_key=scoped_key(actor, input.get("idempotency_key")),
        )
        return cls(claim=claim)
