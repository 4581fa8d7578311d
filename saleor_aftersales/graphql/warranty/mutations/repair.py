"""Repair order mutations: transitions, assignment, lines, quote (staff); quote answer, tracking (customer)."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ...returns.access import request_for_requestor
from ..access import center_for, repair_for, repair_line_for, staff, technician_for
from ..types import RepairLine, RepairOrder, RepairOrderTransitionEnum
from .common import enum_value, errors_field


class RepairOrderTransition(BaseMutation):
    repair_order = graphene.Field(RepairOrder)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)
        transition = RepairOrderTransitionEnum(required=True)
        note = graphene.String()

    class Meta:
        description = (
            "Move a repair order along its states (illegal moves: INVALID_TRANSITION). MANAGE_ORDERS."
        )

    @classmethod
    def perform_mutation(cls, root, info, **data):
        repair, actor = repair_for(info, data["id"], staff_only=True)
        repair = actions.transition_repair(
            repair=repair, actor=actor, transition=enum_value(data["transition"]), note=data.get("note") or ""
        )
        return cls(repair_order=repair)


class RepairOrderAssign(BaseMutation):
    repair_order = graphene.Field(RepairOrder)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)
        center_id = graphene.ID(required=True)
        technician_id = graphene.ID()

    class Meta:
        description = "Assign a service center (category, capacity checked) and a technician. MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        repair, actor = repair_for(info, data["id"], staff_only=True)
        center = center_for(repair.installation, data["center_id"])
        technician = (
            technician_for(repair.installation, data["technician_id"]) if data.get("technician_id") else None
        )
        repair = actions.assign_repair(repair=repair, actor=actor, center=center, technician=technician)
        return cls(repair_order=repair)


class RepairLineKindEnum(graphene.Enum):
    PART = "part"
    LABOUR = "labour"


class RepairOrderLineAdd(BaseMutation):
    repair_order = graphene.Field(RepairOrder)
    line = graphene.Field(RepairLine)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)
        kind = RepairLineKindEnum(required=True)
        description = graphene.String(required=True)
        quantity = graphene.Decimal(required=True, description="Units, or hours of labour.")
        unit_cost = graphene.Decimal(required=True)
        covered = graphene.Boolean(description="Covered by the warranty (default: unless a paid repair).")
        sku = graphene.String()

    class Meta:
        description = "Add a part or labour line (Decimal costs, never negative). Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        repair, actor = repair_for(info, data["id"], staff_only=True)
        line = actions.add_repair_line(
            repair=repair,
            actor=actor,
            kind=enum_value(data["kind"]),
            description=data["description"],
            quantity=data["quantity"],
            unit_cost=data["unit_cost"],
            covered=data.get("covered"),
            sku=data.get("sku") or "",
        )
        line.currency = repair.currency
        return cls(repair_order=line.repair_order, line=line)


class RepairOrderLineDelete(BaseMutation):
    repair_order = graphene.Field(RepairOrder)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True, description="The RepairLine id.")

    class Meta:
        description = "Remove a part or labour line. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        installation = staff(info)
        line = repair_line_for(installation, data["id"])
        return cls(repair_order=actions.remove_repair_line(line=line, actor=get_requestor(info).actor))


class RepairOrderQuoteSend(BaseMutation):
    repair_order = graphene.Field(RepairOrder)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)
        amount = graphene.Decimal(description="Default: what the lines charge the customer.")
        note = graphene.String()

    class Meta:
        description = "Ask the customer to accept the quote (after diagnosis). Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        repair, actor = repair_for(info, data["id"], staff_only=True)
        repair = actions.send_quote(
            repair=repair, actor=actor, amount=data.get("amount"), note=data.get("note") or ""
        )
        return cls(repair_order=repair)


class RepairOrderQuoteAccept(BaseMutation):
    repair_order = graphene.Field(RepairOrder)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = (
            "The customer accepts the quote: the repair goes ahead and a draft order to pay is created."
        )

    @classmethod
    def perform_mutation(cls, root, info, **data):
        repair, actor = repair_for(info, data["id"])
        return cls(repair_order=actions.accept_quote(repair=repair, actor=actor))


class RepairOrderQuoteDecline(BaseMutation):
    repair_order = graphene.Field(RepairOrder)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)
        note = graphene.String()

    class Meta:
        description = "The customer declines the quote: the item goes back unrepaired."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        repair, actor = repair_for(info, data["id"])
        return cls(
            repair_order=actions.decline_quote(repair=repair, actor=actor, note=data.get("note") or "")
        )


class RepairTrackingDirectionEnum(graphene.Enum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class RepairOrderSetTracking(BaseMutation):
    repair_order = graphene.Field(RepairOrder)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)
        direction = RepairTrackingDirectionEnum(required=True)
        carrier = graphene.String()
        tracking_number = graphene.String(required=True)

    class Meta:
        description = "Inbound tracking (customer or staff) or outbound tracking (staff)."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        repair, actor = repair_for(info, data["id"])
        repair = actions.set_repair_tracking(
            repair=repair,
            actor=actor,
            direction=enum_value(data["direction"]),
            carrier=data.get("carrier") or "",
            tracking_number=data["tracking_number"],
        )
        return cls(repair_order=repair)


class RepairOrderCreateFromReturn(BaseMutation):
    repair_order = graphene.Field(RepairOrder)
    errors = errors_field()

    class Arguments:
        return_request_id = graphene.ID(required=True)

    class Meta:
        description = "Convert a return into a repair (the return is cancelled). Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        request, actor = request_for_requestor(info, data["return_request_id"], staff_only=True)
        return cls(repair_order=actions.convert_return_to_repair(return_request=request, actor=actor))
