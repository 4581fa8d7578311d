import graphene

from ....service import actions
from ...core.mutations import BaseMutation
from ..access import case_for_requestor
from ..types import ServiceCase, ServiceError


class ServiceCaseSetTags(BaseMutation):
    service_case = graphene.Field(ServiceCase)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ServiceError)))

    class Arguments:
        id = graphene.ID(required=True)
        tags = graphene.List(graphene.NonNull(graphene.String), required=True)

    class Meta:
        description = "Replace the tags of a case. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        case, actor = case_for_requestor(info, data["id"], staff_only=True)
        return cls(service_case=actions.set_tags(case=case, actor=actor, tags=data["tags"]))
