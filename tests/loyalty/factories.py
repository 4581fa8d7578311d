"""Scenario builders for loyalty tests: a programme, and paid orders in the mirror."""

from __future__ import annotations

import base64
import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from saleor_aftersales.core.actors import Actor, ActorType
from saleor_aftersales.loyalty import actions
from saleor_aftersales.loyalty.models import Programme, Reward, RewardKind
from saleor_aftersales.orders.models import Fulfillment, FulfillmentLine, GrantedRefund, Order, OrderLine

_seq = itertools.count(1)

CHANNEL = "default-channel"
CUSTOMER_ID = base64.b64encode(b"User:701").decode()
EMAIL = "member@example.com"
NOW = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
STAFF = Actor(type=ActorType.STAFF, user_id="VXNlcjo5MDA=", email="staff@example.com")


def gid(kind: str, n) -> str:
    return base64.b64encode(f"{kind}:{n}".encode()).decode()


def make_programme(installation, **values) -> Programme:
    values.setdefault("points_per_unit", Decimal("1"))
    values.setdefault("currency", "USD")
    return actions.save_programme(installation=installation, channel_slug=CHANNEL, actor=STAFF, values=values)


def make_order(
    installation,
    *,
    lines=((Decimal("50.00"), 2),),
    user_id: str = CUSTOMER_ID,
    email: str = EMAIL,
    shipping: Decimal = Decimal("10.00"),
    tax_rate: Decimal = Decimal("0"),
    gift_card_paid: Decimal = Decimal("0"),
    fulfilled_at: datetime | None = None,
    channel: str = CHANNEL,
    product_type_id: str = "",
    category_id: str = "",
) -> Order:
    """A paid order: line prices are net; gross adds `tax_rate`; gift cards pay `gift_card_paid` of it."""
    n = next(_seq)
    goods_net = sum((price * qty for price, qty in lines), Decimal("0"))
    total_gross = (goods_net * (1 + tax_rate)).quantize(Decimal("0.01")) + shipping
    charged = total_gross - gift_card_paid
    order = Order.objects.create(
        installation=installation,
        saleor_id=gid("Order", f"L{n}-{installation.pk}"),
        number=str(5000 + n),
        status="FULFILLED" if fulfilled_at else "UNFULFILLED",
        is_paid=True,
        channel_slug=channel,
        channel_id=gid("Channel", 1),
        currency="USD",
        user_id=user_id,
        user_email=email,
        total_gross=total_gross,
        total_net=goods_net + shipping,
        shipping_gross=shipping,
        shipping_net=shipping,
        total_charged=charged,
        paid_at=NOW,
        placed_at=NOW,
        fulfilled_at=fulfilled_at,
        transactions=[
            {
                "id": gid("TransactionItem", n),
                "psp_reference": "psp",
                "charged": str(charged),
                "refunded": "0",
            }
        ],
    )
    created = []
    for index, (price, qty) in enumerate(lines):
        created.append(
            OrderLine.objects.create(
                order=order,
                saleor_id=gid("OrderLine", f"L{n}-{index}"),
                product_name=f"Product {index}",
                product_id=gid("Product", f"{n}-{index}"),
                product_type_id=product_type_id,
                category_id=category_id,
                quantity=qty,
                quantity_fulfilled=qty if fulfilled_at else 0,
                unit_price_gross=price * (1 + tax_rate),
                unit_price_net=price,
                total_price_gross=(price * qty * (1 + tax_rate)).quantize(Decimal("0.01")),
                total_price_net=price * qty,
            )
        )
    if fulfilled_at:
        fulfill(order, at=fulfilled_at)
    return order


def fulfill(order: Order, *, at: datetime = NOW) -> Order:
    fulfillment = Fulfillment.objects.create(
        order=order,
        saleor_id=gid("Fulfillment", f"{order.pk}-{next(_seq)}"),
        status="FULFILLED",
        fulfilled_at=at,
    )
    for line in order.lines.all():
        FulfillmentLine.objects.create(
            fulfillment=fulfillment,
            saleor_id=gid("FulfillmentLine", f"{line.pk}-{next(_seq)}"),
            order_line=line,
            quantity=line.quantity,
        )
        OrderLine.objects.filter(pk=line.pk).update(quantity_fulfilled=line.quantity)
    Order.objects.filter(pk=order.pk).update(status="FULFILLED", fulfilled_at=at)
    order.refresh_from_db()
    return order


def refund(order: Order, line: OrderLine, quantity: int) -> GrantedRefund:
    return GrantedRefund.objects.create(
        order=order,
        saleor_id=gid("OrderGrantedRefund", f"{order.pk}-{next(_seq)}"),
        status="SUCCESS",
        amount=line.unit_price_gross * quantity,
        lines=[{"order_line_id": line.saleor_id, "quantity": quantity}],
    )


def make_reward(installation, **values) -> Reward:
    values.setdefault("kind", RewardKind.GIFT_CARD)
    values.setdefault("channel_slug", CHANNEL)
    values.setdefault("name_en", "USD 10 gift card")
    values.setdefault("name_zh_hans", "10 美元礼品卡")
    values.setdefault("points_cost", 100)
    values.setdefault("value", Decimal("10"))
    values.setdefault("currency", "USD")
    return actions.save_reward(installation=installation, reward=None, values=values)


def after(days: int) -> datetime:
    return NOW + timedelta(days=days)
