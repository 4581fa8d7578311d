import graphene

from ....insights import actions
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ..access import staff_installation
from ..types import InsightsError, PolicySimulation


class ProposedReturnPolicyInput(graphene.InputObjectType):
    """Only the terms that change; anything left out keeps the channel's current value."""

    window_days = graphene.Int()
    no_reason_days = graphene.Int()
    quality_window_days = graphene.Int()
    restocking_fee_percent = graphene.Decimal(description="Applies to no-reason returns.")
    shipping_payers = graphene.JSONString(description='{"no_reason": "customer", "quality": "merchant", ...}')
    return_shipping_fee = graphene.Decimal(description="Deducted when the customer pays the return shipping.")
    store_credit_bonus_percent = graphene.Decimal()
    offered_resolutions = graphene.List(graphene.NonNull(graphene.String))
    max_requests_per_customer = graphene.Int()
    auto_approve_max_value = graphene.Decimal()
    auto_approve_trusted_customers = graphene.Boolean()
    auto_approve_defects_with_photos = graphene.Boolean()


class PolicySimulationInput(graphene.InputObjectType):
    months = graphene.Int(required=True, description="Replay the requests of the last N months (1..24).")
    channel = graphene.String(description="Only this channel's requests (default: all).")
    policy = graphene.Field(ProposedReturnPolicyInput, required=True)
    return_label_cost = graphene.Decimal(description="What one return parcel costs the merchant (default 0).")
    credit_uptake_per_bonus_point = graphene.Decimal(
        description="Share of refund value moving to store credit per bonus point (default 0.02)."
    )


class PolicySimulationStart(BaseMutation):
    policy_simulation = graphene.Field(PolicySimulation)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(InsightsError)))

    class Arguments:
        input = PolicySimulationInput(required=True)

    class Meta:
        description = (
            "Replay past return requests under a proposed policy (runs as a task; poll policySimulation)."
        )

    @classmethod
    def perform_mutation(cls, root, info, **data):
        installation = staff_installation(info)
        payload = data["input"]
        run = actions.start_simulation(
            installation=installation,
            actor=get_requestor(info).actor,
            months=payload["months"],
            channel=payload.get("channel") or "",
            changes=dict(payload["policy"]),
            return_label_cost=payload.get("return_label_cost"),
            credit_uptake_per_bonus_point=payload.get("credit_uptake_per_bonus_point"),
        )
        return cls(policy_simulation=run)
