"""Who may see or act on which order / return request (customers: their own; guests: number + email)."""

from __future__ import annotations

from ...core.actors import Actor, ActorType
from ...core.errors import NotFoundError, PermissionDeniedError
from ...core.ids import from_global_id
from ...installations.permissions import SaleorPermission
from ...orders.models import Order
from ...orders.selectors import customer_owns_order, order_by_saleor_id
from ...returns.models import ReturnRequest
from ...returns.selectors import customer_owns_request
from ..core.context import get_requestor
from ..core.guests import GUEST_RATE, guard_guest, guest_actor, proven_order

__all__ = ["GUEST_RATE", "guard_guest", "order_for_requestor", "pk_of", "request_for_requestor"]


def pk_of(global_id: str, type_name: str, field: str) -> int:
    try:
        kind, pk = from_global_id(global_id)
        if kind != type_name:
            raise ValueError(kind)
        return int(pk)
    except ValueError:
        raise NotFoundError(f"Unknown {type_name}.", field) from None


def order_for_requestor(
    info, *, order_id: str | None, order_number: str | None, email: str | None
) -> tuple[Order, Actor]:
    requestor = get_requestor(info)
    installation = requestor.require_installation()
    if requestor.is_staff:
        requestor.require_staff(SaleorPermission.MANAGE_ORDERS)
        order = order_by_saleor_id(installation, order_id or "")
        if order is None:
            raise NotFoundError("Unknown order.", "orderId")
        return order, requestor.actor
    if requestor.is_customer and order_id:
        order = order_by_saleor_id(installation, order_id)
        actor = requestor.actor
        if order is None or not customer_owns_order(order, user_id=actor.user_id, email=actor.email):
            # Same answer for "not yours" and "does not exist": ids must not be probed.
            raise NotFoundError("Unknown order.", "orderId")
        return order, actor
    if not order_number or not email:
        raise PermissionDeniedError(
            "Sign in, or give the order number and the email used for the order.", "email"
        )
    order = proven_order(info, installation, order_number=order_number, email=email)
    if requestor.is_customer:
        return order, requestor.actor
    return order, guest_actor(order)


def request_for_requestor(
    info, request_id: str, email: str | None = None, *, staff_only: bool = False
) -> tuple[ReturnRequest, Actor]:
    requestor = get_requestor(info)
    installation = requestor.require_installation()
    pk = pk_of(request_id, "ReturnRequest", "id")
    request = (
        ReturnRequest.objects.select_related("order", "installation")
        .filter(installation=installation, pk=pk)
        .first()
    )
    if requestor.is_staff:
        requestor.require_staff(SaleorPermission.MANAGE_ORDERS)
        if request is None:
            raise NotFoundError("Unknown return request.", "id")
        return request, requestor.actor
    if staff_only:
        raise PermissionDeniedError("Staff only.")
    if requestor.is_customer:
        actor = requestor.actor
        if request is None or not customer_owns_request(request, user_id=actor.user_id, email=actor.email):
            raise NotFoundError("Unknown return request.", "id")
        return request, actor
    if not email:
        raise PermissionDeniedError("Sign in, or give the email used for the order.", "email")
    guard_guest(info, installation, email)
    if request is None or request.customer_email.lower() != email.strip().lower():
        raise NotFoundError("Unknown return request.", "id")
    return request, Actor(type=ActorType.GUEST, email=request.customer_email)
