"""Saleor events -> loyalty actions (the order mirror is already updated when these run).

- ORDER_FULLY_PAID: pending points per line (idempotent per order + line), first-order reward;
- ORDER_FULFILLED / FULFILLMENT_CREATED / ORDER_UPDATED / FULFILLMENT_CANCELED: pending points vest when the
  order's return window closes (run after the returns handlers, which record the windows);
- ORDER_REFUNDED: reverse the points of refunded lines; ORDER_FULLY_REFUNDED: reverse all the order earned;
- ORDER_CANCELLED: reverse all and restore the lots spent on the order; reward codes it used are free again;
- CUSTOMER_CREATED: attach guest points held under the email, and the sign-up reward;
- ORDER_CREATED / ORDER_FULLY_PAID / ORDER_UPDATED: reward vouchers and gift cards used by the order (its
  `voucherCode` and `giftCards`) mark their claims as used.
"""

from __future__ import annotations

from ...core.actors import Actor
from ...loyalty import actions as loyalty_actions
from ..registry import WebhookContext, handles

AFTER_RETURNS = 150


@handles("ORDER_FULLY_PAID", priority=AFTER_RETURNS)
def earn_points_for_paid_order(ctx: WebhookContext) -> None:
    if ctx.order is not None:
        loyalty_actions.earn_for_order(order=ctx.order, actor=Actor.saleor())


@handles(
    "ORDER_FULFILLED", "FULFILLMENT_CREATED", "FULFILLMENT_CANCELED", "ORDER_UPDATED", priority=AFTER_RETURNS
)
def refresh_points_release(ctx: WebhookContext) -> None:
    if ctx.order is not None:
        loyalty_actions.refresh_release_dates(order=ctx.order)


@handles("ORDER_REFUNDED", "ORDER_FULLY_REFUNDED", priority=AFTER_RETURNS)
def reverse_points_of_refunds(ctx: WebhookContext) -> None:
    if ctx.order is not None:
        loyalty_actions.reverse_refunded_lines(
            order=ctx.order, actor=Actor.saleor(), full=ctx.event == "ORDER_FULLY_REFUNDED"
        )


@handles("ORDER_CREATED", "ORDER_FULLY_PAID", "ORDER_UPDATED", priority=AFTER_RETURNS)
def mark_reward_codes_used(ctx: WebhookContext) -> None:
    order = ctx.payload.get("order") or {}
    codes = [order["voucherCode"]] if order.get("voucherCode") else []
    cards = [card["id"] for card in order.get("giftCards") or [] if card and card.get("id")]
    if order.get("id") and (codes or cards):
        loyalty_actions.mark_rewards_used(
            installation=ctx.installation,
            order_saleor_id=order["id"],
            order_number=str(order.get("number") or ""),
            voucher_codes=codes,
            gift_card_ids=cards,
        )


@handles("ORDER_CANCELLED", priority=AFTER_RETURNS)
def reverse_points_of_cancelled_order(ctx: WebhookContext) -> None:
    if ctx.order is not None:
        loyalty_actions.cancel_order_points(order=ctx.order, actor=Actor.saleor())


@handles("ORDER_CANCELLED", priority=AFTER_RETURNS)
def release_reward_codes_of_cancelled_order(ctx: WebhookContext) -> None:
    order_id = (ctx.payload.get("order") or {}).get("id") or (ctx.order.saleor_id if ctx.order else "")
    if order_id:
        loyalty_actions.release_rewards_used(installation=ctx.installation, order_saleor_id=order_id)


@handles("CUSTOMER_CREATED", priority=AFTER_RETURNS)
def attach_points_to_new_customer(ctx: WebhookContext) -> None:
    user = ctx.payload.get("user") or {}
    if not user.get("id") or not user.get("email"):
        return
    loyalty_actions.attach_guest_accounts(
        installation=ctx.installation, email=user["email"], user_id=user["id"]
    )
    loyalty_actions.award_action_points(
        installation=ctx.installation,
        action="signup",
        customer_email=user["email"],
        customer_user_id=user["id"],
        reference=user["id"],
        actor=Actor.saleor(),
    )
