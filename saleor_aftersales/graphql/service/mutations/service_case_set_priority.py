import graphene

from ....service import actions
from ...core.mutations import BaseMutation
from ..access import case_for_requestor
from ..types import ServiceCase, ServiceCasePriorityEnum, ServiceError, enum_value


class ServiceCaseSetPriority(BaseMutation):
    service_case = graphene.Field(ServiceCase)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ServiceError)))

    class Arguments:
        id = graphene.ID(required=True)
        priority = graphene.Argument(ServiceCasePriorityEnum, required=True)
        note = graphene.String()

    class Meta:
        description = "Change the priority; running SLA clocks take the new targets. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        case, actor = case_for_requestor(info, data["id"], staff_only=True)
        case = actions.set_priority(
            case=case, actor=actor, priority=enum_value(data["priority"]), note=data.get("note") or ""
        )
        return cls(service_case=case)
