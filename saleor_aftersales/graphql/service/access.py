"""Who may see or act on which case: customers their own; staff with MANAGE_ORDERS (export/erase: MANAGE_USERS)."""

from __future__ import annotations

from ...core.actors import Actor
from ...core.errors import NotFoundError, PermissionDeniedError
from ...core.ids import from_global_id
from ...installations.permissions import SaleorPermission
from ...service.contact import owns_case
from ...service.models import ServiceCase
from ..core.context import get_requestor
from ..core.guests import guest_actor, has_proof, proven_order


def pk_of(global_id: str, type_name: str, field: str) -> int:
    try:
        kind, pk = from_global_id(global_id)
        if kind != type_name:
            raise ValueError(kind)
        return int(pk)
    except ValueError:
        raise NotFoundError(f"Unknown {type_name}.", field) from None


def case_for_requestor(
    info,
    case_id: str,
    *,
    staff_only: bool = False,
    order_number: str | None = None,
    email: str | None = None,
) -> tuple[ServiceCase, Actor]:
    """Staff, the signed-in customer of the case, or a guest proving the case's order (`order_number` + `email`)."""
    requestor = get_requestor(info)
    installation = requestor.require_installation()
    pk = pk_of(case_id, "ServiceCase", "id")
    case = (
        ServiceCase.objects.select_related("installation", "last_message", "last_public_message")
        .filter(installation=installation, pk=pk)
        .first()
    )
    if requestor.is_staff:
        requestor.require_staff(SaleorPermission.MANAGE_ORDERS)
        if case is None:
            raise NotFoundError("Unknown service case.", "id")
        return case, requestor.actor
    if staff_only:
        raise PermissionDeniedError("Staff only.")
    if not requestor.is_customer and has_proof(order_number, email):
        return _guest_case(info, installation, case, order_number=order_number, email=email)
    if not requestor.is_customer:
        raise PermissionDeniedError("Sign in to see your cases.")
    actor = requestor.actor
    # Same answer for "not yours" and "does not exist": ids must not be probed.
    if case is None or not owns_case(case, user_id=actor.user_id, email=actor.email):
        raise NotFoundError("Unknown service case.", "id")
    return case, actor


def _guest_case(info, installation, case, *, order_number, email) -> tuple[ServiceCase, Actor]:
    """A guest's case: linked to the order they prove and opened for its email. A wrong number or email, a case of
    another order and a case that does not exist all answer the same NOT_FOUND (nothing can be probed)."""
    try:
        order = proven_order(info, installation, order_number=order_number, email=email)
    except NotFoundError:
        raise NotFoundError("Unknown service case.", "id") from None
    actor = guest_actor(order)
    if case is None or case.order_id != order.pk or not owns_case(case, user_id="", email=actor.email):
        raise NotFoundError("Unknown service case.", "id")
    return case, actor
