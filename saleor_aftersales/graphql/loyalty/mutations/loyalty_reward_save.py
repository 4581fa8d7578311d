import graphene

from ....core.errors import NotFoundError
from ....loyalty import actions
from ....loyalty.models import Reward
from ...core.mutations import BaseMutation
from ..access import SETUP_PERMISSION, pk_of
from ..types import LoyaltyError, LoyaltyReward, LoyaltyRewardKindEnum, enum_value


class LoyaltyRewardInput(graphene.InputObjectType):
    channel = graphene.String()
    kind = LoyaltyRewardKindEnum()
    name_en = graphene.String()
    name_zh_hans = graphene.String()
    points_cost = graphene.Int()
    value = graphene.Decimal(description="Amount (gift card, fixed voucher) or percent (percentage voucher).")
    currency = graphene.String()
    min_order_amount = graphene.Decimal()
    per_customer_limit = graphene.Int()
    available_from = graphene.DateTime()
    available_until = graphene.DateTime()
    validity_days = graphene.Int()
    is_active = graphene.Boolean()


FIELD_NAMES = {"channel": "channel_slug"}


class LoyaltyRewardSave(BaseMutation):
    reward = graphene.Field(LoyaltyReward)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(LoyaltyError)))

    class Arguments:
        id = graphene.ID(description="Omit to create a reward.")
        input = LoyaltyRewardInput(required=True)

    class Meta:
        description = "Create or change a reward of the catalogue. MANAGE_DISCOUNTS."

    @classmethod
    def perform_mutation(cls, root, info, input, id=None):  # noqa: A002
        installation = cls.requestor(info).require_staff(SETUP_PERMISSION)
        reward = None
        if id:
            reward = Reward.objects.filter(
                installation=installation, pk=pk_of(id, "LoyaltyReward", "id")
            ).first()
            if reward is None:
                raise NotFoundError("Unknown reward.", "id")
        values = {FIELD_NAMES.get(k, k): enum_value(v) for k, v in dict(input).items() if v is not None}
        return cls(reward=actions.save_reward(installation=installation, reward=reward, values=values))
