import graphene

from ....installations.permissions import SaleorPermission
from ....service import actions
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ..types import ServiceError, ServiceEscalationRule


class ServiceEscalationRuleSave(BaseMutation):
    rule = graphene.Field(ServiceEscalationRule)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ServiceError)))

    class Arguments:
        metric = graphene.String(description="first_response, next_response, resolution; empty: any.")
        raise_priority = graphene.Boolean(default_value=True)
        reassign_to_id = graphene.ID(description="A Saleor staff User id.")
        reassign_to_email = graphene.String()
        notify_email = graphene.String(description="Default: the assignee.")

    class Meta:
        description = "What happens when a case clock breaches. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        installation = get_requestor(info).require_staff(SaleorPermission.MANAGE_ORDERS)
        rule = actions.save_escalation_rule(
            installation=installation,
            metric=data.get("metric") or "",
            raise_priority=bool(data.get("raise_priority", True)),
            reassign_to_user_id=data.get("reassign_to_id") or "",
            reassign_to_email=data.get("reassign_to_email") or "",
            notify_email=data.get("notify_email") or "",
        )
        return cls(rule=rule)
