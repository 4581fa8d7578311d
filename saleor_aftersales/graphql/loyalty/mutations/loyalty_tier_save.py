import graphene

from ....core.errors import NotFoundError
from ....loyalty import actions, selectors
from ...core.mutations import BaseMutation
from ..access import SETUP_PERMISSION
from ..types import LoyaltyError, LoyaltyTier


class LoyaltyTierInput(graphene.InputObjectType):
    name_en = graphene.String(required=True)
    name_zh_hans = graphene.String(required=True)
    threshold = graphene.Decimal(required=True)
    multiplier = graphene.Decimal(required=True)
    benefits_en = graphene.String()
    benefits_zh_hans = graphene.String()


class LoyaltyTierSave(BaseMutation):
    tier = graphene.Field(LoyaltyTier)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(LoyaltyError)))

    class Arguments:
        channel = graphene.String(required=True)
        code = graphene.String(required=True)
        input = LoyaltyTierInput(required=True)

    class Meta:
        description = "Create or change a tier of a channel's programme. MANAGE_DISCOUNTS."

    @classmethod
    def perform_mutation(cls, root, info, channel, code, input):  # noqa: A002
        installation = cls.requestor(info).require_staff(SETUP_PERMISSION)
        programme = selectors.programme_for(installation, channel)
        if programme is None:
            raise NotFoundError("No loyalty programme in this channel.", "channel")
        values = {key: value for key, value in dict(input).items() if value is not None}
        return cls(tier=actions.save_tier(programme=programme, code=code, values=values))
