import graphene

from ....returns import actions
from ...core.mutations import BaseMutation
from ..access import request_for_requestor
from ..types import ReturnError, ReturnRequest


class ReturnRequestCancel(BaseMutation):
    return_request = graphene.Field(ReturnRequest)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ReturnError)))

    class Arguments:
        id = graphene.ID(required=True)
        email = graphene.String(description="Guests: the email of the order.")
        note = graphene.String()

    class Meta:
        description = "Withdraw a request before anything ships (the customer, a guest, or staff)."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        request, actor = request_for_requestor(info, data["id"], data.get("email"))
        return cls(
            return_request=actions.cancel_return_request(
                request=request, actor=actor, note=data.get("note") or ""
            )
        )
