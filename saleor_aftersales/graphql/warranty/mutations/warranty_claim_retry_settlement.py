"""The `warrantyClaimRetrySettlement` mutation."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ...core.mutations import BaseMutation
from ..access import claim_for
from ..types import WarrantyClaim
from .common import errors_field


class WarrantyClaimRetrySettlement(BaseMutation):
    claim = graphene.Field(WarrantyClaim)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Send failed Saleor calls again (same idempotency keys). Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        claim, actor = claim_for(info, data["id"], staff_only=True)
        return cls(claim=actions.retry_claim_settlement(claim=claim, actor=actor))
