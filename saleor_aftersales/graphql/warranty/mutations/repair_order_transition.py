"""The `repairOrderTransition` mutation."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ...core.mutations import BaseMutation
from ..access import repair_for
from ..types import RepairOrder, RepairOrderTransitionEnum
from .common import enum_value, errors_field


class RepairOrderTransition(BaseMutation):
    repair_order = graphene.Field(RepairOrder)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)
        transition = RepairOrderTransitionEnum(required=True)
        note = graphene.String()

    class Meta:
        description = (
            "Move a repair order along its states (illegal moves: INVALID_TRANSITION). MANAGE_ORDERS."
        )

    @classmethod
    def perform_mutation(cls, root, info, **data):
        repair, actor = repair_for(info, data["id"], staff_only=True)
        repair = actions.transition_repair(
            repair=repair, actor=actor, transition=enum_value(data["transition"]), note=data.get("note") or ""
        )
        return cls(repair_order=repair)
