"""Who may see or act on which warranty, claim or repair order (customers: their own; staff: MANAGE_ORDERS)."""

from __future__ import annotations

from ...core.actors import Actor
from ...core.errors import NotFoundError, PermissionDeniedError
from ...core.ids import from_global_id
from ...installations.permissions import SaleorPermission
from ...warranty import selectors
from ...warranty.models import RepairLine, RepairOrder, ServiceCenter, Technician, Warranty, WarrantyClaim
from ..core.context import get_requestor
from ..core.guests import guest_actor, has_proof, proven_order


def pk_of(global_id: str, type_name: str, field: str) -> int:
    try:
        kind, pk = from_global_id(global_id or "")
        if kind != type_name:
            raise ValueError(kind)
        return int(pk)
    except ValueError:
        raise NotFoundError(f"Unknown {type_name}.", field) from None


def staff(info):
    return get_requestor(info).require_staff(SaleorPermission.MANAGE_ORDERS)


def _row_for(
    info,
    model,
    type_name: str,
    global_id: str,
    field: str,
    *,
    staff_only: bool,
    related=(),
    order_number: str | None = None,
    email: str | None = None,
):
    requestor = get_requestor(info)
    installation = requestor.require_installation()
    pk = pk_of(global_id, type_name, field)
    row = model.objects.filter(installation=installation, pk=pk).select_related(*related).first()
    if requestor.is_staff:
        requestor.require_staff(SaleorPermission.MANAGE_ORDERS)
        if row is None:
            raise NotFoundError(f"Unknown {type_name}.", field)
        return row, requestor.actor
    if not staff_only and not requestor.is_customer and has_proof(order_number, email):
        return _guest_row(info, installation, row, type_name, field, order_number=order_number, email=email)
    if staff_only or not requestor.is_customer:
        raise PermissionDeniedError("Sign in as the owner, or as staff with MANAGE_ORDERS.")
    actor: Actor = requestor.actor
    if row is None or not selectors.owns(row, user_id=actor.user_id, email=actor.email):
        # Same answer for "not yours" and "does not exist": ids must not be probed.
        raise NotFoundError(f"Unknown {type_name}.", field)
    return row, actor


def _guest_row(info, installation, row, type_name: str, field: str, *, order_number, email):
    """A guest's row: it must stem from the order they prove. A wrong number or email, another order's row and a
    row that does not exist all answer the same NOT_FOUND (nothing can be probed)."""
    try:
        order = proven_order(info, installation, order_number=order_number, email=email)
    except NotFoundError:
        raise NotFoundError(f"Unknown {type_name}.", field) from None
    actor = guest_actor(order)
    if (
        row is None
        or selectors.order_pk_of(row) != order.pk
        or not selectors.owns(row, user_id="", email=actor.email)
    ):
        raise NotFoundError(f"Unknown {type_name}.", field)
    return row, actor


def warranty_for(
    info,
    global_id: str,
    field: str = "id",
    *,
    staff_only: bool = False,
    order_number: str | None = None,
    email: str | None = None,
):
    """Staff, the signed-in owner, or a guest proving the warranty's order (`order_number` + `email`)."""
    return _row_for(
        info,
        Warranty,
        "Warranty",
        global_id,
        field,
        staff_only=staff_only,
        related=("order", "order_line"),
        order_number=order_number,
        email=email,
    )


def claim_for(
    info,
    global_id: str,
    field: str = "id",
    *,
    staff_only: bool = False,
    order_number: str | None = None,
    email: str | None = None,
):
    return _row_for(
        info,
        WarrantyClaim,
        "WarrantyClaim",
        global_id,
        field,
        staff_only=staff_only,
        related=("warranty",),
        order_number=order_number,
        email=email,
    )


def repair_for(info, global_id: str, field: str = "id", *, staff_only: bool = False):
    return _row_for(info, RepairOrder, "RepairOrder", global_id, field, staff_only=staff_only)


def center_for(installation, global_id: str, field: str = "centerId") -> ServiceCenter:
    row = ServiceCenter.objects.filter(
        installation=installation, pk=pk_of(global_id, "ServiceCenter", field)
    ).first()
    if row is None:
        raise NotFoundError("Unknown service center.", field)
    return row


def technician_for(installation, global_id: str, field: str = "technicianId") -> Technician:
    row = Technician.objects.filter(
        installation=installation, pk=pk_of(global_id, "Technician", field)
    ).first()
    if row is None:
        raise NotFoundError("Unknown technician.", field)
    return row


def repair_line_for(installation, global_id: str, field: str = "id") -> RepairLine:
    row = (
        RepairLine.objects.filter(
            repair_order__installation=installation, pk=pk_of(global_id, "RepairLine", field)
        )
        .select_related("repair_order")
        .first()
    )
    if row is None:
        raise NotFoundError("Unknown repair line.", field)
    return row
