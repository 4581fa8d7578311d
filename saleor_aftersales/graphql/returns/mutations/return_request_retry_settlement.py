import graphene

from ....returns import actions
from ...core.mutations import BaseMutation
from ..access import request_for_requestor
from ..types import ReturnError, ReturnRequest


class ReturnRequestRetrySettlement(BaseMutation):
    return_request = graphene.Field(ReturnRequest)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ReturnError)))

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Send the failed Saleor calls of a settlement again. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        request, actor = request_for_requestor(info, data["id"], staff_only=True)
        return cls(return_request=actions.retry_settlement(request=request, actor=actor))
