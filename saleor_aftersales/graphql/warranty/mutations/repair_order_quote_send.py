"""The `repairOrderQuoteSend` mutation."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ...core.mutations import BaseMutation
from ..access import repair_for
from ..types import RepairOrder
from .common import errors_field


class RepairOrderQuoteSend(BaseMutation):
    repair_order = graphene.Field(RepairOrder)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)
        amount = graphene.Decimal(description="Default: what the lines charge the customer.")
        note = graphene.String()

    class Meta:
        description = "Ask the customer to accept the quote (after diagnosis). Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        repair, actor = repair_for(info, data["id"], staff_only=True)
        repair = actions.send_quote(
            repair=repair, actor=actor, amount=data.get("amount"), note=data.get("note") or ""
        )
        return cls(repair_order=repair)
