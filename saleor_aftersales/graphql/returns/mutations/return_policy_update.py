import graphene

from ....installations.permissions import SaleorPermission
from ....returns import actions
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ..types import ReturnError, ReturnPolicy


class ReturnPolicyInput(graphene.InputObjectType):
    window_days = graphene.Int()
    window_starts = graphene.String(description="fulfillment or delivery")
    no_reason_days = graphene.Int(description="No-reason returns (default 7).")
    quality_window_days = graphene.Int()
    final_sale = graphene.Boolean()
    non_returnable = graphene.Boolean()
    shipping_payers = graphene.JSONString(description='{"quality": "merchant", "no_reason": "customer", ...}')
    refund_shipping_for_categories = graphene.List(graphene.NonNull(graphene.String))
    return_shipping_fee = graphene.Decimal()
    restocking_fee_percent = graphene.Decimal()
    evidence_required_reasons = graphene.List(graphene.NonNull(graphene.String))
    offered_resolutions = graphene.List(graphene.NonNull(graphene.String))
    store_credit_bonus_percent = graphene.Decimal()
    max_requests_per_customer = graphene.Int()
    abuse_period_days = graphene.Int()
    auto_approve_max_value = graphene.Decimal()
    auto_approve_trusted_customers = graphene.Boolean()
    auto_approve_defects_with_photos = graphene.Boolean()
    decision_sla_hours = graphene.Int()
    refund_sla_hours = graphene.Int()


class ReturnPolicyUpdate(BaseMutation):
    policy = graphene.Field(ReturnPolicy)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ReturnError)))

    class Arguments:
        channel = graphene.String(description="Channel slug; empty for the default policy.")
        input = ReturnPolicyInput(required=True)

    class Meta:
        description = "Create or change the return policy of a channel. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, input, channel=""):
        requestor = get_requestor(info)
        installation = requestor.require_staff(SaleorPermission.MANAGE_ORDERS)
        values = dict(input)
        policy = actions.save_return_policy(
            installation=installation, actor=requestor.actor, channel_slug=channel or "", **values
        )
        return cls(policy=policy)
