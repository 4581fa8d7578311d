"""Outbox callbacks (settlement progress) and reconcilers (did an unanswered call take effect in Saleor?)."""

from __future__ import annotations

from ..core.actors import Actor
from ..outbox import reconcilers
from ..outbox.registry import outbox_callback, outbox_reconciler
from ..saleor_client.client import mutation_result
from . import actions, settlement
from .models import ReturnRequest, SettlementKind, SettlementStatus


@outbox_callback(settlement.ON_GRANTED)
def refund_granted(message, result: dict) -> None:
    """The refund is granted in Saleor: now ask the payment app to move the money (chained, exactly once)."""
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
    if row.kind == SettlementKind.STORE_CREDIT:
        row.saleor_gift_card_id = (payload.get("giftCard") or {}).get("id") or ""
    elif row.kind in (SettlementKind.EXCHANGE, SettlementKind.REPLACEMENT):
        row.saleor_draft_order_id = (payload.get("order") or {}).get("id") or ""
    row.status = SettlementStatus.SUCCEEDED
    row.error = ""
    row.save()
    request = ReturnRequest.objects.get(pk=row.request_id)
    if settlement.all_succeeded(request):
        actions.settle_return_request(request=request, actor=Actor.saleor())


@outbox_callback(settlement.ON_FAILURE)
def settlement_failed(message, result: dict) -> None:
    row = settlement.settlement_for_message(message)
    if row is None or row.status == SettlementStatus.SUCCEEDED:
        # Saleor already confirmed this money moved (e.g. ORDER_REFUNDED arrived first): nothing failed.
        return
    row.status = SettlementStatus.FAILED
    row.error = str((result or {}).get("error") or "")[:2000]
    row.save()
    actions.fail_settlement(request=row.request, error=f"{message.operation}: {row.error}")


def _order_id(message) -> str:
    return message.variables.get("order") or ReturnRequest.objects.get(pk=message.subject_id).order.saleor_id


@outbox_reconciler("ReturnGrantRefundCreate")
def reconcile_grant(client, message) -> dict | None:
    marker = f"[aftersales:{message.idempotency_key}]"
    return reconcilers.granted_refund_with_marker(
        client, "ReturnOrderGrantedRefunds", _order_id(message), marker
    )


@outbox_reconciler("ReturnRequestRefundForGrant")
def reconcile_refund_request(client, message) -> dict | None:
    grant_id = message.variables.get("grantedRefundId")
    return reconcilers.refund_requested_for_grant(
        client, "ReturnOrderGrantedRefunds", _order_id(message), grant_id
    )


@outbox_reconciler("GiftCardCreateStoreCredit")
def reconcile_store_credit(client, message) -> dict | None:
    return reconcilers.first_node(
        client,
        "ReturnGiftCardsByTag",
        {"tag": message.idempotency_key},
        connection="giftCards",
        mutation="giftCardCreate",
        field="giftCard",
    )


@outbox_reconciler("ReturnDraftOrderCreate")
def reconcile_draft(client, message) -> dict | None:
    return reconcilers.first_node(
        client,
        "ReturnDraftOrdersByKey",
        {"key": message.idempotency_key},
        connection="draftOrders",
        mutation="draftOrderCreate",
        field="order",
    )


@outbox_reconciler("ReturnFulfillmentReturnProducts")
def reconcile_return_record(client, message) -> dict | None:
    """A RETURNED fulfillment created since the first attempt with exactly our lines means it took effect."""
    from django.utils.dateparse import parse_datetime

    request = ReturnRequest.objects.select_related("order").get(pk=message.subject_id)
    fulfillment_lines = {
        fl.saleor_id: fl.order_line.saleor_id
        for f in request.order.fulfillments.all()
        for fl in f.lines.select_related("order_line")
    }
    wanted: dict[str, int] = {}
    for item in message.variables["input"].get("fulfillmentLines") or []:
        line_id = fulfillment_lines.get(item["fulfillmentLineId"], item["fulfillmentLineId"])
        wanted[line_id] = wanted.get(line_id, 0) + int(item["quantity"])
    data = client.execute("ReturnOrderFulfillments", {"id": request.order.saleor_id})
    for fulfillment in (data.get("order") or {}).get("fulfillments") or []:
        created = parse_datetime(fulfillment.get("created") or "")
        if fulfillment.get("status") != "RETURNED" or (created and created < message.created_at):
            continue
        got: dict[str, int] = {}
        for line in fulfillment.get("lines") or []:
            key = str((line.get("orderLine") or {}).get("id"))
            got[key] = got.get(key, 0) + int(line.get("quantity") or 0)
        if got == wanted:
            return {"orderFulfillmentReturnProducts": {"returnFulfillment": fulfillment, "errors": []}}
    return None
