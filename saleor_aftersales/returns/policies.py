"""Pure business rules of returns: no ORM, no clock (callers pass `now`). Property-tested with hypothesis.

Precedence of overrides: product > category > product type > the channel's policy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ..core.money import quantize
from . import error_codes

QUALITY, NO_REASON, LOGISTICS, OTHER = "quality", "no_reason", "logistics", "other"
MERCHANT, CUSTOMER = "merchant", "customer"
# The overridable fields of a rule (None = inherit).
OVERRIDABLE = (
    "window_days",
    "no_reason_days",
    "quality_window_days",
    "final_sale",
    "non_returnable",
    "restocking_fee_percent",
    "offered_resolutions",
)
SCOPE_PRECEDENCE = ("product_type", "category", "product")  # applied in this order: the last one wins


@dataclass(frozen=True)
class PolicyTerms:
    window_days: int = 30
    window_starts: str = "fulfillment"
    no_reason_days: int = 7
    quality_window_days: int = 90
    final_sale: bool = False
    non_returnable: bool = False
    shipping_payers: Mapping[str, str] = field(
        default_factory=lambda: {QUALITY: MERCHANT, LOGISTICS: MERCHANT, NO_REASON: CUSTOMER, OTHER: CUSTOMER}
    )
    refund_shipping_for_categories: tuple[str, ...] = (QUALITY, LOGISTICS)
    return_shipping_fee: Decimal = Decimal("0")
    restocking_fee_percent: Decimal = Decimal("0")
    evidence_required_reasons: tuple[str, ...] = ()
    offered_resolutions: tuple[str, ...] = ("refund", "store_credit", "exchange", "replacement")
    store_credit_bonus_percent: Decimal = Decimal("0")
    max_requests_per_customer: int | None = None
    abuse_period_days: int = 90
    auto_approve_max_value: Decimal | None = None
    auto_approve_trusted_customers: bool = False
    auto_approve_defects_with_photos: bool = False
    decision_sla_hours: int = 48
    refund_sla_hours: int = 72


@dataclass(frozen=True)
class RuleOverride:
    scope: str  # product | category | product_type
    target_id: str
    values: Mapping[str, object]  # only OVERRIDABLE keys with non-None values


def effective_terms(
    base: PolicyTerms,
    rules: Iterable[RuleOverride],
    *,
    product_id: str = "",
    category_id: str = "",
    product_type_id: str = "",
    product_metadata: Mapping[str, str] | None = None,
) -> PolicyTerms:
    """The terms for one line: the channel policy, then product type, category and product overrides."""
    targets = {"product": product_id, "category": category_id, "product_type": product_type_id}
    by_scope: dict[str, RuleOverride] = {}
    for rule in rules:
        if rule.target_id and targets.get(rule.scope) == rule.target_id:
            by_scope[rule.scope] = rule
    terms = base
    for scope in SCOPE_PRECEDENCE:
        scoped = by_scope.get(scope)
        if scoped is None:
            continue
        changes: dict[str, Any] = {
            k: v for k, v in scoped.values.items() if k in OVERRIDABLE and v is not None
        }
        if "offered_resolutions" in changes:
            changes["offered_resolutions"] = tuple(changes["offered_resolutions"])
        if "restocking_fee_percent" in changes:
            changes["restocking_fee_percent"] = Decimal(str(changes["restocking_fee_percent"]))
        terms = dataclasses.replace(terms, **changes)
    # Merchants also flag products in Saleor itself (product metadata), which wins over everything.
    metadata = product_metadata or {}
    if str(metadata.get("final_sale", "")).lower() == "true":
        terms = dataclasses.replace(terms, final_sale=True)
    if str(metadata.get("non_returnable", "")).lower() == "true":
        terms = dataclasses.replace(terms, non_returnable=True)
    return terms


def window_start(
    terms: PolicyTerms, *, fulfilled_at: datetime | None, delivered_at: datetime | None
) -> datetime | None:
    """Delivery starts the window once known; until then (or by policy) fulfillment does."""
    if terms.window_starts == "delivery" and delivered_at is not None:
        return delivered_at
    return fulfilled_at


def category_days(terms: PolicyTerms, category: str) -> int:
    if category == NO_REASON:
        return terms.no_reason_days
    if category == QUALITY:
        return max(terms.quality_window_days, terms.window_days)
    return terms.window_days


def deadline_for(terms: PolicyTerms, started_at: datetime, category: str) -> datetime:
    return started_at + timedelta(days=category_days(terms, category))


def latest_deadline(terms: PolicyTerms, started_at: datetime) -> datetime:
    """The last moment any return of the line is possible (whatever the reason)."""
    days = max(terms.no_reason_days, terms.window_days, terms.quality_window_days)
    return started_at + timedelta(days=days)


@dataclass(frozen=True)
class LineFacts:
    quantity_bought: int
    quantity_fulfilled: int
    quantity_returned: int  # returned or refunded before (ours and Saleor's own)
    quantity_in_open_requests: int
    window_started_at: datetime | None


@dataclass(frozen=True)
class LineEligibility:
    returnable_quantity: int
    deadline: datetime | None
    allowed_reason_codes: tuple[str, ...]
    allowed_resolutions: tuple[str, ...]
    not_returnable_code: str | None  # one of error_codes, None when returnable

    @property
    def is_returnable(self) -> bool:
        return self.not_returnable_code is None


def returnable_quantity(facts: LineFacts) -> int:
    available = min(facts.quantity_fulfilled, facts.quantity_bought)
    return max(available - facts.quantity_returned - facts.quantity_in_open_requests, 0)


def line_eligibility(
    terms: PolicyTerms, facts: LineFacts, *, reason_categories: Mapping[str, str], now: datetime
) -> LineEligibility:
    """Per line: how many units may still be returned, until when, why, how — or why not."""
    resolutions = tuple(terms.offered_resolutions)
    started = facts.window_started_at
    deadline = latest_deadline(terms, started) if started else None

    def refuse(code: str, qty: int = 0) -> LineEligibility:
        return LineEligibility(qty, deadline, (), (), code)

    if terms.non_returnable:
        return refuse(error_codes.NOT_RETURNABLE)
    if started is None or facts.quantity_fulfilled <= 0:
        return refuse(error_codes.NOT_FULFILLED)
    quantity = returnable_quantity(facts)
    if quantity <= 0:
        return refuse(error_codes.QUANTITY_EXCEEDS_RETURNABLE)
    allowed_categories = {QUALITY, LOGISTICS} if terms.final_sale else {QUALITY, LOGISTICS, NO_REASON, OTHER}
    reasons = tuple(
        sorted(
            code
            for code, category in reason_categories.items()
            if category in allowed_categories and now <= deadline_for(terms, started, category)
        )
    )
    if not reasons:
        code = (
            error_codes.NOT_RETURNABLE
            if terms.final_sale and deadline and now <= deadline
            else error_codes.WINDOW_CLOSED
        )
        return refuse(code)
    open_deadline = max(deadline_for(terms, started, reason_categories[c]) for c in reasons)
    return LineEligibility(quantity, open_deadline, reasons, resolutions, None)


def shipping_payer(terms: PolicyTerms, category: str, reason_code: str = "") -> str:
    """Who pays the return shipping: a rule for the exact reason code wins over its category's rule."""
    return terms.shipping_payers.get(reason_code) or terms.shipping_payers.get(category, CUSTOMER)


