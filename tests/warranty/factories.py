"""Scenario builders for warranty tests: a fulfilled order in the mirror with its warranties registered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from saleor_aftersales.core.actors import Actor, ActorType
from saleor_aftersales.warranty import actions
from saleor_aftersales.warranty.models import Warranty

from ..returns.factories import CUSTOMER_EMAIL, CUSTOMER_ID, FULFILLED_AT, gid, make_order

CUSTOMER = Actor(type=ActorType.CUSTOMER, user_id=CUSTOMER_ID, email=CUSTOMER_EMAIL)
OTHER = Actor(type=ActorType.CUSTOMER, user_id=gid("User", 777), email="other@example.com")
STAFF = Actor(
    type=ActorType.STAFF,
    user_id=gid("User", 900),
    email="staff@example.com",
    permissions=frozenset({"MANAGE_ORDERS"}),
)
SHOES_TYPE = gid("ProductType", "shoes")
SHOES_CATEGORY = gid("Category", "shoes")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
NOW = FULFILLED_AT + timedelta(days=30)


def shoe_order(installation, *, lines=((Decimal("120.00"), 1),), **kwargs):
    order = make_order(
        installation, lines=lines, product_type_id=SHOES_TYPE, category_id=SHOES_CATEGORY, **kwargs
    )
    order.lines.update(product_type_name="Leather shoes", category_name="Shoes")
    return order


def registered(installation, **kwargs) -> list[Warranty]:
    order = shoe_order(installation, **kwargs)
    actions.register_order_warranties(order=order)
    return list(Warranty.objects.filter(order=order).order_by("id"))


def png(name="photo.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PNG, content_type="image/png")


__all__ = ["CUSTOMER_EMAIL", "CUSTOMER_ID", "FULFILLED_AT", "UTC", "datetime", "gid"]
