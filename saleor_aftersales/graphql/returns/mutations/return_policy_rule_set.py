import graphene

from ....core.errors import NotFoundError
from ....installations.permissions import SaleorPermission
from ....returns import actions
from ....returns.models import ReturnPolicy as ReturnPolicyModel
from ....returns.models import ReturnPolicyRule as ReturnPolicyRuleModel
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ..access import pk_of
from ..types import ReturnError, ReturnPolicyRule


class ReturnPolicyRuleInput(graphene.InputObjectType):
    scope = graphene.String(required=True, description="product, category or product_type")
    target_id = graphene.ID(required=True, description="Saleor id of the product, category or product type.")
    window_days = graphene.Int()
    no_reason_days = graphene.Int()
    quality_window_days = graphene.Int()
    final_sale = graphene.Boolean()
    non_returnable = graphene.Boolean()
    restocking_fee_percent = graphene.Decimal()
    offered_resolutions = graphene.List(graphene.NonNull(graphene.String))


class ReturnPolicyRuleSet(BaseMutation):
    rule = graphene.Field(ReturnPolicyRule)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ReturnError)))

    class Arguments:
        policy_id = graphene.ID(required=True)
        input = ReturnPolicyRuleInput(required=True)

    class Meta:
        description = "Override a policy for a product, category or product type. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, policy_id, input):
        requestor = get_requestor(info)
        installation = requestor.require_staff(SaleorPermission.MANAGE_ORDERS)
        policy = ReturnPolicyModel.objects.filter(
            installation=installation, pk=pk_of(policy_id, "ReturnPolicy", "policyId")
        ).first()
        if policy is None:
            raise NotFoundError("Unknown policy.", "policyId")
        values = dict(input)
        rule = actions.save_policy_rule(
            policy=policy,
            actor=requestor.actor,
            scope=values.pop("scope"),
            target_id=values.pop("target_id"),
            **values,
        )
        return cls(rule=rule)


class ReturnPolicyRuleDelete(BaseMutation):
    deleted_id = graphene.ID()
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ReturnError)))

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Remove a policy override. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, id):
        requestor = get_requestor(info)
        installation = requestor.require_staff(SaleorPermission.MANAGE_ORDERS)
        rule = ReturnPolicyRuleModel.objects.filter(
            policy__installation=installation, pk=pk_of(id, "ReturnPolicyRule", "id")
        ).first()
        if rule is None:
            raise NotFoundError("Unknown rule.", "id")
        actions.delete_policy_rule(rule=rule, actor=requestor.actor)
        return cls(deleted_id=id)
