"""The `repairOrderSetTracking` mutation."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ...core.mutations import BaseMutation
from ..access import repair_for
from ..types import RepairOrder
from .common import enum_value, errors_field
from .inputs import RepairTrackingDirectionEnum


class RepairOrderSetTracking(BaseMutation):
    repair_order = graphene.Field(RepairOrder)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)
        direction = RepairTrackingDirectionEnum(required=True)
        carrier = graphene.String()
        tracking_number = graphene.String(required=True)

    class Meta:
        description = "Inbound tracking (customer or staff) or outbound tracking (staff)."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        repair, actor = repair_for(info, data["id"])
        repair = actions.set_repair_tracking(
            repair=repair,
            actor=actor,
            direction=enum_value(data["direction"]),
            carrier=data.get("carrier") or "",
            tracking_number=data["tracking_number"],
        )
        return cls(repair_order=repair)
