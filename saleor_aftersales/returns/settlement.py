"""Settlement of a resolved request in Saleor, exactly once, through the outbox.

- refund: ReturnGrantRefundCreate (lines, shipping per policy, the charged transaction; the reason carries the
  RMA number and the idempotency key) -> from its success callback ReturnRequestRefundForGrant;
- store credit: GiftCardCreateStoreCredit (tag + metadata carry the key);
- exchange / replacement: ReturnDraftOrderCreate (metadata carries the key), price difference in Decimal: the
  customer pays a positive one on the draft, a negative one is refunded through a granted refund;
- returned units are recorded with ReturnFulfillmentReturnProducts (refund:false).
Every key is fixed per request, so a resolve that runs twice enqueues nothing new.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from ..core.errors import DomainError
from ..core.money import quantize
from ..outbox import actions as outbox_actions
from ..outbox.models import OutboxMessage, OutboxStatus
from . import error_codes, events, policies, selectors
from .models import (
    RequestKind,
    Resolution,
    ReturnRequest,
    Settlement,
    SettlementKind,
    SettlementStatus,
)

SUBJECT = "return_request"
ON_FAILURE = "returns.settlement_failed"
ON_SUCCESS = "returns.settlement_succeeded"
ON_GRANTED = "returns.refund_granted"
METADATA_KEY = "aftersales_idempotency_key"


@dataclass(frozen=True)
class Operation:
    kind: str
    key: str
    operation: str
    variables: dict
    on_success: str
    amount: Decimal = Decimal("0")
    includes_shipping: bool = False


@dataclass
class Plan:
    refund_amount: Decimal = Decimal("0")
    store_credit_amount: Decimal = Decimal("0")
    exchange_difference: Decimal = Decimal("0")
    operations: list[Operation] = field(default_factory=list)
    summary: str = ""


def grant_reason(request: ReturnRequest, key: str) -> str:
    return f"{request.number} {selectors.GRANT_MARKER}{key}]"


def _settled_quantity(line, kind: str) -> int:
    return line.approved_quantity if kind == RequestKind.CLAIM else line.received_quantity


def _shipping_already_refunded(request: ReturnRequest) -> bool:
    order = request.order
    if any(grant.shipping_costs_included for grant in order.granted_refunds.all()):
        return True
    return (
        Settlement.objects.filter(request__order=order, includes_shipping=True)
        .exclude(request=request)
        .exists()
    )


def _grant_refund(request, key, amount, lines, catalogue, *, shipping: bool) -> Operation:
    transaction_id = selectors.charged_transaction_id(request.order)
    if not transaction_id:
        raise DomainError(
            error_codes.NO_CHARGED_TRANSACTION, "The order has no charged payment to refund.", "resolution"
        )
    grant_lines = [
        {
            "id": line.order_line.saleor_id,
            "quantity": qty,
            "reason": catalogue[line.reason_code].saleor_text
            if line.reason_code in catalogue
            else line.reason_code,
        }
        for line, qty in lines
        if qty > 0
    ]
    payload = {
        "amount": str(amount),
        "reason": grant_reason(request, key),
        "grantRefundForShipping": shipping,
        "transactionId": transaction_id,
    }
    if grant_lines:
        payload["lines"] = grant_lines
    return Operation(
        kind=SettlementKind.REFUND,
        key=key,
        operation="ReturnGrantRefundCreate",
        variables={"order": request.order.saleor_id, "input": payload},
        on_success=ON_GRANTED,
        amount=amount,
        includes_shipping=shipping,
    )


def _draft_order(request, key, lines, unit_prices: dict[int, Decimal]) -> Operation:
    order = request.order
    payload = {
        "userEmail": request.customer_email,
        "channelId": order.channel_id,
        "customerNote": f"{request.number} replacement",
        "externalReference": key,
        "metadata": [{"key": METADATA_KEY, "value": key}, {"key": "rma", "value": request.number}],
        "lines": [
            {
                "variantId": line.exchange_variant_id or line.order_line.variant_id,
                "quantity": qty,
                "price": str(unit_prices[line.pk]),
                "forceNewLine": True,
            }
            for line, qty in lines
            if qty > 0
        ],
    }
    if order.user_id:
        payload["user"] = order.user_id
    total = quantize(sum((unit_prices[line.pk] * qty for line, qty in lines), Decimal("0")), request.currency)
    return Operation(
        kind=SettlementKind.EXCHANGE if request.kind == RequestKind.EXCHANGE else SettlementKind.REPLACEMENT,
        key=key,
        operation="ReturnDraftOrderCreate",
        variables={"input": payload},
        on_success=ON_SUCCESS,
        amount=total,
    )


def _return_record(request, lines, catalogue) -> Operation | None:
    """Allocate received units onto the Saleor fulfillment lines that shipped them."""
    remaining = {line.order_line_id: (qty, line) for line, qty in lines if qty > 0}
    items = []
    for fulfillment in request.order.fulfillments.all():
        if fulfillment.status != "FULFILLED":
            continue
        for fl in fulfillment.lines.all():
            qty, line = remaining.get(fl.order_line_id, (0, None))
            take = min(qty, fl.quantity)
            if take > 0:
                reason = catalogue.get(line.reason_code)
                items.append(
                    {
                        "fulfillmentLineId": fl.saleor_id,
                        "quantity": take,
                        "reason": reason.saleor_text if reason else "",
                    }
                )
                remaining[fl.order_line_id] = (qty - take, line)
    if not items:
        return None
    key = f"rma:{request.pk}:return-record"
    return Operation(
        kind=SettlementKind.RETURN_RECORD,
        key=key,
        operation="ReturnFulfillmentReturnProducts",
        variables={
            "order": request.order.saleor_id,
            "input": {"fulfillmentLines": items, "refund": False, "reason": f"{request.number} [{key}]"},
        },
        on_success=ON_SUCCESS,
    )


def plan_for(request: ReturnRequest) -> Plan:
    """Compute the money (Decimal) and the Saleor calls of a resolution. Raises before anything is written."""
    request.order = (
        type(request.order)
        .objects.prefetch_related("lines", "fulfillments__lines", "granted_refunds")
        .get(pk=request.order_id)
    )
    base, rules = selectors.order_policy(request.order)
    catalogue = selectors.reason_catalogue(request.installation)
    lines = [
        (line, _settled_quantity(line, request.kind)) for line in request.lines.select_related("order_line")
    ]
    if not any(qty for _, qty in lines):
        raise DomainError("INVALID", "Nothing was received or approved to settle.", "lines")
    currency = request.currency
    plan = Plan()
    refund_lines = []
    for line, qty in lines:
        terms = selectors.line_terms(base, rules, line.order_line)
        refund_lines.append(
            policies.RefundLine(
                line.order_line.unit_price_gross, qty, line.reason_category, terms.restocking_fee_percent
            )
        )
    categories = [line.reason_category for line, qty in lines if qty]
    refund_shipping = policies.refunds_original_shipping(base, categories) and not _shipping_already_refunded(
        request
    )
    pays = {
        policies.shipping_payer(base, line.reason_category, line.reason_code) for line, qty in lines if qty
    }
    breakdown = policies.refund_breakdown(
        refund_lines,
        currency=currency,
        order_shipping=request.order.shipping_gross,
        refund_shipping=refund_shipping,
        return_shipping_fee=base.return_shipping_fee,
        charge_return_shipping=bool(request.pickup_address) and pays == {policies.CUSTOMER},
    )
    prefix = f"rma:{request.pk}"
    if request.kind != RequestKind.CLAIM:
        record = _return_record(request, lines, catalogue)
        if record is not None:
            plan.operations.append(record)
    resolution = request.resolution
    if resolution == Resolution.REFUND:
        plan.refund_amount = breakdown.total
        if breakdown.total > 0:
            plan.operations.append(
                _grant_refund(
                    request, f"{prefix}:refund", breakdown.total, lines, catalogue, shipping=refund_shipping
                )
            )
        plan.summary = f"refund {breakdown.total} {currency}"
    elif resolution == Resolution.STORE_CREDIT:
        amount = policies.store_credit_amount(breakdown.total, base.store_credit_bonus_percent, currency)
        plan.store_credit_amount = amount
        key = f"{prefix}:store-credit"
        plan.operations.append(
            Operation(
                kind=SettlementKind.STORE_CREDIT,
                key=key,
                operation="GiftCardCreateStoreCredit",
                variables={
                    "input": {
                        "balance": {"amount": str(amount), "currency": currency},
                        "userEmail": request.customer_email,
                        "channel": request.channel_slug or None,
                        "isActive": True,
                        "addTags": [key, "store-credit"],
                        "metadata": [
                            {"key": METADATA_KEY, "value": key},
                            {"key": "rma", "value": request.number},
                        ],
                        "note": f"Store credit for {request.number}",
                    }
                },
                on_success=ON_SUCCESS,
                amount=amount,
            )
        )
        plan.summary = f"store credit {amount} {currency}"
    elif resolution in (Resolution.EXCHANGE, Resolution.REPLACEMENT):
        unit_prices: dict[int, Decimal] = {}
        refund_back = Decimal("0")
        difference = Decimal("0")
        for line, qty in lines:
            old = line.order_line.unit_price_gross
            if resolution == Resolution.REPLACEMENT:
                unit_prices[line.pk] = Decimal("0")
                continue
            new = line.exchange_unit_price if line.exchange_unit_price is not None else old
            diff = policies.exchange_difference(
                returned_unit_price=old, new_unit_price=new, quantity=qty, currency=currency
            )
            difference += diff
            # The replacement is free up to the returned value; the customer pays only a positive difference.
            unit_prices[line.pk] = quantize(max(new - old, Decimal("0")), currency)
            if diff < 0:
                refund_back += -diff
        plan.exchange_difference = difference
        plan.operations.append(_draft_order(request, f"{prefix}:replacement", lines, unit_prices))
        if refund_back > 0:
            plan.refund_amount = refund_back
            plan.operations.append(
                _grant_refund(request, f"{prefix}:refund", refund_back, [], catalogue, shipping=False)
            )
        plan.summary = f"{resolution}, price difference {difference} {currency}"
    else:
        plan.summary = f"{resolution} (handled outside Saleor settlement)"
    return plan


def start(request: ReturnRequest, plan: Plan) -> None:
    request.refund_amount = plan.refund_amount
    request.store_credit_amount = plan.store_credit_amount
    request.exchange_difference = plan.exchange_difference
    request.save(update_fields=["refund_amount", "store_credit_amount", "exchange_difference"])
    for op in plan.operations:
        settlement, created = Settlement.objects.get_or_create(
            request=request,
            idempotency_key=op.key,
            defaults={
                "kind": op.kind,
                "amount": op.amount,
                "currency": request.currency,
                "includes_shipping": op.includes_shipping,
            },
        )
        if not created:
            continue
        message = outbox_actions.enqueue(
            installation=request.installation,
            idempotency_key=op.key,
            operation=op.operation,
            variables=op.variables,
            subject_type=SUBJECT,
            subject_id=request.pk,
            on_success=op.on_success,
            on_failure=ON_FAILURE,
        )
        settlement.outbox_message_ids = [message.pk]
        settlement.save(update_fields=["outbox_message_ids"])
    if plan.operations:
        from ..core.actors import Actor

        events.record_event(
            request,
            type=events.SETTLEMENT_STARTED,
            actor=Actor.system("settlement"),
            note=plan.summary,
            data={"operations": [op.operation for op in plan.operations]},
        )


def settlement_for_message(message: OutboxMessage) -> Settlement | None:
    key = message.idempotency_key
    return (
        Settlement.objects.select_for_update(of=("self",))
        .select_related("request")
        .filter(request_id=int(message.subject_id), idempotency_key__in=[key, key.rsplit(":", 1)[0]])
        .order_by("-idempotency_key")
        .first()
    )


def request_refund_for_grant(settlement: Settlement, granted_refund_id: str) -> OutboxMessage:
    request = settlement.request
    settlement.saleor_granted_refund_id = granted_refund_id
    message = outbox_actions.enqueue(
        installation=request.installation,
        idempotency_key=f"{settlement.idempotency_key}:request",
        operation="ReturnRequestRefundForGrant",
        variables={
            "grantedRefundId": granted_refund_id,
            "transactionId": selectors.charged_transaction_id(request.order),
        },
        subject_type=SUBJECT,
        subject_id=request.pk,
        on_success=ON_SUCCESS,
        on_failure=ON_FAILURE,
    )
    if message.pk not in settlement.outbox_message_ids:
        settlement.outbox_message_ids = [*settlement.outbox_message_ids, message.pk]
    settlement.save(update_fields=["saleor_granted_refund_id", "outbox_message_ids", "updated_at"])
    return message


def all_succeeded(request: ReturnRequest) -> bool:
    statuses: defaultdict[str, int] = defaultdict(int)
    for status in request.settlements.values_list("status", flat=True):
        statuses[status] += 1
    return bool(statuses) and set(statuses) == {SettlementStatus.SUCCEEDED}


def retry_failed(request: ReturnRequest) -> int:
    retried = 0
    for settlement in request.settlements.filter(status=SettlementStatus.FAILED):
        for message in OutboxMessage.objects.filter(
            pk__in=settlement.outbox_message_ids, status=OutboxStatus.FAILED
        ):
            outbox_actions.retry_failed(message=message)
            retried += 1
        settlement.status = SettlementStatus.PENDING
        settlement.error = ""
        settlement.save(update_fields=["status", "error", "updated_at"])
    return retried
