import graphene

from ....loyalty import actions
from ...core.mutations import BaseMutation
from ..types import LoyaltyAccount, LoyaltyError


class LoyaltyBirthdaySet(BaseMutation):
    account = graphene.Field(LoyaltyAccount)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(LoyaltyError)))

    class Arguments:
        channel = graphene.String(required=True)
        month = graphene.Int(required=True, description="1-12.")
        day = graphene.Int(required=True, description="1-31 (29 February is celebrated on 28 February).")

    class Meta:
        description = (
            "Set the signed-in customer's birthday for the birthday reward (awarded once a year on that day). "
            "It can be changed once a year."
        )

    @classmethod
    def perform_mutation(cls, root, info, channel, month, day):
        requestor = cls.requestor(info)
        installation = requestor.require_customer()
        account = actions.set_birthday(
            installation=installation,
            channel_slug=channel,
            email=requestor.actor.email,
            user_id=requestor.actor.user_id,
            month=month,
            day=day,
            actor=requestor.actor,
        )
        return cls(account=account)
