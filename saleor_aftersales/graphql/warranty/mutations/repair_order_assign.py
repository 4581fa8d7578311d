"""The `repairOrderAssign` mutation."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ...core.mutations import BaseMutation
from ..access import center_for, repair_for, technician_for
from ..types import RepairOrder
from .common import errors_field


class RepairOrderAssign(BaseMutation):
    repair_order = graphene.Field(RepairOrder)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)
        center_id = graphene.ID(required=True)
        technician_id = graphene.ID()

    class Meta:
        description = "Assign a service center (category, capacity checked) and a technician. MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        repair, actor = repair_for(info, data["id"], staff_only=True)
        center = center_for(repair.installation, data["center_id"])
        technician = (
            technician_for(repair.installation, data["technician_id"]) if data.get("technician_id") else None
        )
        repair = actions.assign_repair(repair=repair, actor=actor, center=center, technician=technician)
        return cls(repair_order=repair)
