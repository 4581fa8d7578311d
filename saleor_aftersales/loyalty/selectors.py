"""Reads of the loyalty capability: programme terms, accounts, balances, tiers, history, liability.

Public for other capabilities: `account_summary` (dashboard, federation) and `points_earned_for_orders`
(federation's Order.loyaltyPointsEarned, batched).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from ..core.time import now as clock
from ..installations.models import Installation
from ..orders.models import Order
from . import policies
from .models import (
    Account,
    ClaimStatus,
    EarnRule,
    EntryKind,
    LedgerEntry,
    Lot,
    LotSource,
    LotStatus,
    Programme,
    Reward,
    RewardClaim,
    RewardKind,
    StaffAdjustmentLimit,
    Tier,
    TierBasis,
)


def programme_for(installation: Installation, channel_slug: str) -> Programme | None:
    return Programme.objects.filter(installation=installation, channel_slug=channel_slug).first()


def active_programme(installation: Installation, channel_slug: str) -> Programme | None:
    programme = programme_for(installation, channel_slug)
    return programme if programme is not None and programme.is_active else None


def earn_rules(programme: Programme) -> list[policies.EarnRuleTerms]:
    return [
        policies.EarnRuleTerms(scope=r.scope, target_id=r.target_id, multiplier=r.multiplier)
        for r in programme.earn_rules.all()
    ]


def earning_terms(programme: Programme) -> tuple[list[policies.EarnRuleTerms], list[policies.TierTerms]]:
    """The programme's earn rules and tiers (sorted by threshold) in one statement: the order-earning hot path."""
    from . import ledger

    sql = (
        f'SELECT 0, "scope", "target_id", CAST("multiplier" AS TEXT), NULL, "id" FROM {EarnRule._meta.db_table} '
        'WHERE "programme_id" = %s UNION ALL '
        f'SELECT 1, "code", \'\', CAST("multiplier" AS TEXT), CAST("threshold" AS TEXT), "id" '
        f'FROM {Tier._meta.db_table} WHERE "programme_id" = %s'
    )
    rows = ledger.fetch(sql, [programme.pk, programme.pk])
    rules = [
        policies.EarnRuleTerms(scope=name, target_id=target, multiplier=Decimal(multiplier))
        for kind, name, target, multiplier, _, _ in rows
        if kind == 0
    ]
    tiers = sorted(
        (
            (
                Decimal(threshold),
                pk,
                policies.TierTerms(code=name, threshold=Decimal(threshold), multiplier=Decimal(multiplier)),
            )
            for kind, name, _, multiplier, threshold, pk in rows
            if kind == 1
        ),
        key=lambda row: (row[0], row[1]),
    )
    return rules, [tier for _, _, tier in tiers]


def tiers_of(programme: Programme) -> list[Tier]:
    return list(programme.tiers.all())


def tier_terms(tiers: list[Tier]) -> list[policies.TierTerms]:
    return [policies.TierTerms(code=t.code, threshold=t.threshold, multiplier=t.multiplier) for t in tiers]


def account_of(
    installation: Installation, channel_slug: str, *, user_id: str = "", email: str = ""
) -> Account | None:
    """The member in a channel: by Saleor user id first, then by email (guests and not-yet-attached)."""
    qs = Account.objects.filter(installation=installation, channel_slug=channel_slug)
    if user_id:
        found = qs.filter(user_id=user_id).first()
        if found is not None:
            return found
    if email:
        return qs.filter(email=email.strip().lower()).filter(Q(user_id="") | Q(user_id=user_id)).first()
    return None


def accounts_of(
    installation: Installation, *, user_id: str | None = None, email: str | None = None
) -> QuerySet[Account]:
    who = Q(pk__in=[])
    if user_id:
        who |= Q(user_id=user_id)
    if email:
        who |= Q(email=email.strip().lower(), user_id__in=["", user_id or ""])
    return Account.objects.filter(who, installation=installation).order_by("channel_slug", "id")


def qualifying_amount(account: Account, basis: str, *, now: datetime) -> Decimal:
    """Tier metric over the rolling 12 months: released purchase/action points (or net spend) minus reversals."""
    since = now - timedelta(days=policies.TIER_PERIOD_DAYS)
    lots = Lot.objects.filter(
        account=account, released_at__gte=since, source__in=[LotSource.PURCHASE, LotSource.ACTION]
    )
    if basis == TierBasis.SPEND:
        kept = ExpressionWrapper(
            F("base_amount") * (F("points") - F("reversal_applied")) / F("points"),
            output_field=DecimalField(max_digits=20, decimal_places=3),
        )
        total = lots.filter(source=LotSource.PURCHASE, points__gt=0).aggregate(
            total=Coalesce(
                Sum(kept), Decimal("0"), output_field=DecimalField(max_digits=20, decimal_places=3)
            )
        )["total"]
        return Decimal(total).quantize(Decimal("0.001"))
    # Points basis (the usual one, read on every known member's order): one plain statement.
    from . import ledger

    rows = ledger.fetch(
        f'SELECT COALESCE(SUM("points" - "reversal_applied"), 0) FROM {Lot._meta.db_table} '
        'WHERE "account_id" = %s AND "released_at" >= %s AND "source" IN (%s, %s)',
        [account.pk, ledger.db_datetime(since), LotSource.PURCHASE.value, LotSource.ACTION.value],
    )
    return Decimal(int(rows[0][0]))


