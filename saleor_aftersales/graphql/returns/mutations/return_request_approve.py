import graphene

from ....returns import actions
from ...core.mutations import BaseMutation
from ..access import request_for_requestor
from ..types import ReturnError, ReturnRequest
from .line_inputs import ReturnLineQuantityInput, line_quantities


class ReturnRequestApprove(BaseMutation):
    return_request = graphene.Field(ReturnRequest)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ReturnError)))

    class Arguments:
        id = graphene.ID(required=True)
        lines = graphene.List(
            graphene.NonNull(ReturnLineQuantityInput), description="Per line; omit to approve all."
        )
        note = graphene.String()

    class Meta:
        description = "Approve a request fully or per line. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        request, actor = request_for_requestor(info, data["id"], staff_only=True)
        request = actions.approve_return_request(
            request=request,
            actor=actor,
            line_quantities=line_quantities(data.get("lines")),
            note=data.get("note") or "",
        )
        return cls(return_request=request)
