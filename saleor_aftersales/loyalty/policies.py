"""Pure loyalty rules (no ORM, no clock): earning, caps, tiers, reversal shares, FEFO, breakage.

Rounding rule: points are computed per order line as
    floor(line net paid x points_per_unit x product multiplier x tier multiplier)
i.e. rounded *down* to whole points per line (never in the customer's favour twice: a line never earns a
fraction, and the sum of lines never exceeds what the order's net paid amount would earn as a whole).
"Net paid" is the line's total net of tax, times the share of the order paid with real money (gift cards are
spread pro rata over goods and shipping); shipping itself is not a line, so it never earns.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

ACTIONS = ("signup", "first_order", "survey_completed", "product_review", "birthday")
# Other names callers may use for the same action (the reward and the idempotency key use the canonical one).
ACTION_ALIASES = {"review_reported": "product_review", "product_review_reported": "product_review"}


def canonical_action(action: str) -> str:
    return ACTION_ALIASES.get(action, action)


SCOPE_PRECEDENCE = ("product", "category", "product_type")  # most specific first
MAX_ADJUSTMENT = 1_000_000
TIER_PERIOD_DAYS = 365


@dataclass(frozen=True)
class EarnRuleTerms:
    scope: str
    target_id: str
    multiplier: Decimal


@dataclass(frozen=True)
class TierTerms:
    code: str
    threshold: Decimal
    multiplier: Decimal


@dataclass(frozen=True)
class LineForEarning:
    line_id: str
    net_total: Decimal
    quantity: int
    product_id: str = ""
    category_id: str = ""
    product_type_id: str = ""
    is_gift: bool = False


@dataclass(frozen=True)
class LineEarning:
    line_id: str
    points: int
    base_amount: Decimal
    quantity: int


def paid_share(*, paid_with_money: Decimal, order_total: Decimal) -> Decimal:
    """The part of the order paid by real money (not gift cards), between 0 and 1."""
    if order_total <= 0 or paid_with_money <= 0:
        return Decimal("0")
    return min(Decimal("1"), paid_with_money / order_total)


def line_multiplier(
    rules: Iterable[EarnRuleTerms], *, product_id: str, category_id: str, product_type_id: str
) -> Decimal:
    """Multiplier of the most specific matching rule (product > category > product type); 1 without one."""
    targets = {"product": product_id, "category": category_id, "product_type": product_type_id}
    by_scope = {(r.scope, r.target_id): r.multiplier for r in rules}
    for scope in SCOPE_PRECEDENCE:
        target = targets[scope]
        if target and (scope, target) in by_scope:
            return by_scope[(scope, target)]
    return Decimal("1")


def floor_points(value: Decimal) -> int:
    if value <= 0:
        return 0
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def order_earnings(
    lines: Sequence[LineForEarning],
    *,
    share: Decimal,
    points_per_unit: Decimal,
    rules: Sequence[EarnRuleTerms],
    tier_multiplier: Decimal = Decimal("1"),
    order_cap: int | None = None,
) -> list[LineEarning]:
    """Points per line (rounded down per line), with the per-order cap taken from the last lines first."""
    result: list[LineEarning] = []
    left = order_cap
    for line in lines:
        base = (line.net_total * share).quantize(Decimal("0.001"))
        if line.is_gift or base <= 0:
            points = 0
        else:
            multiplier = line_multiplier(
                rules,
                product_id=line.product_id,
                category_id=line.category_id,
                product_type_id=line.product_type_id,
            )
            points = floor_points(base * points_per_unit * multiplier * tier_multiplier)
        if left is not None:
            points = min(points, left)
            left -= points
        result.append(
            LineEarning(line_id=line.line_id, points=points, base_amount=base, quantity=line.quantity)
        )
    return result


def capped_by_balance(points: int, *, current_total: int, max_balance: int | None) -> int:
    """Earning stops at the balance cap (available + pending); it never takes points away."""
    if max_balance is None:
        return max(points, 0)
    return max(0, min(points, max_balance - max(current_total, 0)))


def reversal_target(
    *, earned: int, quantity: int, refunded_quantity: int, refunded_share: Decimal = Decimal("0")
) -> int:
    """Points to reverse in total for a line when `refunded_quantity` of `quantity` units are refunded and, on
    top, `refunded_share` (0..1) of the order's goods was refunded as an amount without lines.

    Units: proportional at the *awarded* value, rounded down, except that a full refund reverses everything
    (so the sum of partial reversals reaches exactly what was earned). Amounts without lines: every line of the
    order gives back floor(earned x share), i.e. points in proportion to the refunded net amount at the value
    they were awarded at. The total never exceeds what the line earned.
    """
    by_units = 0
    if quantity > 0 and refunded_quantity > 0:
        by_units = earned if refunded_quantity >= quantity else earned * refunded_quantity // quantity
    by_amount = floor_points(Decimal(earned) * min(max(refunded_share, Decimal("0")), Decimal("1")))
    return min(earned, by_units + by_amount)


def refund_share(*, refunded_without_lines: Decimal, goods_paid: Decimal) -> Decimal:
    """The share (0..1) of the money paid for goods that came back as refunds naming no lines."""
    if goods_paid <= 0 or refunded_without_lines <= 0:
        return Decimal("0")
    return min(Decimal("1"), refunded_without_lines / goods_paid)


def tier_for(tiers: Sequence[TierTerms], qualifying: Decimal) -> tuple[TierTerms | None, TierTerms | None]:
    """(current tier, next tier) for a qualifying amount; tiers sorted by threshold."""
    ordered = sorted(tiers, key=lambda t: t.threshold)
    current = None
    upcoming = None
    for tier in ordered:
        if qualifying >= tier.threshold:
            current = tier
        elif upcoming is None:
            upcoming = tier
    return current, upcoming


@dataclass(frozen=True)
class LotForRedemption:
    lot_id: int
    remaining: int
    expires_at: datetime | None
    earned_at: datetime


def fefo(lots: Iterable[LotForRedemption]) -> list[LotForRedemption]:
    """First-expiring-first-out; lots without expiry last; ties by age, then id."""
    return sorted(
        lots,
        key=lambda lot: (lot.expires_at is None, lot.expires_at or lot.earned_at, lot.earned_at, lot.lot_id),
    )


def plan_consumption(lots: Iterable[LotForRedemption], points: int) -> list[tuple[int, int]]:
    """[(lot id, points taken)] paying `points` FEFO; raises ValueError when the lots do not cover it."""
    return take_in_order([(lot.lot_id, lot.remaining) for lot in fefo(lots)], points)


def take_in_order(remaining: Sequence[tuple[int, int]], points: int) -> list[tuple[int, int]]:
    """[(lot id, points taken)] paying `points` from (lot id, remaining) pairs already in FEFO order (the ledger
    sorts in SQL the way `fefo` does); raises ValueError when they do not cover it."""
    plan: list[tuple[int, int]] = []
    left = points
    for lot_id, lot_remaining in remaining:
        if left <= 0:
            break
        take = min(lot_remaining, left)
        if take > 0:
            plan.append((lot_id, take))
            left -= take
    if left > 0:
        raise ValueError("not enough points in lots")
    return plan


def breakage_rate(*, expired: int, consumed: int) -> Decimal:
    """Share of settled points that expired unused (history), 0..1, 4 places."""
    total = expired + consumed
    if total <= 0:
        return Decimal("0")
    return (Decimal(expired) / Decimal(total)).quantize(Decimal("0.0001"))


BIRTHDAY_CHANGE_DAYS = 365


def valid_birthday(month: int, day: int) -> bool:
    """A calendar day of some year (29 February allowed)."""
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(2000, month)[1]


def celebrates_on(*, month: int, day: int, on: date) -> bool:
    """The birthday falls on `on` (UTC day); 29 February is celebrated on 28 February in other years."""
    if (month, day) == (on.month, on.day):
        return True
    return (month, day) == (2, 29) and (on.month, on.day) == (2, 28) and not calendar.isleap(on.year)


def birthdays_celebrated_on(on: date) -> list[tuple[int, int]]:
    """(month, day) pairs whose birthday is celebrated on `on`."""
    days = [(on.month, on.day)]
    if (on.month, on.day) == (2, 28) and not calendar.isleap(on.year):
        days.append((2, 29))
    return days


def can_change_birthday(*, set_at: datetime | None, now: datetime) -> bool:
    """A customer sets the birthday once, then may change it once a year."""
    return set_at is None or now - set_at >= timedelta(days=BIRTHDAY_CHANGE_DAYS)