def tier_status(
    account: Account | None, programme: Programme, *, now: datetime, tiers: list[Tier] | None = None
) -> dict:
    tiers = tiers if tiers is not None else tiers_of(programme)
    qualifying = qualifying_amount(account, programme.tier_basis, now=now) if account else Decimal("0")
    current, upcoming = policies.tier_for(tier_terms(tiers), qualifying)
    by_code = {t.code: t for t in tiers}
    return {
        "basis": programme.tier_basis,
        "qualifying": qualifying,
        "tier": by_code[current.code] if current else None,
        "next_tier": by_code[upcoming.code] if upcoming else None,
        "to_next": (upcoming.threshold - qualifying) if upcoming else None,
        "multiplier": current.multiplier if current else Decimal("1"),
    }


def tier_multiplier(account: Account, programme: Programme, *, now: datetime) -> Decimal:
    """The earning multiplier of the member's tier (1 without tiers; no rolling sum is read then)."""
    tiers = tiers_of(programme)
    if not tiers:
        return Decimal("1")
    return tier_status(account, programme, now=now, tiers=tiers)["multiplier"]


def pending_releases(account: Account) -> list[tuple[int, datetime | None]]:
    rows = (
        Lot.objects.filter(account=account, status=LotStatus.PENDING, remaining__gt=0)
        .values("release_at")
        .annotate(points=Sum("remaining"))
        .order_by(F("release_at").asc(nulls_last=True))
    )
    return [(row["points"], row["release_at"]) for row in rows]


def expiring_soon(account: Account, *, now: datetime, days: int) -> list[tuple[int, datetime]]:
    rows = (
        Lot.objects.filter(
            account=account,
            status=LotStatus.AVAILABLE,
            remaining__gt=0,
            expires_at__gt=now,
            expires_at__lte=now + timedelta(days=days),
        )
        .values("expires_at")
        .annotate(points=Sum("remaining"))
        .order_by("expires_at")
    )
    return [(row["points"], row["expires_at"]) for row in rows]


def account_summary(
    installation: Installation,
    user_id: str | None = None,
    email: str | None = None,
    *,
    now: datetime | None = None,
) -> dict:
    """Balances and tier of a customer in every channel with a programme (constant SQL per channel).

    {"available_points", "pending_points" (totals over channels), "channels": [{"channel", "available_points",
    "pending_points", "tier" (code or None), "tier_name_en", "tier_name_zh_hans", "next_tier", "to_next_tier",
    "qualifying", "blocked" (negative balance)}]}
    """
    current = now or clock()
    accounts = list(accounts_of(installation, user_id=user_id, email=email))
    programmes = {
        p.channel_slug: p
        for p in Programme.objects.filter(
            installation=installation, channel_slug__in=[a.channel_slug for a in accounts]
        ).prefetch_related("tiers")
    }
    channels = []
    for account in accounts:
        programme = programmes.get(account.channel_slug)
        status = (
            tier_status(account, programme, now=current, tiers=list(programme.tiers.all()))
            if programme
            else None
        )
        tier = status["tier"] if status else None
        upcoming = status["next_tier"] if status else None
        channels.append(
            {
                "channel": account.channel_slug,
                "account_id": account.pk,
                "available_points": account.available_points,
                "pending_points": account.pending_points,
                "blocked": account.available_points < 0,
                "tier": tier.code if tier else None,
                "tier_name_en": tier.name_en if tier else "",
                "tier_name_zh_hans": tier.name_zh_hans if tier else "",
                "next_tier": upcoming.code if upcoming else None,
                "to_next_tier": status["to_next"] if status else None,
                "qualifying": status["qualifying"] if status else Decimal("0"),
            }
        )
    return {
        "available_points": sum(c["available_points"] for c in channels),
        "pending_points": sum(c["pending_points"] for c in channels),
        "channels": channels,
    }


def points_earned_for_orders(installation: Installation, order_saleor_ids: list[str]) -> dict[str, int]:
    """{order id: purchase points earned net of reversals} for many orders in one query (0 when none)."""
    ids = list(dict.fromkeys(order_saleor_ids))
    rows = (
        Lot.objects.filter(
            account__installation=installation, source=LotSource.PURCHASE, order_saleor_id__in=ids
        )
        .values("order_saleor_id")
        .annotate(points=Sum(F("points") - F("reversal_applied")))
    )
    earned = {row["order_saleor_id"]: int(row["points"] or 0) for row in rows}
    return {order_id: earned.get(order_id, 0) for order_id in ids}


def ledger_of(account: Account, *, first: int) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(account=account).order_by("-created_at", "-id")[:first])


