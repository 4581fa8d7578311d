"""Reads of the returns capability: effective policy, reason catalogue, eligibility, windows, lists."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from django.db.models import Q, QuerySet

from ..installations.models import Installation
from ..orders.models import Order, OrderLine
from . import policies, reasons
from .models import (
    RequestKind,
    ReturnLine,
    ReturnPolicy,
    ReturnReason,
    ReturnRequest,
    ReturnStatus,
    ReturnWindow,
)
from .state import TERMINAL

# Embedded in the reason of every refund we grant, so Saleor's own refunds can be told apart (and reconciled).
GRANT_MARKER = "[aftersales:"


def policy_row(installation: Installation, channel_slug: str) -> ReturnPolicy | None:
    rows = {
        p.channel_slug: p
        for p in ReturnPolicy.objects.filter(installation=installation, channel_slug__in=[channel_slug, ""])
    }
    return rows.get(channel_slug) or rows.get("")


def terms_of(row: ReturnPolicy | None) -> policies.PolicyTerms:
    if row is None:
        return policies.PolicyTerms()
    return policies.PolicyTerms(
        window_days=row.window_days,
        window_starts=row.window_starts,
        no_reason_days=row.no_reason_days,
        quality_window_days=row.quality_window_days,
        final_sale=row.final_sale,
        non_returnable=row.non_returnable,
        shipping_payers=dict(row.shipping_payers or {}),
        refund_shipping_for_categories=tuple(row.refund_shipping_for_categories or ()),
        return_shipping_fee=row.return_shipping_fee,
        restocking_fee_percent=row.restocking_fee_percent,
        evidence_required_reasons=tuple(row.evidence_required_reasons or ()),
        offered_resolutions=tuple(row.offered_resolutions or ()),
        store_credit_bonus_percent=row.store_credit_bonus_percent,
        max_requests_per_customer=row.max_requests_per_customer,
        abuse_period_days=row.abuse_period_days,
        auto_approve_max_value=row.auto_approve_max_value,
        auto_approve_trusted_customers=row.auto_approve_trusted_customers,
        auto_approve_defects_with_photos=row.auto_approve_defects_with_photos,
        decision_sla_hours=row.decision_sla_hours,
        refund_sla_hours=row.refund_sla_hours,
    )


def rules_of(row: ReturnPolicy | None) -> list[policies.RuleOverride]:
    if row is None:
        return []
    return [
        policies.RuleOverride(
            scope=rule.scope,
            target_id=rule.target_id,
            values={name: getattr(rule, name) for name in policies.OVERRIDABLE},
        )
        for rule in row.rules.all()
    ]


def order_policy(order: Order) -> tuple[policies.PolicyTerms, list[policies.RuleOverride]]:
    row = policy_row(order.installation, order.channel_slug)
    return terms_of(row), rules_of(row)


def line_terms(
    base: policies.PolicyTerms, rules: list[policies.RuleOverride], line: OrderLine
) -> policies.PolicyTerms:
    return policies.effective_terms(
        base,
        rules,
        product_id=line.product_id,
        category_id=line.category_id,
        product_type_id=line.product_type_id,
        product_metadata=line.product_metadata,
    )


def reason_catalogue(installation: Installation) -> dict[str, reasons.Reason]:
    return reasons.merge_catalogue(ReturnReason.objects.filter(installation=installation))


def consumed_quantity(line: ReturnLine, status: str, kind: str) -> tuple[int, int]:
    """(units already returned, units held by an open request) that a return line takes from its order line."""
    if status in (ReturnStatus.REJECTED, ReturnStatus.CANCELLED):
        return 0, 0
    if status in (ReturnStatus.RESOLVED, ReturnStatus.CLOSED):
        done = line.approved_quantity if kind == RequestKind.CLAIM else line.received_quantity
        return done, 0
    if status == ReturnStatus.REQUESTED:
        return 0, line.quantity
    return 0, line.approved_quantity


def window_starts(
    order: Order, *, windows: list[ReturnWindow] | None = None
) -> dict[int, tuple[datetime | None, datetime | None]]:
    """{order line pk: (fulfilled_at, delivered_at)} from the recorded windows, else the mirror's fulfillments.

    `windows`: the order's ReturnWindow rows when the caller loaded them for many orders at once.
    """
    starts: dict[int, tuple[datetime | None, datetime | None]] = {}
    for fulfillment in order.fulfillments.all():
        if fulfillment.status != "FULFILLED":
            continue
        for fl in fulfillment.lines.all():
            when = fulfillment.fulfilled_at or order.fulfilled_at
            current = starts.get(fl.order_line_id, (None, None))[0]
            if when and (current is None or when < current):
                starts[fl.order_line_id] = (when, None)
    if windows is None:
        windows = list(ReturnWindow.objects.filter(order_line__order=order))
    for window in windows:
        starts[window.order_line_id] = (window.fulfilled_at, window.delivered_at)
    return starts


_RETURN_LINE_FACTS = (
    "order_line_id",
    "quantity",
    "approved_quantity",
    "received_quantity",
    "request__status",
    "request__kind",
    "request_id",
)


def line_quantities(
    order: Order, *, exclude_request_id: int | None = None, return_lines: list[tuple] | None = None
) -> dict[int, tuple[int, int]]:
    """{order line pk: (returned, in open requests)} over our requests and Saleor's own granted refunds.

    `return_lines`: the order's rows of _RETURN_LINE_FACTS when the caller loaded them for many orders at once.
    """
    returned: dict[int, int] = defaultdict(int)
    held: dict[int, int] = defaultdict(int)
    rows = return_lines
    if rows is None:
        rows = list(ReturnLine.objects.filter(request__order=order).values_list(*_RETURN_LINE_FACTS))
    for order_line_id, quantity, approved, received, status, kind, request_id in rows:
        if request_id == exclude_request_id:
            continue
        line = ReturnLine(quantity=quantity, approved_quantity=approved, received_quantity=received)
        done, open_ = consumed_quantity(line, status, kind)
        returned[order_line_id] += done
        held[order_line_id] += open_
    # Refunds made in Saleor by staff (not through us) also use up returnable units.
    saleor_line_ids = {line.saleor_id: line.pk for line in order.lines.all()}
    for grant in order.granted_refunds.all():
        if grant.status != "SUCCESS" or GRANT_MARKER in (grant.reason or ""):
            continue
        for item in grant.lines or []:
            pk = saleor_line_ids.get(item.get("order_line_id"))
            if pk is not None:
                returned[pk] += int(item.get("quantity") or 0)
    return {pk: (returned[pk], held[pk]) for pk in set(returned) | set(held)}


def fulfilled_by_line(order: Order) -> dict[int, int]:
    result: dict[int, int] = defaultdict(int)
    for fulfillment in order.fulfillments.all():
        if fulfillment.status == "FULFILLED":
            for fl in fulfillment.lines.all():
                result[fl.order_line_id] += fl.quantity
    return result


def _prefetched(order: Order) -> Order:
    if not getattr(order, "_returns_prefetched", False):
        order = (
            Order.objects.select_related("installation")
            .prefetch_related("lines", "fulfillments__lines", "granted_refunds")
            .get(pk=order.pk)
        )
        order._returns_prefetched = True  # type: ignore[attr-defined]
    return order


def order_eligibility(order: Order, *, now: datetime) -> list[tuple[OrderLine, policies.LineEligibility]]:
    """Eligibility of every line of the order (gift lines and unfulfilled ones included, with the reason)."""
    order = _prefetched(order)
    base, rules = order_policy(order)
    catalogue = reasons.selectable(reason_catalogue(order.installation))
    return _eligibility(
        order,
        base=base,
        rules=rules,
        categories={code: r.category for code, r in catalogue.items()},
        starts=window_starts(order),
        quantities=line_quantities(order),
        now=now,
    )


def orders_eligibility(
    installation: Installation, order_pks: list[int], *, now: datetime
) -> dict[int, list[tuple[OrderLine, policies.LineEligibility]]]:
    """order_eligibility for many orders of one installation in a constant number of queries (federation, lists)."""
    orders = list(
        Order.objects.filter(installation=installation, pk__in=order_pks).prefetch_related(
            "lines", "fulfillments__lines", "granted_refunds"
        )
    )
    if not orders:
        return {}
    policy_rows = {
        row.channel_slug: row
        for row in ReturnPolicy.objects.filter(
            installation=installation, channel_slug__in={o.channel_slug for o in orders} | {""}
        ).prefetch_related("rules")
    }
    catalogue = reasons.selectable(reason_catalogue(installation))
    categories = {code: r.category for code, r in catalogue.items()}
    windows: dict[int, list[ReturnWindow]] = defaultdict(list)
    for window in ReturnWindow.objects.filter(order_line__order__in=orders).select_related("order_line"):
        windows[window.order_line.order_id].append(window)
    facts: dict[int, list[tuple]] = defaultdict(list)
    for row in ReturnLine.objects.filter(request__order__in=orders).values_list(
        "request__order_id", *_RETURN_LINE_FACTS
    ):
        facts[row[0]].append(row[1:])
    result = {}
    for order in orders:
        row = policy_rows.get(order.channel_slug) or policy_rows.get("")
        result[order.pk] = _eligibility(
            order,
            base=terms_of(row),
            rules=rules_of(row),
            categories=categories,
            starts=window_starts(order, windows=windows[order.pk]),
            quantities=line_quantities(order, return_lines=facts[order.pk]),
            now=now,
        )
    return result


def _eligibility(
    order: Order,
    *,
    base: policies.PolicyTerms,
    rules: list[policies.RuleOverride],
    categories: dict[str, str],
    starts: dict[int, tuple[datetime | None, datetime | None]],
    quantities: dict[int, tuple[int, int]],
    now: datetime,
) -> list[tuple[OrderLine, policies.LineEligibility]]:
    fulfilled = fulfilled_by_line(order)
    result = []
    for line in order.lines.all():
        terms = line_terms(base, rules, line)
        fulfilled_at, delivered_at = starts.get(line.pk, (None, None))
        returned, held = quantities.get(line.pk, (0, 0))
        facts = policies.LineFacts(
            quantity_bought=line.quantity,
            quantity_fulfilled=fulfilled.get(line.pk, 0),
            quantity_returned=returned,
            quantity_in_open_requests=held,
            window_started_at=policies.window_start(
                terms, fulfilled_at=fulfilled_at, delivered_at=delivered_at
            ),
        )
        result.append((line, policies.line_eligibility(terms, facts, reason_categories=categories, now=now)))
    return result


def return_window_closes_at(order: Order) -> datetime | None:
    """The latest moment any line of the order can still be returned; None until something is fulfilled.

    Stable API for the loyalty capability (points vest when the window closes).
    """
    order = _prefetched(order)
    base, rules = order_policy(order)
    starts = window_starts(order)
    latest: datetime | None = None
    for line in order.lines.all():
        fulfilled_at, delivered_at = starts.get(line.pk, (None, None))
        terms = line_terms(base, rules, line)
        if terms.non_returnable:
            continue
        started = policies.window_start(terms, fulfilled_at=fulfilled_at, delivered_at=delivered_at)
        if started is None:
            continue
        deadline = policies.latest_deadline(terms, started)
        latest = deadline if latest is None or deadline > latest else latest
    return latest


def requests_for(installation: Installation) -> QuerySet[ReturnRequest]:
    return ReturnRequest.objects.filter(installation=installation)


def customer_requests(installation: Installation, *, user_id: str, email: str) -> QuerySet[ReturnRequest]:
    if user_id:
        return requests_for(installation).filter(customer_user_id=user_id)
    return requests_for(installation).filter(customer_email__iexact=email)


def customer_owns_request(request: ReturnRequest, *, user_id: str, email: str) -> bool:
    if request.customer_user_id and user_id:
        return request.customer_user_id == user_id
    return bool(email) and request.customer_email.lower() == email.lower()


def requests_in_period(installation: Installation, *, user_id: str, email: str, since: datetime) -> int:
    if not email and not user_id:
        return 0
    who = Q(customer_email__iexact=email) if email else Q(customer_user_id=user_id)
    if user_id and email:
        who |= Q(customer_user_id=user_id)
    return (
        requests_for(installation)
        .filter(who, created_at__gte=since)
        .exclude(status=ReturnStatus.CANCELLED)
        .count()
    )


def open_requests_of_order(order: Order) -> QuerySet[ReturnRequest]:
    return ReturnRequest.objects.filter(order=order).exclude(status__in=TERMINAL)


def charged_transaction_id(order: Order) -> str | None:
    """The transaction that took the customer's money (the one a refund goes back to)."""
    best, best_amount = None, Decimal("0")
    for transaction in order.transactions or []:
        charged = Decimal(str(transaction.get("charged") or "0"))
        if transaction.get("id") and charged > best_amount:
            best, best_amount = transaction["id"], charged
    return best
