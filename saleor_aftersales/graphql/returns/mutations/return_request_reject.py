import graphene

from ....returns import actions
from ...core.mutations import BaseMutation
from ..access import request_for_requestor
from ..types import ReturnError, ReturnRequest


class ReturnRequestReject(BaseMutation):
    return_request = graphene.Field(ReturnRequest)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ReturnError)))

    class Arguments:
        id = graphene.ID(required=True)
        reason = graphene.String(required=True, description="Shown to the customer.")

    class Meta:
        description = "Reject a request with the reason. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        request, actor = request_for_requestor(info, data["id"], staff_only=True)
        return cls(
            return_request=actions.reject_return_request(request=request, actor=actor, reason=data["reason"])
        )
