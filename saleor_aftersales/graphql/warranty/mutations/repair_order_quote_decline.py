"""The `repairOrderQuoteDecline` mutation."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ...core.mutations import BaseMutation
from ..access import repair_for
from ..types import RepairOrder
from .common import errors_field


class RepairOrderQuoteDecline(BaseMutation):
    repair_order = graphene.Field(RepairOrder)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)
        note = graphene.String()

    class Meta:
        description = "The customer declines the quote: the item goes back unrepaired."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        repair, actor = repair_for(info, data["id"])
        return cls(
            repair_order=actions.decline_quote(repair=repair, actor=actor, note=data.get("note") or "")
        )
