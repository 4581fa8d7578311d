import graphene

from ....service import actions
from ...core.mutations import BaseMutation
from ...core.types import Upload
from ..access import case_for_requestor
from ..types import ServiceCase, ServiceError, ServiceMessage


class ServiceCaseReply(BaseMutation):
    service_case = graphene.Field(ServiceCase)
    message = graphene.Field(ServiceMessage)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ServiceError)))

    class Arguments:
        id = graphene.ID(required=True)
        body = graphene.String(required=True)
        internal = graphene.Boolean(default_value=False, description="Staff: an internal note.")
        wait_on_customer = graphene.Boolean(
            default_value=False, description="Staff: then wait on the customer (pauses the SLA clocks)."
        )
        attachments = graphene.List(graphene.NonNull(Upload))
        order_number = graphene.String(description="Guests: the number of the case's order.")
        email = graphene.String(description="Guests: the email the order was placed with.")

    class Meta:
        description = "Add a message: the customer's, a staff reply, or a staff internal note."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        case, actor = case_for_requestor(
            info, data["id"], order_number=data.get("order_number"), email=data.get("email")
        )
        message = actions.add_message(
            case=case,
            actor=actor,
            body=data.get("body") or "",
            internal=bool(data.get("internal")),
            wait_on_customer=bool(data.get("wait_on_customer")),
            attachments=data.get("attachments") or [],
        )
        case.refresh_from_db()
        return cls(service_case=case, message=message)
