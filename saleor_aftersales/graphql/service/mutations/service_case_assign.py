import graphene

from ....service import actions
from ...core.mutations import BaseMutation
from ..access import case_for_requestor
from ..types import ServiceCase, ServiceError


class ServiceCaseAssign(BaseMutation):
    service_case = graphene.Field(ServiceCase)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ServiceError)))

    class Arguments:
        id = graphene.ID(required=True)
        assignee_id = graphene.ID(description="A Saleor staff User id; null to unassign.")
        assignee_email = graphene.String()

    class Meta:
        description = "Assign a case to a staff user. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        case, actor = case_for_requestor(info, data["id"], staff_only=True)
        case = actions.assign_case(
            case=case,
            actor=actor,
            assignee_user_id=data.get("assignee_id") or "",
            assignee_email=data.get("assignee_email") or "",
        )
        return cls(service_case=case)
