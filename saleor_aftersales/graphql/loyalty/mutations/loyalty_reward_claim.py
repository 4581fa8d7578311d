import graphene

from ....loyalty import actions, error_codes
from ...core.mutations import BaseMutation
from ..access import pk_of
from ..types import LoyaltyError, LoyaltyRewardClaim


class LoyaltyRewardClaimCreate(BaseMutation):
    claim = graphene.Field(LoyaltyRewardClaim)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(LoyaltyError)))

    class Arguments:
        reward_id = graphene.ID(required=True)
        idempotency_key = graphene.String(
            required=True, description="Client-chosen; the same key returns the same claim (safe to retry)."
        )
        channel = graphene.String(
            description="The storefront's channel; a reward of another channel is refused."
        )

    class Meta:
        description = (
            "Spend points on a reward: the points are deducted and the gift card or voucher is created in Saleor "
            "exactly once; the claim shows the code once issued. Signed-in customers."
        )

    @classmethod
    def perform_mutation(cls, root, info, reward_id, idempotency_key, channel=None):
        requestor = cls.requestor(info)
        installation = requestor.require_customer()
        claim = actions.claim_reward(
            installation=installation,
            reward_id=pk_of(reward_id, "LoyaltyReward", "rewardId", code=error_codes.REWARD_NOT_FOUND),
            channel_slug=channel,
            idempotency_key=idempotency_key,
            user_id=requestor.actor.user_id,
            email=requestor.actor.email,
            actor=requestor.actor,
        )
        return cls(claim=claim)
