import graphene

from ....installations.permissions import SaleorPermission
from ....loyalty import actions
from ...core.mutations import BaseMutation
from ..types import LoyaltyError


class LoyaltyStaffLimitSet(BaseMutation):
    staff_user_id = graphene.ID()
    daily_points = graphene.Int()
    errors = graphene.NonNull(graphene.List(graphene.NonNull(LoyaltyError)))

    class Arguments:
        staff_user_id = graphene.ID(required=True)
        daily_points = graphene.Int(
            required=True, description="Points (either way) the member may adjust per day."
        )

    class Meta:
        description = "Set one staff member's daily manual-adjustment limit. MANAGE_STAFF."

    @classmethod
    def perform_mutation(cls, root, info, staff_user_id, daily_points):
        installation = cls.requestor(info).require_staff(SaleorPermission.MANAGE_STAFF)
        row = actions.set_staff_limit(
            installation=installation, staff_user_id=staff_user_id, daily_points=daily_points
        )
        return cls(staff_user_id=row.staff_user_id, daily_points=row.daily_points)
