"""Saleor events -> warranty actions.

- ORDER_FULFILLED / FULFILLMENT_CREATED register one warranty per fulfilled unit from the order mirror
  (idempotent per fulfillment line unit: Saleor sends both events for one fulfilment, and re-delivers);
- ORDER_FULLY_PAID of the draft order a paid repair was billed with records the payment on the repair (once).
"""

from __future__ import annotations

from ...warranty import actions as warranty_actions
from ..registry import WebhookContext, handles


@handles("ORDER_FULFILLED", "FULFILLMENT_CREATED")
def register_warranties(ctx: WebhookContext) -> None:
    if ctx.order is not None:
        warranty_actions.register_order_warranties(
            order=ctx.order, at=ctx.issued_at, installation=ctx.installation
        )


@handles("ORDER_FULLY_PAID")
def record_paid_repair_payment(ctx: WebhookContext) -> None:
    if ctx.order is not None:
        warranty_actions.record_repair_payment(
            installation=ctx.installation, saleor_order_id=ctx.order.saleor_id, at=ctx.issued_at
        )
