"""Guests (no account) prove an order by its number and the email it was placed with.

Shared by returns, warranties and service cases. Every attempt counts against one rate limit per client address
and per email (the same buckets for every capability, so guesses cannot be spread across them); a wrong number or
email answers like an order that does not exist.
"""

from __future__ import annotations

from ...core.actors import Actor, ActorType
from ...core.errors import NotFoundError, PermissionDeniedError
from ...core.ratelimit import enforce
from ...orders.models import Order
from ...orders.selectors import order_for_guest

GUEST_RATE = "10/minute"


def _client_ip(info) -> str:
    return info.context.META.get("REMOTE_ADDR", "")


def guard_guest(info, installation, email: str) -> None:
    """Guests prove ownership by knowing an email: limit guesses per address and per client."""
    enforce(GUEST_RATE, "returns-guest-ip", str(installation.pk), _client_ip(info))
    enforce(GUEST_RATE, "returns-guest-email", str(installation.pk), (email or "").lower())


def has_proof(order_number: str | None, email: str | None) -> bool:
    return bool((order_number or "").strip() or (email or "").strip())


def proven_order(
    info, installation, *, order_number: str | None, email: str | None, field: str = "orderNumber"
) -> Order:
    """The order a guest proves (rate limited); PermissionDenied without a proof, NotFound for a wrong one."""
    order_number = (order_number or "").strip()
    email = (email or "").strip()
    if not order_number or not email:
        raise PermissionDeniedError(
            "Sign in, or give the order number and the email used for the order.",
            "email" if order_number else "orderNumber",
        )
    guard_guest(info, installation, email)
    order = order_for_guest(installation, number=order_number, email=email)
    if order is None:
        raise NotFoundError("No order with this number and email.", field)
    return order


def guest_actor(order: Order) -> Actor:
    """A guest acts as the order's email and may touch only what belongs to that order."""
    return Actor(type=ActorType.GUEST, email=order.user_email, order_pk=order.pk)
