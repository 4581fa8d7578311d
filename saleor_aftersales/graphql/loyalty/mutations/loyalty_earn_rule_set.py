import graphene

from ....core.errors import NotFoundError
from ....loyalty import actions, selectors
from ...core.mutations import BaseMutation
from ..access import SETUP_PERMISSION
from ..types import LoyaltyEarnRule, LoyaltyError


class LoyaltyEarnRuleSet(BaseMutation):
    rule = graphene.Field(LoyaltyEarnRule)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(LoyaltyError)))

    class Arguments:
        channel = graphene.String(required=True)
        scope = graphene.String(required=True, description="product, category or product_type")
        target_id = graphene.ID(
            required=True, description="Saleor id of the product, category or product type."
        )
        multiplier = graphene.Decimal(required=True, description="0 excludes it from earning.")

    class Meta:
        description = "Set the earning multiplier of a product, category or product type. MANAGE_DISCOUNTS."

    @classmethod
    def perform_mutation(cls, root, info, channel, scope, target_id, multiplier):
        installation = cls.requestor(info).require_staff(SETUP_PERMISSION)
        programme = selectors.programme_for(installation, channel)
        if programme is None:
            raise NotFoundError("No loyalty programme in this channel.", "channel")
        rule = actions.set_earn_rule(
            programme=programme, scope=scope, target_id=target_id, multiplier=multiplier
        )
        return cls(rule=rule)
