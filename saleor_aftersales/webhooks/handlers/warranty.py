"""Saleor events -> warranty actions.

- ORDER_FULFILLED / FULFILLMENT_CREATED register one warranty per fulfilled unit from the order mirror
  (idempotent per fulfillment line unit: Saleor sends both events for one fulfilment, and re-delivers).
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
