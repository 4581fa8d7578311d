"""GraphQL types of the loyalty capability."""

from __future__ import annotations

from decimal import Decimal

import graphene
from graphene_federation import key

from ...core.i18n import normalize_language
from ...core.ids import to_global_id
from ...core.time import now
from ...loyalty import error_codes, selectors
from ...loyalty.models import Account as AccountModel
from ...loyalty.models import ClaimStatus, EntryKind, LotStatus, RewardKind, TierBasis
from ..core.context import get_loader, get_requestor
from ..core.entities import reference_resolver
from ..core.errors import error_code_enum, error_type
from ..core.types import Money, choices_enum, money, page_size
from .dataloaders import ProgrammeByAccountLoader, QualifyingByAccountIdLoader, RewardByIdLoader

LoyaltyErrorCode = error_code_enum("LoyaltyErrorCode", error_codes.ALL)
LoyaltyError = error_type("LoyaltyError", LoyaltyErrorCode)


LoyaltyEntryKindEnum = choices_enum("LoyaltyEntryKindEnum", EntryKind.values)
LoyaltyLotStatusEnum = choices_enum("LoyaltyLotStatusEnum", LotStatus.values)
LoyaltyRewardKindEnum = choices_enum("LoyaltyRewardKindEnum", RewardKind.values)
LoyaltyClaimStatusEnum = choices_enum("LoyaltyClaimStatusEnum", ClaimStatus.values)
LoyaltyTierBasisEnum = choices_enum("LoyaltyTierBasisEnum", TierBasis.values)

ENTRY_TEXTS: dict[str, dict[str, str]] = {
    EntryKind.EARN_PENDING: {"en": "Points earned (pending)", "zh-hans": "获得积分（待生效）"},
    EntryKind.RELEASE: {"en": "Points now available", "zh-hans": "积分已生效"},
    EntryKind.EARN: {"en": "Points earned", "zh-hans": "获得积分"},
    EntryKind.REDEEM: {"en": "Points redeemed", "zh-hans": "积分已兑换"},
    EntryKind.REVERSE: {"en": "Points reversed after a refund", "zh-hans": "退款后积分已扣回"},
    EntryKind.RESTORE: {"en": "Points returned", "zh-hans": "积分已退回"},
    EntryKind.EXPIRE: {"en": "Points expired", "zh-hans": "积分已过期"},
    EntryKind.ADJUST: {"en": "Adjusted by the shop", "zh-hans": "商家调整"},
    EntryKind.DEBT_SETTLED: {"en": "New points settled a negative balance", "zh-hans": "新积分已抵扣负余额"},
}


def _language(info, language=None) -> str:
    return normalize_language(language or info.context.headers.get("Accept-Language", "en")[:5])


def _is_staff(info) -> bool:
    return get_requestor(info).is_staff


def enum_value(value):
    return getattr(value, "value", value)


class LoyaltyTier(graphene.ObjectType):
    code = graphene.String(required=True)
    name = graphene.String(required=True, language=graphene.String())
    name_en = graphene.String(required=True)
    name_zh_hans = graphene.String(required=True)
    threshold = graphene.Decimal(required=True, description="Points or money over a rolling 12 months.")
    multiplier = graphene.Decimal(required=True)
    benefits = graphene.String(required=True, language=graphene.String())

    @staticmethod
    def resolve_name(root, info, language=None):
        return root.name_zh_hans if _language(info, language) == "zh-hans" else root.name_en

    @staticmethod
    def resolve_benefits(root, info, language=None):
        return root.benefits_zh_hans if _language(info, language) == "zh-hans" else root.benefits_en


class LoyaltyTierProgress(graphene.ObjectType):
    basis = graphene.Field(LoyaltyTierBasisEnum, required=True)
    qualifying = graphene.Decimal(required=True, description="Points earned or net spend, rolling 12 months.")
    tier = graphene.Field(LoyaltyTier)
    next_tier = graphene.Field(LoyaltyTier)
    to_next_tier = graphene.Decimal(description="What is still missing for the next tier.")
    multiplier = graphene.Decimal(required=True)


class LoyaltyPointsAt(graphene.ObjectType):
    points = graphene.Int(required=True)
    at = graphene.DateTime(description="Release date (pending; null until the order is fulfilled) or expiry.")


