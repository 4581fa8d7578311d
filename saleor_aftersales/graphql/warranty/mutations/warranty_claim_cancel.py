"""The `warrantyClaimCancel` mutation."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ...core.mutations import BaseMutation
from ..access import claim_for
from ..types import WarrantyClaim
from .common import errors_field


class WarrantyClaimCancel(BaseMutation):
    claim = graphene.Field(WarrantyClaim)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)
        note = graphene.String()

    class Meta:
        description = "Withdraw a claim before it is decided."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        claim, actor = claim_for(info, data["id"])
        return cls(claim=actions.cancel_claim(claim=claim, actor=actor, note=data.get("note") or ""))
