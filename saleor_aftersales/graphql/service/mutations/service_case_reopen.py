import graphene

from ....service import actions
from ...core.mutations import BaseMutation
from ..access import case_for_requestor
from ..types import ServiceCase, ServiceError


class ServiceCaseReopen(BaseMutation):
    service_case = graphene.Field(ServiceCase)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ServiceError)))

    class Arguments:
        id = graphene.ID(required=True)
        note = graphene.String()

    class Meta:
        description = "Reopen a resolved case (customers: within 14 days; staff: also closed cases)."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        case, actor = case_for_requestor(info, data["id"])
        return cls(service_case=actions.reopen_case(case=case, actor=actor, note=data.get("note") or ""))
