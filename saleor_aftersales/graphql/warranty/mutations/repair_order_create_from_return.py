"""The `repairOrderCreateFromReturn` mutation."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ...core.mutations import BaseMutation
from ...returns.access import request_for_requestor
from ..types import RepairOrder
from .common import errors_field


class RepairOrderCreateFromReturn(BaseMutation):
    repair_order = graphene.Field(RepairOrder)
    errors = errors_field()

    class Arguments:
        return_request_id = graphene.ID(required=True)

    class Meta:
        description = "Convert a return into a repair (the return is cancelled). Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        request, actor = request_for_requestor(info, data["return_request_id"], staff_only=True)
        return cls(repair_order=actions.convert_return_to_repair(return_request=request, actor=actor))
