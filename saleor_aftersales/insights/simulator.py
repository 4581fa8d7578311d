"""Policy simulator: replay past return requests under the current and a proposed return policy.

Both sides go through the same code and the returns capability's own pure rules (`returns.policies`: effective terms
with product/category/type overrides, eligibility windows per reason category, refund breakdown with restocking and
shipping, store-credit bonus, abuse limit, auto-approval), so the difference between the two columns is the policy
change only. Each request is judged on the day it was made, on its own (units returned by earlier requests of the
same line are not subtracted — they were already in the history).

Assumptions (reported with every result):
- customers keep the resolution they chose unless the proposal stops offering it (then: refund, else the first one
  offered); a higher store-credit bonus moves `credit_uptake_per_bonus_point` of refund value per bonus point to
  store credit (a lower one moves credit back to refunds) — an expected value, not a per-customer guess;
- a returned parcel (not a claim) costs the merchant `return_label_cost`; when the customer pays shipping, the
  policy's return shipping fee is deducted from the refund (a fee collected);
- retained revenue = value of the requested goods − cash refunded − store-credit bonus granted.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ..core.errors import DomainError, ErrorDetail
from ..core.money import quantize
from ..returns import policies
from ..returns.models import RequestKind, Resolution
from . import error_codes

PROPOSAL_FIELDS = (
    "window_days",
    "no_reason_days",
    "quality_window_days",
    "restocking_fee_percent",
    "shipping_payers",
    "return_shipping_fee",
    "store_credit_bonus_percent",
    "offered_resolutions",
    "max_requests_per_customer",
    "auto_approve_max_value",
    "auto_approve_trusted_customers",
    "auto_approve_defects_with_photos",
)
MONEY_FIELDS = (
    "restocking_fee_percent",
    "return_shipping_fee",
    "store_credit_bonus_percent",
    "auto_approve_max_value",
)
DAY_FIELDS = ("window_days", "no_reason_days", "quality_window_days")
MAX_DAYS = 3650
MAX_MONTHS = 24
DEFAULT_UPTAKE = Decimal("0.02")
ASSUMPTIONS = [
    "Each request is judged on the day it was made, under the terms of its channel and the product rules.",
    "Customers keep their chosen resolution unless the proposal stops offering it (then refund).",
    "Each bonus point of store credit moves credit_uptake_per_bonus_point of refund value to store credit.",
    "A returned parcel costs the merchant return_label_cost; a customer-paid return deducts the shipping fee.",
    "Retained revenue = requested goods value - cash refunded - store-credit bonus granted.",
]


@dataclass(frozen=True)
class Proposal:
    """The changed terms (None = keep the current value) and the simulation's own cost assumptions."""

    changes: dict[str, Any]
    return_label_cost: Decimal = Decimal("0")
    credit_uptake_per_bonus_point: Decimal = DEFAULT_UPTAKE

    def as_json(self) -> dict[str, Any]:
        return {
            "changes": {k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.changes.items()},
            "return_label_cost": str(self.return_label_cost),
            "credit_uptake_per_bonus_point": str(self.credit_uptake_per_bonus_point),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Proposal:
        return clean_proposal(
            data.get("changes") or {},
            return_label_cost=data.get("return_label_cost"),
            credit_uptake_per_bonus_point=data.get("credit_uptake_per_bonus_point"),
        )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _decimal(value: Any, name: str, problems: list[ErrorDetail]) -> Decimal | None:
    try:
        return Decimal(str(value))
    except Exception:  # noqa: BLE001 - any unparsable input is the caller's mistake
        problems.append(ErrorDetail(error_codes.INVALID_POLICY, "Not a number.", _camel(name)))
        return None


def clean_proposal(
    changes: dict[str, Any],
    *,
    return_label_cost: Any = None,
    credit_uptake_per_bonus_point: Any = None,
) -> Proposal:
    """Validate a proposal: known fields, no negative money, days and percentages in range; typed errors."""
    problems: list[ErrorDetail] = []
    cleaned: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in PROPOSAL_FIELDS:
            problems.append(
                ErrorDetail(error_codes.INVALID_POLICY, f"Unknown policy field {name}.", _camel(name))
            )
            continue
        if value is None:
            continue
        if name in MONEY_FIELDS:
            amount = _decimal(value, name, problems)
            if amount is None:
                continue
            if amount < 0:
                problems.append(
                    ErrorDetail(error_codes.NEGATIVE_AMOUNT, "Must not be negative.", _camel(name))
                )
                continue
            if name.endswith("_percent") and amount > 100:
                problems.append(
                    ErrorDetail(error_codes.INVALID_POLICY, "A percentage is 0..100.", _camel(name))
                )
                continue
            cleaned[name] = amount
        elif name in DAY_FIELDS or name == "max_requests_per_customer":
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_DAYS:
                problems.append(
                    ErrorDetail(error_codes.INVALID_POLICY, f"A whole number 0..{MAX_DAYS}.", _camel(name))
                )
                continue
            cleaned[name] = value
        elif name == "shipping_payers":
            if not isinstance(value, dict) or any(
                v not in (policies.MERCHANT, policies.CUSTOMER) for v in value.values()
            ):
                problems.append(
                    ErrorDetail(
                        error_codes.INVALID_POLICY, "Shipping is paid by merchant or customer.", _camel(name)
                    )
                )
                continue
            cleaned[name] = dict(value)
        elif name == "offered_resolutions":
            known = set(Resolution.values)
            if not isinstance(value, list | tuple) or not value or any(v not in known for v in value):
                problems.append(
                    ErrorDetail(
                        error_codes.INVALID_POLICY, f"A non-empty list of {sorted(known)}.", _camel(name)
                    )
                )
                continue
            cleaned[name] = tuple(value)
        else:
            cleaned[name] = bool(value)
    label_cost = Decimal("0")
    if return_label_cost is not None:
        parsed = _decimal(return_label_cost, "returnLabelCost", problems)
        if parsed is not None and parsed < 0:
            problems.append(
                ErrorDetail(error_codes.NEGATIVE_AMOUNT, "Must not be negative.", "returnLabelCost")
            )
        elif parsed is not None:
            label_cost = parsed
    uptake = DEFAULT_UPTAKE
    if credit_uptake_per_bonus_point is not None:
        parsed = _decimal(credit_uptake_per_bonus_point, "creditUptakePerBonusPoint", problems)
        if parsed is not None and not Decimal("0") <= parsed <= Decimal("1"):
            problems.append(
                ErrorDetail(
                    error_codes.INVALID_POLICY, "A share between 0 and 1.", "creditUptakePerBonusPoint"
                )
            )
        elif parsed is not None:
            uptake = parsed
    if problems:
        raise DomainError.many(problems)
    return Proposal(changes=cleaned, return_label_cost=label_cost, credit_uptake_per_bonus_point=uptake)


def propose(base: policies.PolicyTerms, proposal: Proposal) -> policies.PolicyTerms:
    return dataclasses.replace(base, **proposal.changes)


# ------------------------------------------------------------------------------------------------ the replay
@dataclass(frozen=True)
class LineCase:
    quantity: int  # units asked for
    order_quantity: int
    order_quantity_fulfilled: int
    unit_price: Decimal
    reason_code: str
    reason_category: str
    product_id: str
    category_id: str
    product_type_id: str
    product_metadata: dict
    fulfilled_at: datetime | None  # the return window starts here, or at delivery when the terms say so
    delivered_at: datetime | None = None


@dataclass(frozen=True)
class RequestCase:
    """One past request, as plain data (the replay itself touches no database)."""

    created_at: datetime
    kind: str
    resolution: str
    currency: str
    customer: str
    trusted_customer: bool
    photo_count: int
    order_shipping: Decimal
    lines: tuple[LineCase, ...]


@dataclass
class Outcome:
    requests: int = 0
    accepted_requests: int = 0
    rejected_requests: int = 0
    auto_approved_requests: int = 0
    requested_units: int = 0
    accepted_units: int = 0
    requested_value: Decimal = Decimal("0")
    accepted_value: Decimal = Decimal("0")
    refund_requests: Decimal = Decimal("0")  # expected counts (uptake moves fractions of requests)
    credit_requests: Decimal = Decimal("0")
    exchange_requests: int = 0
    other_requests: int = 0
    cash_refunds: Decimal = Decimal("0")
    store_credit_issued: Decimal = Decimal("0")
    store_credit_bonus: Decimal = Decimal("0")
    exchange_value: Decimal = Decimal("0")
    restocking_fees: Decimal = Decimal("0")
    shipping_fees: Decimal = Decimal("0")
    shipping_cost: Decimal = Decimal("0")
    shipping_refunded: Decimal = Decimal("0")
    retained_revenue: Decimal = Decimal("0")
    refusals: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def fees_collected(self) -> Decimal:
        return self.restocking_fees + self.shipping_fees

    def as_dict(self, currency: str) -> dict[str, Any]:
        def money(value: Decimal) -> str:
            return str(quantize(value, currency))

        return {
            "requests": self.requests,
            "accepted_requests": self.accepted_requests,
            "rejected_requests": self.rejected_requests,
            "auto_approved_requests": self.auto_approved_requests,
            "requested_units": self.requested_units,
            "accepted_units": self.accepted_units,
            "refund_requests": float(round(self.refund_requests, 2)),
            "store_credit_requests": float(round(self.credit_requests, 2)),
            "exchange_requests": self.exchange_requests,
            "other_requests": self.other_requests,
            "requested_value": money(self.requested_value),
            "accepted_value": money(self.accepted_value),
            "cash_refunds": money(self.cash_refunds),
            "store_credit_issued": money(self.store_credit_issued),
            "store_credit_bonus": money(self.store_credit_bonus),
            "exchange_value": money(self.exchange_value),
            "restocking_fees": money(self.restocking_fees),
            "shipping_fees": money(self.shipping_fees),
            "fees_collected": money(self.fees_collected),
            "shipping_cost": money(self.shipping_cost),
            "shipping_refunded": money(self.shipping_refunded),
            "retained_revenue": money(self.retained_revenue),
            "refusals": dict(sorted(self.refusals.items())),
        }


@dataclass
class Replay:
    """Judges requests one by one under one set of terms; keeps per-customer counts for the abuse limit."""

    terms: policies.PolicyTerms
    rules: list[policies.RuleOverride]
    actual_bonus: Decimal
    proposal: Proposal
    outcome: Outcome = field(default_factory=Outcome)
    history: dict[str, list[datetime]] = field(default_factory=lambda: defaultdict(list))
    terms_cache: dict[tuple, policies.PolicyTerms] = field(default_factory=dict)

    def judge(self, case: RequestCase) -> None:
        out = self.outcome
        out.requests += 1
        accepted: list[tuple[LineCase, int, policies.PolicyTerms]] = []
        for line in case.lines:
            out.requested_units += line.quantity
            out.requested_value += line.unit_price * line.quantity
            terms = self._terms_for(line)
            facts = policies.LineFacts(
                quantity_bought=line.order_quantity,
                quantity_fulfilled=line.order_quantity_fulfilled,
                quantity_returned=0,
                quantity_in_open_requests=0,
                window_started_at=policies.window_start(
                    terms, fulfilled_at=line.fulfilled_at, delivered_at=line.delivered_at
                ),
            )
            verdict = policies.line_eligibility(
                terms, facts, reason_categories={line.reason_code: line.reason_category}, now=case.created_at
            )
            if verdict.not_returnable_code is not None:
                out.refusals[verdict.not_returnable_code] += 1
                continue
            if line.reason_code not in verdict.allowed_reason_codes:
                out.refusals["REASON_NOT_ALLOWED"] += 1
                continue
            accepted.append((line, min(line.quantity, verdict.returnable_quantity), terms))
        since = case.created_at - timedelta(days=self.terms.abuse_period_days)
        earlier = [t for t in self.history[case.customer] if t >= since] if case.customer else []
        if accepted and not policies.within_abuse_limit(self.terms, requests_in_period=len(earlier)):
            out.refusals["LIMIT_EXCEEDED"] += 1
            accepted = []
        if not accepted:
            out.rejected_requests += 1
            out.retained_revenue += sum((ln.unit_price * ln.quantity for ln in case.lines), Decimal("0"))
            return
        if case.customer:
            self.history[case.customer].append(case.created_at)
        self._settle(case, accepted)

    def _terms_for(self, line: LineCase) -> policies.PolicyTerms:
        """effective_terms of a line, memoised on what it depends on (rules by id, the two metadata flags)."""
        metadata = line.product_metadata
        key = (
            line.product_id,
            line.category_id,
            line.product_type_id,
            str(metadata.get("final_sale", "")).lower() == "true" if metadata else False,
            str(metadata.get("non_returnable", "")).lower() == "true" if metadata else False,
        )
        terms = self.terms_cache.get(key)
        if terms is None:
            terms = self.terms_cache[key] = policies.effective_terms(
                self.terms,
                self.rules,
                product_id=line.product_id,
                category_id=line.category_id,
                product_type_id=line.product_type_id,
                product_metadata=metadata,
            )
        return terms

    def _settle(self, case: RequestCase, accepted: list[tuple[LineCase, int, policies.PolicyTerms]]) -> None:
        out = self.outcome
        terms = self.terms
        out.accepted_requests += 1
        value = sum((line.unit_price * qty for line, qty, _t in accepted), Decimal("0"))
        requested = sum((line.unit_price * line.quantity for line in case.lines), Decimal("0"))
        out.accepted_units += sum(qty for _l, qty, _t in accepted)
        out.accepted_value += value
        categories = [line.reason_category for line, _q, _t in accepted]
        if policies.auto_approval_rule(
            terms,
            request_value=value,
            trusted_customer=case.trusted_customer,
            categories=categories,
            photo_count=case.photo_count,
        ):
            out.auto_approved_requests += 1
        payers = {
            policies.shipping_payer(terms, line.reason_category, line.reason_code)
            for line, _q, _t in accepted
        }
        returns_goods = case.kind != RequestKind.CLAIM
        breakdown = policies.refund_breakdown(
            [
                policies.RefundLine(
                    line.unit_price, qty, line.reason_category, line_terms.restocking_fee_percent
                )
                for line, qty, line_terms in accepted
            ],
            currency=case.currency,
            order_shipping=case.order_shipping,
            refund_shipping=policies.refunds_original_shipping(terms, categories),
            return_shipping_fee=terms.return_shipping_fee,
            charge_return_shipping=returns_goods and payers == {policies.CUSTOMER},
        )
        if returns_goods:
            out.shipping_cost += self.proposal.return_label_cost
        resolution = self._resolution(case.resolution)
        kept = Decimal("0")  # value that stays in the shop although the request was accepted
        if resolution in (Resolution.REFUND, Resolution.STORE_CREDIT):
            out.restocking_fees += breakdown.restocking_fee
            out.shipping_fees += breakdown.return_shipping_fee
            out.shipping_refunded += breakdown.shipping_refund
            credit_share = self._credit_share(resolution)
            credit_base = breakdown.total * credit_share
            bonus = policies.store_credit_amount(credit_base, terms.store_credit_bonus_percent, case.currency)
            cash = breakdown.total - credit_base
            out.cash_refunds += cash
            out.store_credit_issued += bonus
            out.store_credit_bonus += bonus - credit_base
            out.credit_requests += credit_share
            out.refund_requests += 1 - credit_share
            kept = requested - cash - (bonus - credit_base)
        elif resolution == Resolution.EXCHANGE:
            out.exchange_requests += 1
            out.exchange_value += value
            kept = requested
        else:
            out.other_requests += 1
            kept = requested
        out.retained_revenue += kept

    def _resolution(self, chosen: str) -> str:
        offered = tuple(self.terms.offered_resolutions)
        if chosen in offered or chosen == Resolution.REPAIR:
            return chosen
        if Resolution.REFUND in offered:
            return Resolution.REFUND
        return offered[0] if offered else Resolution.REFUND

    def _credit_share(self, resolution: str) -> Decimal:
        """Expected share of the refund value taken as store credit under these terms."""
        shift = (
            self.terms.store_credit_bonus_percent - self.actual_bonus
        ) * self.proposal.credit_uptake_per_bonus_point
        if Resolution.STORE_CREDIT not in self.terms.offered_resolutions:
            return Decimal("0")
        if resolution == Resolution.STORE_CREDIT:
            return max(Decimal("1") + min(shift, Decimal("0")), Decimal("0"))
        return min(max(shift, Decimal("0")), Decimal("1"))


def replay(cases: Iterable[RequestCase], replays: Iterable[Replay]) -> None:
    replays = list(replays)
    for case in cases:
        for r in replays:
            r.judge(case)


def compare(current: Outcome, proposed: Outcome, currency: str) -> dict[str, Any]:
    a, b = current.as_dict(currency), proposed.as_dict(currency)
    delta: dict[str, Any] = {}
    for key, value in a.items():
        if key == "refusals":
            continue
        if isinstance(value, str):
            delta[key] = str(Decimal(b[key]) - Decimal(value))
        else:
            delta[key] = round(b[key] - value, 2) if isinstance(value, float) else b[key] - value
    return {"current": a, "proposed": b, "delta": delta}
