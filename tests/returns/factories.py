"""Scenario builders for returns tests: a paid, fulfilled order in the mirror."""

from __future__ import annotations

import base64
import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from saleor_aftersales.orders.models import Fulfillment, FulfillmentLine, Order, OrderLine

_seq = itertools.count(1)

CUSTOMER_ID = base64.b64encode(b"User:501").decode()
CUSTOMER_EMAIL = "buyer@example.com"
FULFILLED_AT = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)


def gid(kind: str, n) -> str:
    return base64.b64encode(f"{kind}:{n}".encode()).decode()


def make_order(
    installation,
    *,
    lines=((Decimal("50.00"), 2),),
    fulfilled_at: datetime | None = FULFILLED_AT,
    user_id: str = CUSTOMER_ID,
    email: str = CUSTOMER_EMAIL,
    channel: str = "default-channel",
    shipping: Decimal = Decimal("10.00"),
    currency: str = "USD",
    product_type_id: str = "",
    category_id: str = "",
    product_id: str | None = None,
    language: str = "en",
) -> Order:
    n = next(_seq)
    order = Order.objects.create(
        installation=installation,
        saleor_id=gid("Order", f"{n}-{installation.pk}"),
        number=str(1000 + n),
        status="FULFILLED" if fulfilled_at else "UNFULFILLED",
        channel_slug=channel,
        channel_id=gid("Channel", 1),
        currency=currency,
        user_id=user_id,
        user_email=email,
        language_code=language,
        shipping_gross=shipping,
        shipping_net=shipping,
        fulfilled_at=fulfilled_at,
        transactions=[
            {"id": gid("TransactionItem", n), "psp_reference": "psp", "charged": "999.00", "refunded": "0"}
        ],
    )
    created = []
    for index, (price, qty) in enumerate(lines):
        created.append(
            OrderLine.objects.create(
                order=order,
                saleor_id=gid("OrderLine", f"{n}-{index}"),
                product_name=f"Product {index}",
                variant_id=gid("ProductVariant", f"{n}-{index}"),
                product_id=product_id if product_id is not None else gid("Product", f"{n}-{index}"),
                product_type_id=product_type_id,
                category_id=category_id,
                quantity=qty,
                quantity_fulfilled=qty if fulfilled_at else 0,
                unit_price_gross=price,
                unit_price_net=price,
                total_price_gross=price * qty,
                total_price_net=price * qty,
            )
        )
    if fulfilled_at:
        fulfillment = Fulfillment.objects.create(
            order=order, saleor_id=gid("Fulfillment", n), status="FULFILLED", fulfilled_at=fulfilled_at
        )
        for index, line in enumerate(created):
            FulfillmentLine.objects.create(
                fulfillment=fulfillment,
                saleor_id=gid("FulfillmentLine", f"{n}-{index}"),
                order_line=line,
                quantity=line.quantity,
            )
    return order


def in_window(days: int = 3) -> datetime:
    return FULFILLED_AT + timedelta(days=days)
