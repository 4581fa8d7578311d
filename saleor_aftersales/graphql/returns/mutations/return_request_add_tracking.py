import graphene

from ....returns import actions
from ...core.mutations import BaseMutation
from ..access import request_for_requestor
from ..types import ReturnError, ReturnRequest


class ReturnRequestAddTracking(BaseMutation):
    return_request = graphene.Field(ReturnRequest)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ReturnError)))

    class Arguments:
        id = graphene.ID(required=True)
        email = graphene.String(description="Guests: the email of the order.")
        carrier = graphene.String(required=True)
        tracking_number = graphene.String(required=True)

    class Meta:
        description = "Add the carrier and tracking number of the parcel sent back."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        request, actor = request_for_requestor(info, data["id"], data.get("email"))
        request = actions.add_tracking(
            request=request, actor=actor, carrier=data["carrier"], tracking_number=data["tracking_number"]
        )
        return cls(return_request=request)