class LoyaltyLedgerEntry(graphene.ObjectType):
    id = graphene.ID(required=True)
    kind = graphene.Field(LoyaltyEntryKindEnum, required=True)
    points = graphene.Int(required=True, description="Signed effect on available + pending.")
    available_delta = graphene.Int(required=True)
    pending_delta = graphene.Int(required=True)
    created_at = graphene.DateTime(required=True)
    order_id = graphene.ID(description="Saleor order the entry concerns.")
    description = graphene.String(required=True, language=graphene.String())
    note = graphene.String(description="Staff only: the adjustment reason or system note.")
    actor_type = graphene.String(description="Staff only.")
    actor_email = graphene.String(description="Staff only.")

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("LoyaltyLedgerEntry", root.pk)

    @staticmethod
    def resolve_kind(root, _info):
        return str(root.type)

    @staticmethod
    def resolve_order_id(root, _info):
        return root.order_saleor_id or None

    @staticmethod
    def resolve_description(root, info, language=None):
        texts = ENTRY_TEXTS.get(root.type, {"en": root.type, "zh-hans": root.type})
        return texts["zh-hans" if _language(info, language) == "zh-hans" else "en"]

    @staticmethod
    def resolve_note(root, info):
        return root.note if _is_staff(info) else None

    @staticmethod
    def resolve_actor_type(root, info):
        return root.actor_type if _is_staff(info) else None

    @staticmethod
    def resolve_actor_email(root, info):
        return root.actor_email if _is_staff(info) else None


class LoyaltyLot(graphene.ObjectType):
    id = graphene.ID(required=True)
    source = graphene.String(required=True)
    status = graphene.Field(LoyaltyLotStatusEnum, required=True)
    points = graphene.Int(required=True)
    remaining = graphene.Int(required=True)
    consumed = graphene.Int(required=True)
    expired = graphene.Int(required=True)
    reversed = graphene.Int(required=True)
    order_id = graphene.ID()
    order_line_id = graphene.ID()
    earned_at = graphene.DateTime(required=True)
    release_at = graphene.DateTime()
    released_at = graphene.DateTime()
    expires_at = graphene.DateTime()

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("LoyaltyLot", root.pk)

    @staticmethod
    def resolve_status(root, _info):
        return str(root.status)

    @staticmethod
    def resolve_order_id(root, _info):
        return root.order_saleor_id or None

    @staticmethod
    def resolve_order_line_id(root, _info):
        return root.order_line_saleor_id or None


class LoyaltyReward(graphene.ObjectType):
    id = graphene.ID(required=True)
    channel = graphene.String(required=True)
    kind = graphene.Field(LoyaltyRewardKindEnum, required=True)
    name = graphene.String(required=True, language=graphene.String())
    name_en = graphene.String(required=True)
    name_zh_hans = graphene.String(required=True)
    points_cost = graphene.Int(required=True)
    amount = graphene.Field(Money, description="Gift card / fixed voucher value.")
    percentage = graphene.Decimal(description="Percentage vouchers.")
    min_order_amount = graphene.Decimal()
    per_customer_limit = graphene.Int()
    available_from = graphene.DateTime()
    available_until = graphene.DateTime()
    validity_days = graphene.Int(required=True)
    is_active = graphene.Boolean(required=True)

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("LoyaltyReward", root.pk)

    @staticmethod
    def resolve_channel(root, _info):
        return root.channel_slug

    @staticmethod
    def resolve_kind(root, _info):
        return str(root.kind)

    @staticmethod
    def resolve_name(root, info, language=None):
        return root.name_zh_hans if _language(info, language) == "zh-hans" else root.name_en

    @staticmethod
    def resolve_amount(root, _info):
        if root.kind in (RewardKind.GIFT_CARD, RewardKind.FIXED_VOUCHER):
            return money(root.value, root.currency)
        return None

    @staticmethod
    def resolve_percentage(root, _info):
        return root.value if root.kind == RewardKind.PERCENTAGE_VOUCHER else None


class LoyaltyRewardClaim(graphene.ObjectType):
    id = graphene.ID(required=True)
    status = graphene.Field(LoyaltyClaimStatusEnum, required=True)
    points = graphene.Int(required=True)
    code = graphene.String(description="The gift card or voucher code (once issued).")
    reward = graphene.Field(LoyaltyReward, required=True)
    valid_until = graphene.DateTime()
    created_at = graphene.DateTime(required=True)
    issued_at = graphene.DateTime()
    saleor_id = graphene.ID(description="The Saleor GiftCard or Voucher id.")
    error = graphene.String(description="Staff only: why issuing failed.")
    used_at = graphene.DateTime(description="When an order first used the code at checkout.")
    used_order_id = graphene.ID(description="The Saleor order that used the code.")
    used_order_number = graphene.String()

    @staticmethod
    def resolve_used_order_id(root, _info):
        return root.used_order_saleor_id or None

    @staticmethod
    def resolve_used_order_number(root, _info):
        return root.used_order_number or None

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("LoyaltyRewardClaim", root.pk)

    @staticmethod
    def resolve_status(root, _info):
        return str(root.status)

    @staticmethod
    def resolve_code(root, _info):
        # A voucher code is generated up front but usable only once Saleor has the voucher.
        return root.code if root.status == ClaimStatus.ISSUED else None

    @staticmethod
    def resolve_reward(root, info):
        return get_loader(info, RewardByIdLoader).load(root.reward_id)

    @staticmethod
    def resolve_saleor_id(root, _info):
        return root.saleor_object_id or None

    @staticmethod
    def resolve_error(root, info):
        return root.error if _is_staff(info) else None


