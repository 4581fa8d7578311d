"""Outbox callbacks (settlement progress) and reconcilers (did an unanswered call take effect in Saleor?)."""

from __future__ import annotations

from ..core.actors import Actor
from ..outbox import reconcilers
from ..outbox.registry import outbox_callback, outbox_reconciler
from ..saleor_client.client import mutation_result
from . import actions, settlement
from .models import SettlementKind, SettlementStatus, WarrantyClaim


@outbox_callback(settlement.ON_GRANTED)
def refund_granted(message, result: dict) -> None:
    """The refund is granted in Saleor: ask the payment app to move the money (chained, exactly once)."""
    row = settlement.settlement_for_message(message)
    if row is None:
        return
    grant = (mutation_result(result) or {}).get("grantedRefund") or {}
    settlement.request_refund_for_grant(row, grant["id"])


@outbox_callback(settlement.ON_SUCCESS)
def settlement_succeeded(message, result: dict) -> None:
    row = settlement.settlement_for_message(message)
    if row is None or row.status == SettlementStatus.SUCCEEDED:
        return
    payload = mutation_result(result) or {}
    if row.kind in (SettlementKind.REPLACEMENT, SettlementKind.PAID_REPAIR):
        row.saleor_draft_order_id = (payload.get("order") or {}).get("id") or ""
    row.status, row.error = SettlementStatus.SUCCEEDED, ""
    row.save()
    if row.claim_id:
        claim = WarrantyClaim.objects.get(pk=row.claim_id)
        if not claim.settlements.exclude(status=SettlementStatus.SUCCEEDED).exists():
            actions.settle_claim(claim=claim, actor=Actor.saleor())


@outbox_callback(settlement.ON_FAILURE)
def settlement_failed(message, result: dict) -> None:
    row = settlement.settlement_for_message(message)
    if row is None or row.status == SettlementStatus.SUCCEEDED:
        return
    row.status = SettlementStatus.FAILED
    row.error = str((result or {}).get("error") or "")[:2000]
    row.save()
    if row.claim_id:
        actions.fail_claim_settlement(
            claim=WarrantyClaim.objects.get(pk=row.claim_id), error=f"{message.operation}: {row.error}"
        )


def _order_id(message) -> str:
    if message.variables.get("order"):
        return message.variables["order"]
    claim = WarrantyClaim.objects.select_related("warranty__order").get(pk=message.subject_id)
    return claim.warranty.order.saleor_id


@outbox_reconciler("WarrantyGrantRefundCreate")
def reconcile_grant(client, message) -> dict | None:
    marker = f"{settlement.GRANT_MARKER}{message.idempotency_key}]"
    return reconcilers.granted_refund_with_marker(
        client, "WarrantyOrderGrantedRefunds", _order_id(message), marker
    )


@outbox_reconciler("WarrantyRequestRefundForGrant")
def reconcile_refund_request(client, message) -> dict | None:
    grant_id = message.variables.get("grantedRefundId")
    return reconcilers.refund_requested_for_grant(
        client, "WarrantyOrderGrantedRefunds", _order_id(message), grant_id
    )


@outbox_reconciler("WarrantyDraftOrderCreate")
def reconcile_draft(client, message) -> dict | None:
    return reconcilers.first_node(
        client,
        "WarrantyDraftOrdersByKey",
        {"key": message.idempotency_key},
        connection="draftOrders",
        mutation="draftOrderCreate",
        field="order",
    )
