"""The `warrantyClaimDecide` mutation."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ...core.mutations import BaseMutation
from ..access import center_for, claim_for
from ..types import WarrantyClaim, WarrantyClaimDecisionEnum
from .common import enum_value, errors_field


class WarrantyClaimDecide(BaseMutation):
    claim = graphene.Field(WarrantyClaim)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)
        decision = WarrantyClaimDecisionEnum(required=True)
        note = graphene.String(description="Required for REJECT: the reason.")
        center_id = graphene.ID(description="Repairs: assign a service center at once.")

    class Meta:
        description = (
            "Decide a claim: repair, replace, refund, reject or paid repair. Requires MANAGE_ORDERS."
        )

    @classmethod
    def perform_mutation(cls, root, info, **data):
        claim, actor = claim_for(info, data["id"], staff_only=True)
        center = center_for(claim.installation, data["center_id"]) if data.get("center_id") else None
        claim = actions.decide_claim(
            claim=claim,
            actor=actor,
            decision=enum_value(data["decision"]),
            note=data.get("note") or "",
            center=center,
        )
        return cls(claim=claim)
