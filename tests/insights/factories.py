"""Builders for insights tests: orders in the mirror, return requests with exact timestamps, SLA clocks."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from saleor_aftersales.core.ids import to_global_id
from saleor_aftersales.orders.models import Fulfillment, FulfillmentLine, Order, OrderLine
from saleor_aftersales.returns.models import ReturnLine, ReturnRequest, ReturnWindow

_seq = itertools.count(1)


def at(day: int, hour: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


TODAY = at(20, 12)  # "now" of the hand-computed fixtures


def order(
    installation,
    *,
    lines,
    fulfilled_at: datetime | None,
    channel: str = "web",
    currency: str = "USD",
    shipping: Decimal = Decimal("10.00"),
    email: str = "buyer@example.com",
    user_id: str = "",
) -> tuple[Order, list[OrderLine]]:
    """lines: [(variant, product, category, unit price, quantity)] or with a 6th item: product_attributes."""
    n = next(_seq)
    created = Order.objects.create(
        installation=installation,
        saleor_id=to_global_id("Order", f"ins-{n}"),
        number=str(5000 + n),
        status="FULFILLED" if fulfilled_at else "UNFULFILLED",
        channel_slug=channel,
        currency=currency,
        user_email=email,
        user_id=user_id,
        shipping_gross=shipping,
        fulfilled_at=fulfilled_at,
    )
    order_lines = []
    for index, spec in enumerate(lines):
        variant, product, category, price, quantity = spec[:5]
        attributes = spec[5] if len(spec) > 5 else {}
        order_lines.append(
            OrderLine.objects.create(
                order=created,
                saleor_id=to_global_id("OrderLine", f"ins-{n}-{index}"),
                product_name=f"Product {product}",
                variant_name=f"Variant {variant}",
                sku=f"SKU-{variant}",
                variant_id=variant,
                product_id=product,
                category_id=category,
                category_name=f"Category {category}",
                product_attributes=attributes,
                quantity=quantity,
                quantity_fulfilled=quantity if fulfilled_at else 0,
                unit_price_gross=Decimal(price),
                unit_price_net=Decimal(price),
                total_price_gross=Decimal(price) * quantity,
                total_price_net=Decimal(price) * quantity,
            )
        )
    if fulfilled_at:
        fulfillment = Fulfillment.objects.create(
            order=created,
            saleor_id=to_global_id("Fulfillment", n),
            status="FULFILLED",
            fulfilled_at=fulfilled_at,
        )
        for index, line in enumerate(order_lines):
            FulfillmentLine.objects.create(
                fulfillment=fulfillment,
                saleor_id=to_global_id("FulfillmentLine", f"{n}-{index}"),
                order_line=line,
                quantity=line.quantity,
            )
            ReturnWindow.objects.create(order_line=line, fulfilled_at=fulfilled_at)
    return created, order_lines


def return_request(
    installation,
    order: Order,
    *,
    created_at: datetime,
    lines,
    status: str,
    resolution: str = "refund",
    kind: str = "return",
    decided_after_hours: float | None = None,
    received_after_hours: float | None = None,
    resolved_after_hours: float | None = None,
    refund_amount: Decimal = Decimal("0"),
    store_credit_amount: Decimal = Decimal("0"),
    auto_approved: bool = False,
    comment: str = "",
) -> ReturnRequest:
    """lines: [(order line, quantity, reason code, reason category, approved quantity)]."""
    n = next(_seq)

    def after(hours):
        return created_at + timedelta(hours=hours) if hours is not None else None

    request = ReturnRequest.objects.create(
        installation=installation,
        number=f"RMA-T{n:05d}",
        kind=kind,
        status=status,
        order=order,
        channel_slug=order.channel_slug,
        currency=order.currency,
        customer_user_id=order.user_id,
        customer_email=order.user_email,
        resolution=resolution,
        customer_comment=comment,
        auto_approved=auto_approved,
        refund_amount=refund_amount,
        store_credit_amount=store_credit_amount,
        decided_at=after(decided_after_hours),
        received_at=after(received_after_hours),
        resolved_at=after(resolved_after_hours),
    )
    ReturnRequest.objects.filter(pk=request.pk).update(created_at=created_at)
    request.refresh_from_db()
    for order_line, quantity, code, category, approved in lines:
        ReturnLine.objects.create(
            request=request,
            order_line=order_line,
            quantity=quantity,
            reason_code=code,
            reason_category=category,
            approved_quantity=approved,
            received_quantity=approved if received_after_hours is not None else 0,
            comment=comment,
        )
    return request