def refunds_original_shipping(terms: PolicyTerms, categories: Iterable[str]) -> bool:
    """The order's shipping is refunded when a line comes back for a reason the policy covers (merchant's fault)."""
    return any(category in terms.refund_shipping_for_categories for category in categories)


@dataclass(frozen=True)
class RefundLine:
    unit_price: Decimal
    quantity: int
    category: str
    restocking_fee_percent: Decimal = Decimal("0")


@dataclass(frozen=True)
class RefundBreakdown:
    items: Decimal
    restocking_fee: Decimal
    shipping_refund: Decimal
    return_shipping_fee: Decimal
    total: Decimal


def refund_breakdown(
    lines: Iterable[RefundLine],
    *,
    currency: str,
    order_shipping: Decimal = Decimal("0"),
    refund_shipping: bool = False,
    return_shipping_fee: Decimal = Decimal("0"),
    charge_return_shipping: bool = False,
) -> RefundBreakdown:
    """What the customer gets back. Restocking fees apply only to no-reason returns (never to our faults)."""
    items = Decimal("0")
    fee = Decimal("0")
    for line in lines:
        value = Decimal(line.unit_price) * line.quantity
        items += value
        if line.category == NO_REASON and line.restocking_fee_percent > 0:
            fee += value * Decimal(line.restocking_fee_percent) / Decimal(100)
    items = quantize(items, currency)
    fee = quantize(fee, currency)
    shipping = quantize(order_shipping, currency) if refund_shipping else Decimal("0")
    deduction = quantize(return_shipping_fee, currency) if charge_return_shipping else Decimal("0")
    total = max(items - fee + shipping - deduction, Decimal("0"))
    return RefundBreakdown(
        items, fee, shipping, min(deduction, items - fee + shipping), quantize(total, currency)
    )


def store_credit_amount(refund_total: Decimal, bonus_percent: Decimal, currency: str) -> Decimal:
    """Store credit = the refund plus the merchant's bonus (an incentive to keep the money in the shop)."""
    return quantize(Decimal(refund_total) * (Decimal(100) + Decimal(bonus_percent)) / Decimal(100), currency)


def exchange_difference(
    *, returned_unit_price: Decimal, new_unit_price: Decimal, quantity: int, currency: str
) -> Decimal:
    """Positive: the customer pays the difference; negative: the merchant refunds it."""
    return quantize((Decimal(new_unit_price) - Decimal(returned_unit_price)) * quantity, currency)


def within_abuse_limit(terms: PolicyTerms, *, requests_in_period: int) -> bool:
    return terms.max_requests_per_customer is None or requests_in_period < terms.max_requests_per_customer


def auto_approval_rule(
    terms: PolicyTerms,
    *,
    request_value: Decimal,
    trusted_customer: bool,
    categories: Iterable[str],
    photo_count: int,
) -> str | None:
    """The first auto-approval rule a new request satisfies, or None (a person decides)."""
    categories = set(categories)
    if terms.auto_approve_max_value is not None and Decimal(request_value) <= terms.auto_approve_max_value:
        return "value_under_limit"
    if terms.auto_approve_trusted_customers and trusted_customer:
        return "trusted_customer"
    if terms.auto_approve_defects_with_photos and photo_count > 0 and categories and categories <= {QUALITY}:
        return "defect_with_photos"
    return None
