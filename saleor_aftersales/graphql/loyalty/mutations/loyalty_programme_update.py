import graphene

from ....loyalty import actions
from ...core.mutations import BaseMutation
from ..access import SETUP_PERMISSION
from ..types import LoyaltyError, LoyaltyProgramme, LoyaltyTierBasisEnum, enum_value

# A cap of 0 means "no cap".
NULLABLE_CAPS = ("max_points_per_order", "max_balance")


class LoyaltyProgrammeInput(graphene.InputObjectType):
    is_active = graphene.Boolean()
    currency = graphene.String()
    points_per_unit = graphene.Decimal(description="Points per 1.00 of net paid amount.")
    point_value = graphene.Decimal(description="Money value of one point (liability report).")
    lot_expiry_days = graphene.Int()
    signup_points = graphene.Int()
    first_order_points = graphene.Int()
    survey_completed_points = graphene.Int()
    product_review_points = graphene.Int()
    birthday_points = graphene.Int()
    max_points_per_order = graphene.Int(description="0 removes the cap.")
    max_balance = graphene.Int(description="0 removes the cap.")
    min_redemption_points = graphene.Int()
    tier_basis = LoyaltyTierBasisEnum()
    expiry_notice_days = graphene.Int()
    staff_daily_adjustment_limit = graphene.Int()


class LoyaltyProgrammeUpdate(BaseMutation):
    programme = graphene.Field(LoyaltyProgramme)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(LoyaltyError)))

    class Arguments:
        channel = graphene.String(required=True)
        input = LoyaltyProgrammeInput(required=True)

    class Meta:
        description = "Create or change the loyalty programme of a channel. MANAGE_DISCOUNTS."

    @classmethod
    def perform_mutation(cls, root, info, channel, input):  # noqa: A002
        requestor = cls.requestor(info)
        installation = requestor.require_staff(SETUP_PERMISSION)
        values = {key: enum_value(value) for key, value in dict(input).items() if value is not None}
        for key in NULLABLE_CAPS:
            if values.get(key) == 0:
                values[key] = None
        programme = actions.save_programme(
            installation=installation, channel_slug=channel, actor=requestor.actor, values=values
        )
        return cls(programme=programme)
