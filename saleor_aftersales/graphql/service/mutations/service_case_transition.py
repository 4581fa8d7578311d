import graphene

from ....service import actions
from ...core.mutations import BaseMutation
from ..access import case_for_requestor
from ..types import ServiceCase, ServiceCaseTransitionEnum, ServiceError, enum_value


class ServiceCaseTransition(BaseMutation):
    service_case = graphene.Field(ServiceCase)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ServiceError)))

    class Arguments:
        id = graphene.ID(required=True)
        transition = graphene.Argument(ServiceCaseTransitionEnum, required=True)
        note = graphene.String()

    class Meta:
        description = "Move a case: open, wait on customer, resolve, close, reopen. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        case, actor = case_for_requestor(info, data["id"], staff_only=True)
        case = actions.transition_case(
            case=case, actor=actor, transition=enum_value(data["transition"]), note=data.get("note") or ""
        )
        return cls(service_case=case)
