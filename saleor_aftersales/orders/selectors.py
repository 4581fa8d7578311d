"""Reads of the order mirror."""

from __future__ import annotations

from django.db.models import QuerySet

from ..installations.models import Installation
from .models import Order


def orders_for(installation: Installation) -> QuerySet[Order]:
    return Order.objects.filter(installation=installation)


def order_by_saleor_id(installation: Installation, saleor_id: str) -> Order | None:
    return orders_for(installation).filter(saleor_id=saleor_id).first()


def order_for_guest(installation: Installation, *, number: str, email: str) -> Order | None:
    """A guest proves ownership with the order number and the email it was placed with."""
    return (
        orders_for(installation).filter(number=str(number).strip(), user_email__iexact=email.strip()).first()
    )


def customer_owns_order(order: Order, *, user_id: str, email: str) -> bool:
    if order.user_id and user_id:
        return order.user_id == user_id
    return bool(email) and order.user_email.lower() == email.lower()


def fulfilled_quantities(order: Order) -> dict[int, int]:
    """{order line pk: units fulfilled} counting only live fulfillments (not cancelled or returned)."""
    result: dict[int, int] = {}
    for fulfillment in order.fulfillments.all():
        if fulfillment.status != "FULFILLED":
            continue
        for line in fulfillment.lines.all():
            result[line.order_line_id] = result.get(line.order_line_id, 0) + line.quantity
    return result
