"""GraphQL queries and mutations of the loyalty capability."""

from __future__ import annotations

from types import SimpleNamespace

import graphene
from django.db.models import Q

from ...core.errors import NotFoundError
from ...core.time import now
from ...loyalty import selectors
from ...loyalty.models import Account
from ..core.context import get_requestor
from ..core.types import page_size
from .access import ACCOUNTS_PERMISSION, SETUP_PERMISSION, staff_account
from .mutations.loyalty_birthday_set import LoyaltyBirthdaySet
from .mutations.loyalty_earn_rule_set import LoyaltyEarnRuleSet
from .mutations.loyalty_points_adjust import LoyaltyPointsAdjust
from .mutations.loyalty_programme_update import LoyaltyProgrammeUpdate
from .mutations.loyalty_reward_claim import LoyaltyRewardClaimCreate
from .mutations.loyalty_reward_save import LoyaltyRewardSave
from .mutations.loyalty_staff_limit_set import LoyaltyStaffLimitSet
from .mutations.loyalty_tier_save import LoyaltyTierSave
from .types import LoyaltyAccount, LoyaltyLiabilityReport, LoyaltyProgramme, LoyaltyReward


class LoyaltyQueries(graphene.ObjectType):
    my_loyalty_account = graphene.Field(
        LoyaltyAccount,
        required=True,
        channel=graphene.String(required=True),
        description="The signed-in customer's points, tier, history, affordable rewards and claims.",
    )
    loyalty_rewards = graphene.List(
        graphene.NonNull(LoyaltyReward),
        required=True,
        channel=graphene.String(required=True),
        description="The reward catalogue of a channel (available now).",
    )
    loyalty_programme = graphene.Field(
        LoyaltyProgramme, channel=graphene.String(required=True), description="MANAGE_DISCOUNTS."
    )
    loyalty_account = graphene.Field(
        LoyaltyAccount, id=graphene.ID(required=True), description="MANAGE_USERS."
    )
    loyalty_accounts = graphene.List(
        graphene.NonNull(LoyaltyAccount),
        required=True,
        channel=graphene.String(),
        search=graphene.String(description="Email or Saleor user id."),
        first=graphene.Int(default_value=50),
        description="Members, largest balance first. MANAGE_USERS.",
    )
    loyalty_liability_report = graphene.Field(
        LoyaltyLiabilityReport,
        required=True,
        channel=graphene.String(required=True),
        description="MANAGE_USERS.",
    )

    @staticmethod
    def resolve_my_loyalty_account(_root, info, channel):
        requestor = get_requestor(info)
        installation = requestor.require_customer()
        actor = requestor.actor
        account = selectors.account_of(installation, channel, user_id=actor.user_id, email=actor.email)
        # Not a member yet: an empty, unsaved account (nothing is written by a read).
        return account or Account(
            installation=installation, channel_slug=channel, email=actor.email.lower(), user_id=actor.user_id
        )

    @staticmethod
    def resolve_loyalty_rewards(_root, info, channel):
        installation = get_requestor(info).require_installation()
        return list(selectors.rewards_for(installation, channel, now=now()))

    @staticmethod
    def resolve_loyalty_programme(_root, info, channel):
        installation = get_requestor(info).require_staff(SETUP_PERMISSION)
        return selectors.programme_for(installation, channel)

    @staticmethod
    def resolve_loyalty_account(_root, info, id):  # noqa: A002
        return staff_account(info, id)

    @staticmethod
    def resolve_loyalty_accounts(_root, info, channel=None, search=None, first=50):
        installation = get_requestor(info).require_staff(ACCOUNTS_PERMISSION)
        qs = Account.objects.filter(installation=installation)
        if channel:
            qs = qs.filter(channel_slug=channel)
        if search:
            term = search.strip()
            qs = qs.filter(Q(email__iexact=term) | Q(user_id=term) | Q(email__icontains=term))
        return list(qs.order_by("-available_points", "id")[: page_size(first)])

    @staticmethod
    def resolve_loyalty_liability_report(_root, info, channel):
        installation = get_requestor(info).require_staff(ACCOUNTS_PERMISSION)
        if selectors.programme_for(installation, channel) is None:
            raise NotFoundError("No loyalty programme in this channel.", "channel")
        return SimpleNamespace(**selectors.liability_report(installation, channel))


class LoyaltyMutations(graphene.ObjectType):
    loyalty_reward_claim_create = LoyaltyRewardClaimCreate.Field()
    loyalty_points_adjust = LoyaltyPointsAdjust.Field()
    loyalty_programme_update = LoyaltyProgrammeUpdate.Field()
    loyalty_tier_save = LoyaltyTierSave.Field()
    loyalty_earn_rule_set = LoyaltyEarnRuleSet.Field()
    loyalty_reward_save = LoyaltyRewardSave.Field()
    loyalty_staff_limit_set = LoyaltyStaffLimitSet.Field()
    loyalty_birthday_set = LoyaltyBirthdaySet.Field()
