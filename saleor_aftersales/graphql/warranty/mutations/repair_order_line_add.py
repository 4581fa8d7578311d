"""The `repairOrderLineAdd` mutation."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ...core.mutations import BaseMutation
from ..access import repair_for
from ..types import RepairLine, RepairOrder
from .common import enum_value, errors_field
from .inputs import RepairLineKindEnum


class RepairOrderLineAdd(BaseMutation):
    repair_order = graphene.Field(RepairOrder)
    line = graphene.Field(RepairLine)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)
        kind = RepairLineKindEnum(required=True)
        description = graphene.String(required=True)
        quantity = graphene.Decimal(required=True, description="Units, or hours of labour.")
        unit_cost = graphene.Decimal(required=True)
        covered = graphene.Boolean(description="Covered by the warranty (default: unless a paid repair).")
        sku = graphene.String()

    class Meta:
        description = "Add a part or labour line (Decimal costs, never negative). Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        repair, actor = repair_for(info, data["id"], staff_only=True)
        line = actions.add_repair_line(
            repair=repair,
            actor=actor,
            kind=enum_value(data["kind"]),
            description=data["description"],
            quantity=data["quantity"],
            unit_cost=data["unit_cost"],
            covered=data.get("covered"),
            sku=data.get("sku") or "",
        )
        line.currency = repair.currency
        return cls(repair_order=line.repair_order, line=line)