def _tier_progress(account, programme, qualifying):
    if programme is None:
        return None
    from ...loyalty import policies

    tiers = list(programme.tiers.all())
    current, upcoming = policies.tier_for(selectors.tier_terms(tiers), qualifying)
    by_code = {t.code: t for t in tiers}
    return LoyaltyTierProgress(
        basis=str(programme.tier_basis),
        qualifying=qualifying,
        tier=by_code[current.code] if current else None,
        next_tier=by_code[upcoming.code] if upcoming else None,
        to_next_tier=(upcoming.threshold - qualifying) if upcoming else None,
        multiplier=current.multiplier if current else Decimal("1"),
    )


@key("id")
class LoyaltyAccount(graphene.ObjectType):
    id = graphene.ID(description="Null until the member earns anything.")

    @classmethod
    def is_type_of(cls, root, info):
        # `_entities` hands back our model row, which the _Entity union must recognise as this type.
        return isinstance(root, (cls, AccountModel))

    @staticmethod
    def _resolve_reference(entity, info):
        from .dataloaders import VisibleAccountByPkLoader

        return reference_resolver("LoyaltyAccount", VisibleAccountByPkLoader)(entity, info)

    channel = graphene.String(required=True)
    email = graphene.String(required=True)
    user_id = graphene.ID()
    available_points = graphene.Int(required=True, description="Negative only after a reversal.")
    pending_points = graphene.Int(required=True)
    redemption_blocked = graphene.Boolean(required=True, description="A negative balance blocks redemption.")
    pending_releases = graphene.List(
        graphene.NonNull(LoyaltyPointsAt), required=True, description="Pending points by release date."
    )
    expiring_soon = graphene.List(
        graphene.NonNull(LoyaltyPointsAt),
        required=True,
        days=graphene.Int(description="Horizon in days (default: the programme's notice period)."),
    )
    tier_progress = graphene.Field(LoyaltyTierProgress)
    ledger = graphene.List(
        graphene.NonNull(LoyaltyLedgerEntry), required=True, first=graphene.Int(default_value=20)
    )
    lots = graphene.List(
        graphene.NonNull(LoyaltyLot),
        required=True,
        first=graphene.Int(default_value=50),
        description="Staff only.",
    )
    affordable_rewards = graphene.List(graphene.NonNull(LoyaltyReward), required=True)
    claims = graphene.List(
        graphene.NonNull(LoyaltyRewardClaim), required=True, first=graphene.Int(default_value=20)
    )
    birth_month = graphene.Int(description="Set with loyaltyBirthdaySet.")
    birth_day = graphene.Int()
    birthday_changeable_from = graphene.DateTime(description="When the birthday may next be changed.")

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("LoyaltyAccount", root.pk) if root.pk else None

    @staticmethod
    def resolve_birth_month(root, _info):
        return getattr(root, "birth_month", None)

    @staticmethod
    def resolve_birth_day(root, _info):
        return getattr(root, "birth_day", None)

    @staticmethod
    def resolve_birthday_changeable_from(root, _info):
        from datetime import timedelta

        from ...loyalty.policies import BIRTHDAY_CHANGE_DAYS

        set_at = getattr(root, "birthday_set_at", None)
        return set_at + timedelta(days=BIRTHDAY_CHANGE_DAYS) if set_at else None

    @staticmethod
    def resolve_channel(root, _info):
        return root.channel_slug

    @staticmethod
    def resolve_user_id(root, _info):
        return root.user_id or None

    @staticmethod
    def resolve_redemption_blocked(root, _info):
        return root.available_points < 0

    @staticmethod
    def resolve_pending_releases(root, _info):
        if not root.pk:
            return []
        return [LoyaltyPointsAt(points=p, at=at) for p, at in selectors.pending_releases(root)]

    @staticmethod
    def resolve_expiring_soon(root, info, days=None):
        if not root.pk:
            return []

        def build(programme):
            horizon = days if days is not None else (programme.expiry_notice_days if programme else 30)
            if not 0 <= horizon <= 3650:
                horizon = 30
            return [
                LoyaltyPointsAt(points=p, at=at)
                for p, at in selectors.expiring_soon(root, now=now(), days=horizon)
            ]

        return (
            get_loader(info, ProgrammeByAccountLoader)
            .load((root.installation_id, root.channel_slug))
            .then(build)
        )

    @staticmethod
    def resolve_tier_progress(root, info):
        programme_promise = get_loader(info, ProgrammeByAccountLoader).load(
            (root.installation_id, root.channel_slug)
        )
        if not root.pk:
            return programme_promise.then(lambda programme: _tier_progress(root, programme, Decimal("0")))

        def with_programme(programme):
            if programme is None:
                return None
            return (
                get_loader(info, QualifyingByAccountIdLoader)
                .load((root.pk, programme.tier_basis))
                .then(lambda qualifying: _tier_progress(root, programme, qualifying))
            )

        return programme_promise.then(with_programme)

    @staticmethod
    def resolve_ledger(root, _info, first=20):
        return selectors.ledger_of(root, first=page_size(first)) if root.pk else []

    @staticmethod
    def resolve_lots(root, info, first=50):
        if not root.pk or not _is_staff(info):
            return []
        return selectors.lots_of(root, first=page_size(first))

    @staticmethod
    def resolve_affordable_rewards(root, _info):
        return selectors.affordable_rewards(root, now=now()) if root.pk else []

    @staticmethod
    def resolve_claims(root, _info, first=20):
        return selectors.claims_of(root, first=page_size(first)) if root.pk else []