def lots_of(account: Account, *, first: int) -> list[Lot]:
    return list(Lot.objects.filter(account=account).order_by("-earned_at", "-id")[:first])


def rewards_for(installation: Installation, channel_slug: str, *, now: datetime) -> QuerySet[Reward]:
    return (
        Reward.objects.filter(installation=installation, channel_slug=channel_slug, is_active=True)
        .filter(Q(available_from__isnull=True) | Q(available_from__lte=now))
        .filter(Q(available_until__isnull=True) | Q(available_until__gt=now))
    )


def affordable_rewards(account: Account, *, now: datetime) -> list[Reward]:
    return list(
        rewards_for(account.installation, account.channel_slug, now=now).filter(
            points_cost__lte=max(account.available_points, 0)
        )
    )


def claims_of(account: Account, *, first: int) -> list[RewardClaim]:
    return list(RewardClaim.objects.filter(account=account).select_related("reward")[:first])


def claims_counted_for_limit(account: Account, reward: Reward) -> int:
    return (
        RewardClaim.objects.filter(account=account, reward=reward).exclude(status=ClaimStatus.FAILED).count()
    )


def staff_daily_limit(installation: Installation, programme: Programme, staff_user_id: str) -> int:
    row = StaffAdjustmentLimit.objects.filter(installation=installation, staff_user_id=staff_user_id).first()
    return row.daily_points if row else programme.staff_daily_adjustment_limit


def staff_adjusted_today(installation: Installation, staff_user_id: str, *, now: datetime) -> int:
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    rows = LedgerEntry.objects.filter(
        installation=installation, type=EntryKind.ADJUST, actor_id=staff_user_id, created_at__gte=start
    ).values_list("points", flat=True)
    return sum(abs(p) for p in rows)


def is_first_paid_order(order: Order) -> bool:
    """No other paid order of this customer (by user id, else email) in the mirror."""
    others = Order.objects.filter(installation_id=order.installation_id, is_paid=True).exclude(pk=order.pk)
    if order.user_id:
        others = others.filter(Q(user_id=order.user_id) | Q(user_email__iexact=order.user_email))
    else:
        others = others.filter(user_email__iexact=order.user_email)
    return not others.exists()


def liability_report(installation: Installation, channel_slug: str, *, now: datetime | None = None) -> dict:
    """Outstanding points and their money value, with breakage expected from the last 12 months' history."""
    current = now or clock()
    programme = programme_for(installation, channel_slug)
    accounts = Account.objects.filter(installation=installation, channel_slug=channel_slug)
    totals = accounts.aggregate(
        available=Coalesce(Sum("available_points", filter=Q(available_points__gt=0)), 0),
        debt=Coalesce(Sum("available_points", filter=Q(available_points__lt=0)), 0),
        pending=Coalesce(Sum("pending_points"), 0),
    )
    since = current - timedelta(days=policies.TIER_PERIOD_DAYS)
    history = Lot.objects.filter(account__in=accounts, released_at__gte=since).aggregate(
        expired=Coalesce(Sum("expired"), 0), consumed=Coalesce(Sum("consumed"), 0)
    )
    rate = policies.breakage_rate(expired=history["expired"], consumed=history["consumed"])
    point_value = programme.point_value if programme else Decimal("0")
    currency = programme.currency if programme else ""
    outstanding = int(totals["available"]) + int(totals["pending"])
    expected_breakage = policies.floor_points(Decimal(outstanding) * rate)
    unused = Q(used_at__isnull=True)
    rewards = RewardClaim.objects.filter(
        installation=installation, reward__channel_slug=channel_slug, status=ClaimStatus.ISSUED
    ).aggregate(
        unused=Count("id", filter=unused),
        used=Count("id", filter=Q(used_at__isnull=False)),
        unused_value=Coalesce(
            Sum(
                "reward__value",
                filter=unused & Q(reward__kind__in=[RewardKind.GIFT_CARD, RewardKind.FIXED_VOUCHER]),
            ),
            Decimal("0"),
            output_field=DecimalField(max_digits=20, decimal_places=3),
        ),
    )
    return {
        # Issued reward codes not yet used on an order (gift cards and fixed vouchers at face value).
        "rewards_issued_unused": int(rewards["unused"]),
        "rewards_used": int(rewards["used"]),
        "unused_rewards_value": Decimal(rewards["unused_value"]).quantize(Decimal("0.01")),
        "channel": channel_slug,
        "currency": currency,
        "available_points": int(totals["available"]),
        "pending_points": int(totals["pending"]),
        "negative_points": int(totals["debt"]),
        "outstanding_points": outstanding,
        "outstanding_value": (Decimal(outstanding) * point_value).quantize(Decimal("0.01")),
        "breakage_rate": rate,
        "expected_breakage_points": expected_breakage,
        "expected_breakage_value": (Decimal(expected_breakage) * point_value).quantize(Decimal("0.01")),
        "expected_liability_value": (Decimal(outstanding - expected_breakage) * point_value).quantize(
            Decimal("0.01")
        ),
    }
