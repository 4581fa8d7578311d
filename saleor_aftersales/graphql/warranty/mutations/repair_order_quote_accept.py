"""The `repairOrderQuoteAccept` mutation."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ...core.mutations import BaseMutation
from ..access import repair_for
from ..types import RepairOrder
from .common import errors_field


class RepairOrderQuoteAccept(BaseMutation):
    repair_order = graphene.Field(RepairOrder)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = (
            "The customer accepts the quote: the repair goes ahead and a draft order to pay is created."
        )

    @classmethod
    def perform_mutation(cls, root, info, **data):
        repair, actor = repair_for(info, data["id"])
        return cls(repair_order=actions.accept_quote(repair=repair, actor=actor))
