"""Saleor events -> returns actions.

- ORDER_FULFILLED / FULFILLMENT_CREATED start the return window of each fulfilled line (the mirror holds the
  fulfillments; we record when each line's window started);
- ORDER_REFUNDED / ORDER_FULLY_REFUNDED settle requests whose granted refund Saleor reports as successful, and a
  full refund made outside the app closes the other open requests;
- ORDER_CANCELLED closes open requests;
- ORDER_UPDATED caused by our own calls (order notes, grants) is ignored; others refresh the windows.
"""

from __future__ import annotations

from ...core.actors import Actor
from ...returns import actions as return_actions
from ...returns.models import ReturnRequest, ReturnStatus, Settlement, SettlementKind, SettlementStatus
from ..registry import WebhookContext, handles


@handles("ORDER_FULFILLED", "FULFILLMENT_CREATED")
def start_return_windows(ctx: WebhookContext) -> None:
    if ctx.order is not None:
        return_actions.record_return_windows(order=ctx.order, at=ctx.issued_at)


@handles("ORDER_UPDATED")
def refresh_return_windows(ctx: WebhookContext) -> None:
    if ctx.issued_by_this_app or ctx.order is None:
        return
    return_actions.record_return_windows(order=ctx.order, at=ctx.issued_at)


@handles("ORDER_REFUNDED", "ORDER_FULLY_REFUNDED")
def settle_refunded_returns(ctx: WebhookContext) -> None:
    order = ctx.order
    if order is None:
        return
    succeeded = {grant.saleor_id for grant in order.granted_refunds.all() if grant.status == "SUCCESS"}
    ours = Settlement.objects.filter(
        request__order=order, kind=SettlementKind.REFUND, saleor_granted_refund_id__in=succeeded
    ).select_related("request")
    for settlement in ours:
        if settlement.status != SettlementStatus.SUCCEEDED:
            Settlement.objects.filter(pk=settlement.pk).update(status=SettlementStatus.SUCCEEDED, error="")
        request = settlement.request
        if (
            request.status == ReturnStatus.RESOLVING
            and not request.settlements.exclude(status=SettlementStatus.SUCCEEDED).exists()
        ):
            return_actions.settle_return_request(request=request, actor=Actor.saleor())
    if ctx.event == "ORDER_FULLY_REFUNDED" and not ctx.issued_by_this_app:
        return_actions.close_open_requests(
            order=order, actor=Actor.saleor(), note="The order was fully refunded in Saleor."
        )


@handles("ORDER_CANCELLED")
def close_returns_of_cancelled_order(ctx: WebhookContext) -> None:
    if ctx.order is not None and ReturnRequest.objects.filter(order=ctx.order).exists():
        return_actions.close_open_requests(
            order=ctx.order, actor=Actor.saleor(), note="The order was cancelled."
        )
