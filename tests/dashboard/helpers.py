"""Builders for Dashboard tests: return requests in the mirror, made through the returns actions."""

from __future__ import annotations

from saleor_aftersales.core.actors import Actor, ActorType
from saleor_aftersales.returns import actions
from saleor_aftersales.returns.actions import LineInput
from tests.returns.factories import CUSTOMER_EMAIL, CUSTOMER_ID, in_window, make_order

CUSTOMER = Actor(type=ActorType.CUSTOMER, user_id=CUSTOMER_ID, email=CUSTOMER_EMAIL)


def make_return(installation, *, order=None):
    order = order or make_order(installation)
    line = order.lines.first()
    return actions.create_return_request(
        order=order,
        actor=CUSTOMER,
        lines=[LineInput(order_line_id=line.pk, quantity=1, reason_code="wrong-size")],
        resolution="refund",
        now=in_window(3),
    )
