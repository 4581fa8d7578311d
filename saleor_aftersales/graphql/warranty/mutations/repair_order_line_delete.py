"""The `repairOrderLineDelete` mutation."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ..access import repair_line_for, staff
from ..types import RepairOrder
from .common import errors_field


class RepairOrderLineDelete(BaseMutation):
    repair_order = graphene.Field(RepairOrder)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True, description="The RepairLine id.")

    class Meta:
        description = "Remove a part or labour line. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        installation = staff(info)
        line = repair_line_for(installation, data["id"])
        return cls(repair_order=actions.remove_repair_line(line=line, actor=get_requestor(info).actor))
