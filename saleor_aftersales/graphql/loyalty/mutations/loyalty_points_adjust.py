import graphene

from ....loyalty import actions
from ...core.mutations import BaseMutation
from ..access import staff_account
from ..types import LoyaltyAccount, LoyaltyError, LoyaltyLedgerEntry


class LoyaltyPointsAdjust(BaseMutation):
    entry = graphene.Field(LoyaltyLedgerEntry)
    account = graphene.Field(LoyaltyAccount)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(LoyaltyError)))

    class Arguments:
        account_id = graphene.ID(required=True)
        points = graphene.Int(
            required=True, description="Positive adds a lot; negative removes available points."
        )
        reason = graphene.String(required=True)
        idempotency_key = graphene.String()

    class Meta:
        description = "A manual correction with a reason (audited, within the staff member's daily limit). MANAGE_USERS."

    @classmethod
    def perform_mutation(cls, root, info, account_id, points, reason, idempotency_key=None):
        account = staff_account(info, account_id)
        entry = actions.adjust_points(
            account=account,
            points=points,
            reason=reason,
            actor=cls.requestor(info).actor,
            idempotency_key=idempotency_key,
        )
        account.refresh_from_db()
        return cls(entry=entry, account=account)
