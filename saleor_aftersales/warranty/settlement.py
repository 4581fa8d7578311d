"""Settlement of warranty decisions in Saleor, exactly once, through the outbox.

- replacement: WarrantyDraftOrderCreate, the covered unit's variant at price 0 (metadata carries the key);
- refund: WarrantyGrantRefundCreate for the unit (the reason carries the claim number and the key), then from its
  success callback WarrantyRequestRefundForGrant moves the money;
- paid repair: WarrantyDraftOrderCreate with the merchant's repair-service variant at the accepted quote, which
  the customer pays.
Every key is fixed per claim / repair order, so a decision replayed enqueues nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..core.actors import Actor
from ..core.errors import DomainError
from ..core.money import quantize
from ..outbox import actions as outbox_actions
from ..outbox.models import OutboxMessage, OutboxStatus
from ..returns.selectors import charged_transaction_id
from . import error_codes, events, selectors
from .models import (
    ClaimDecision,
    RepairOrder,
    SettlementKind,
    SettlementStatus,
    WarrantyClaim,
    WarrantySettlement,
)

CLAIM_SUBJECT = "warranty_claim"
REPAIR_SUBJECT = "repair_order"
ON_SUCCESS = "warranty.settlement_succeeded"
ON_FAILURE = "warranty.settlement_failed"
ON_GRANTED = "warranty.refund_granted"
METADATA_KEY = "aftersales_idempotency_key"
GRANT_MARKER = "[aftersales:"


@dataclass(frozen=True)
class Plan:
    kind: str
    key: str
    operation: str
    variables: dict
    on_success: str
    amount: Decimal
    currency: str
    summary: str


def grant_reason(claim: WarrantyClaim, key: str) -> str:
    return f"Warranty {claim.number} {GRANT_MARKER}{key}]"


def _draft_input(*, order, email: str, variant_id: str, price: Decimal, key: str, note: str, reference: str):
    payload = {
        "userEmail": email,
        "channelId": order.channel_id,
        "customerNote": note,
        "externalReference": key,
        "metadata": [{"key": METADATA_KEY, "value": key}, {"key": "warranty_reference", "value": reference}],
        "lines": [{"variantId": variant_id, "quantity": 1, "price": str(price), "forceNewLine": True}],
    }
    if order.user_id:
        payload["user"] = order.user_id
    return payload


def plan_for_claim(claim: WarrantyClaim, decision: str) -> Plan:
    """The Saleor call of a replacement or refund decision. Raises before anything is written."""
    warranty = claim.warranty
    order = warranty.order
    if order is None:
        raise DomainError(
            error_codes.NO_ORDER,
            "Items bought elsewhere are replaced or refunded outside Saleor.",
            "decision",
        )
    currency = warranty.currency
    if decision == ClaimDecision.REPLACE:
        if not warranty.variant_id or not order.channel_id:
            raise DomainError(error_codes.NO_ORDER, "The item's variant or channel is unknown.", "decision")
        key = f"wc:{claim.pk}:replacement"
        return Plan(
            kind=SettlementKind.REPLACEMENT,
            key=key,
            operation="WarrantyDraftOrderCreate",
            variables={
                "input": _draft_input(
                    order=order,
                    email=claim.customer_email,
                    variant_id=warranty.variant_id,
                    price=Decimal("0"),
                    key=key,
                    note=f"Warranty replacement {claim.number} for order #{order.number}",
                    reference=claim.number,
                )
            },
            on_success=ON_SUCCESS,
            amount=Decimal("0"),
            currency=currency,
            summary=f"replacement of {warranty.product_name} at 0 {currency}",
        )
    transaction_id = charged_transaction_id(order)
    if not transaction_id:
        raise DomainError(
            error_codes.NO_CHARGED_TRANSACTION, "The order has no charged payment to refund.", "decision"
        )
    amount = quantize(warranty.unit_price, currency)
    key = f"wc:{claim.pk}:refund"
    payload = {
        "amount": str(amount),
        "reason": grant_reason(claim, key),
        "grantRefundForShipping": False,
        "transactionId": transaction_id,
    }
    if warranty.order_line_id:
        payload["lines"] = [
            {"id": warranty.order_line.saleor_id, "quantity": 1, "reason": f"Warranty {claim.number}"}
        ]
    return Plan(
        kind=SettlementKind.REFUND,
        key=key,
        operation="WarrantyGrantRefundCreate",
        variables={"order": order.saleor_id, "input": payload},
        on_success=ON_GRANTED,
        amount=amount,
        currency=currency,
        summary=f"refund {amount} {currency}",
    )


def plan_for_paid_repair(repair: RepairOrder) -> Plan:
    config = selectors.settings_for(repair.installation)
    order = repair.order or (repair.warranty.order if repair.warranty_id else None)
    if order is None:
        raise DomainError(error_codes.NO_ORDER, "Paid repairs are billed through a Saleor channel.", "id")
    if not config.repair_service_variant_id:
        raise DomainError(
            error_codes.REPAIR_VARIANT_NOT_SET,
            "Set the repair service variant in the warranty settings.",
            "id",
        )
    key = f"ro:{repair.pk}:paid-repair"
    amount = quantize(repair.quote_amount, repair.currency)
    return Plan(
        kind=SettlementKind.PAID_REPAIR,
        key=key,
        operation="WarrantyDraftOrderCreate",
        variables={
            "input": _draft_input(
                order=order,
                email=repair.customer_email,
                variant_id=config.repair_service_variant_id,
                price=amount,
                key=key,
                note=f"Repair {repair.number} ({repair.product_name})",
                reference=repair.number,
            )
        },
        on_success=ON_SUCCESS,
        amount=amount,
        currency=repair.currency,
        summary=f"paid repair {amount} {repair.currency}",
    )


def _enqueue(
    installation, plan: Plan, *, subject_type: str, subject_id: int, **owner
) -> WarrantySettlement | None:
    row, created = WarrantySettlement.objects.get_or_create(
        installation=installation,
        idempotency_key=plan.key,
        defaults={"kind": plan.kind, "amount": plan.amount, "currency": plan.currency, **owner},
    )
    if not created:
        return None
    message = outbox_actions.enqueue(
        installation=installation,
        idempotency_key=plan.key,
        operation=plan.operation,
        variables=plan.variables,
        subject_type=subject_type,
        subject_id=subject_id,
        on_success=plan.on_success,
        on_failure=ON_FAILURE,
    )
    row.outbox_message_ids = [message.pk]
    row.save(update_fields=["outbox_message_ids"])
    return row


def start(claim: WarrantyClaim, plan: Plan, *, actor: Actor) -> None:
    if _enqueue(claim.installation, plan, subject_type=CLAIM_SUBJECT, subject_id=claim.pk, claim=claim):
        events.record_claim_event(
            claim,
            type=events.SETTLEMENT_STARTED,
            actor=Actor.system("settlement"),
            note=plan.summary,
            data={"operation": plan.operation},
        )


def start_paid_repair(repair: RepairOrder, plan: Plan, *, actor: Actor) -> None:
    if _enqueue(
        repair.installation, plan, subject_type=REPAIR_SUBJECT, subject_id=repair.pk, repair_order=repair
    ):
        events.record_repair_event(
            repair,
            type=events.SETTLEMENT_STARTED,
            actor=Actor.system("settlement"),
            note=plan.summary,
            data={"operation": plan.operation},
        )


def settlement_for_message(message: OutboxMessage) -> WarrantySettlement | None:
    key = message.idempotency_key
    return (
        WarrantySettlement.objects.select_for_update(of=("self",))
        .filter(
            installation_id=message.installation_id, idempotency_key__in=[key, key.removesuffix(":request")]
        )
        .order_by("-idempotency_key")
        .first()
    )


def request_refund_for_grant(row: WarrantySettlement, granted_refund_id: str) -> OutboxMessage:
    claim = WarrantyClaim.objects.select_related("warranty__order", "installation").get(pk=row.claim_id)
    row.saleor_granted_refund_id = granted_refund_id
    message = outbox_actions.enqueue(
        installation=claim.installation,
        idempotency_key=f"{row.idempotency_key}:request",
        operation="WarrantyRequestRefundForGrant",
        variables={
            "grantedRefundId": granted_refund_id,
            "transactionId": charged_transaction_id(claim.warranty.order),
        },
        subject_type=CLAIM_SUBJECT,
        subject_id=claim.pk,
        on_success=ON_SUCCESS,
        on_failure=ON_FAILURE,
    )
    if message.pk not in row.outbox_message_ids:
        row.outbox_message_ids = [*row.outbox_message_ids, message.pk]
    row.save(update_fields=["saleor_granted_refund_id", "outbox_message_ids", "updated_at"])
    return message


def retry_failed(*, claim: WarrantyClaim) -> int:
    retried = 0
    for row in claim.settlements.filter(status=SettlementStatus.FAILED):
        for message in OutboxMessage.objects.filter(
            pk__in=row.outbox_message_ids, status=OutboxStatus.FAILED
        ):
            outbox_actions.retry_failed(message=message)
            retried += 1
        row.status, row.error = SettlementStatus.PENDING, ""
        row.save(update_fields=["status", "error", "updated_at"])
    return retried