class LoyaltyEarnRule(graphene.ObjectType):
    scope = graphene.String(required=True)
    target_id = graphene.ID(required=True)
    multiplier = graphene.Decimal(required=True, description="0 excludes the target from earning.")


class LoyaltyProgramme(graphene.ObjectType):
    channel = graphene.String(required=True)
    is_active = graphene.Boolean(required=True)
    currency = graphene.String(required=True)
    points_per_unit = graphene.Decimal(required=True, description="Points per 1.00 of net paid amount.")
    rounding = graphene.String(required=True)
    point_value = graphene.Decimal(required=True)
    lot_expiry_days = graphene.Int(required=True)
    signup_points = graphene.Int(required=True)
    first_order_points = graphene.Int(required=True)
    survey_completed_points = graphene.Int(required=True)
    product_review_points = graphene.Int(required=True)
    birthday_points = graphene.Int(required=True)
    max_points_per_order = graphene.Int()
    max_balance = graphene.Int()
    min_redemption_points = graphene.Int(required=True)
    tier_basis = graphene.Field(LoyaltyTierBasisEnum, required=True)
    expiry_notice_days = graphene.Int(required=True)
    staff_daily_adjustment_limit = graphene.Int(required=True)
    tiers = graphene.List(graphene.NonNull(LoyaltyTier), required=True)
    earn_rules = graphene.List(graphene.NonNull(LoyaltyEarnRule), required=True)

    @staticmethod
    def resolve_channel(root, _info):
        return root.channel_slug

    @staticmethod
    def resolve_tier_basis(root, _info):
        return str(root.tier_basis)

    @staticmethod
    def resolve_rounding(_root, _info):
        return "Per line: floor(net paid x points per unit x multipliers); shipping, tax and gift cards earn nothing."

    @staticmethod
    def resolve_tiers(root, _info):
        return list(root.tiers.all())

    @staticmethod
    def resolve_earn_rules(root, _info):
        return list(root.earn_rules.all())


class LoyaltyLiabilityReport(graphene.ObjectType):
    channel = graphene.String(required=True)
    currency = graphene.String(required=True)
    available_points = graphene.Int(required=True)
    pending_points = graphene.Int(required=True)
    negative_points = graphene.Int(required=True, description="Sum of negative balances (owed back).")
    outstanding_points = graphene.Int(required=True)
    outstanding_value = graphene.Field(Money, required=True)
    breakage_rate = graphene.Decimal(
        required=True, description="Expired / (expired + redeemed), last 12 months."
    )
    expected_breakage_points = graphene.Int(required=True)
    expected_breakage_value = graphene.Field(Money, required=True)
    expected_liability_value = graphene.Field(Money, required=True)
    rewards_issued_unused = graphene.Int(required=True, description="Issued reward codes no order has used.")
    rewards_used = graphene.Int(required=True, description="Issued reward codes used on an order.")
    unused_rewards_value = graphene.Field(
        Money, required=True, description="Face value of unused gift cards and fixed-amount vouchers."
    )

    @staticmethod
    def resolve_unused_rewards_value(root, _info):
        return money(root.unused_rewards_value, root.currency)

    @staticmethod
    def resolve_outstanding_value(root, _info):
        return money(root.outstanding_value, root.currency)

    @staticmethod
    def resolve_expected_breakage_value(root, _info):
        return money(root.expected_breakage_value, root.currency)

    @staticmethod
    def resolve_expected_liability_value(root, _info):
        return money(root.expected_liability_value, root.currency)
