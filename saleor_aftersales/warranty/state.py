"""The state machines of warranty claims and repair orders, declared once. Only `apply_*` assign `status`."""

from __future__ import annotations

from ..core.actors import Actor
from ..core.errors import DomainError
from .models import ClaimStatus as C
from .models import RepairStatus as R
from .models import WarrantyStatus as W

# transition name -> (allowed source states, target state)
CLAIM_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "decide_repair": ((C.SUBMITTED,), C.IN_REPAIR),
    "offer_paid_repair": ((C.SUBMITTED,), C.IN_REPAIR),
    # From a repair too: an unrepairable item is replaced or refunded.
    "decide_replace": ((C.SUBMITTED, C.IN_REPAIR), C.SETTLING),
    "decide_refund": ((C.SUBMITTED, C.IN_REPAIR), C.SETTLING),
    "reject": ((C.SUBMITTED,), C.REJECTED),
    "cancel": ((C.SUBMITTED,), C.CANCELLED),
    "complete_repair": ((C.IN_REPAIR,), C.RESOLVED),
    "decline_quote": ((C.IN_REPAIR,), C.CLOSED),
    # The repair was cancelled, or a paid repair proved impossible.
    "close": ((C.IN_REPAIR,), C.CLOSED),
    "settle": ((C.SETTLING,), C.RESOLVED),
    "fail_settlement": ((C.SETTLING,), C.SETTLEMENT_FAILED),
    "retry_settlement": ((C.SETTLEMENT_FAILED,), C.SETTLING),
}
CLAIM_TERMINAL = (C.RESOLVED, C.REJECTED, C.CANCELLED, C.CLOSED)
CLAIM_OPEN = tuple(s for s in C.values if s not in CLAIM_TERMINAL)

REPAIR_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "receive": ((R.AWAITING_ITEM,), R.RECEIVED),
    "diagnose": ((R.RECEIVED,), R.DIAGNOSING),
    "request_approval": ((R.DIAGNOSING,), R.AWAITING_APPROVAL),
    "approve_quote": ((R.AWAITING_APPROVAL,), R.REPAIRING),
    "decline_quote": ((R.AWAITING_APPROVAL,), R.CANCELLED),
    "wait_for_parts": ((R.DIAGNOSING, R.REPAIRING), R.AWAITING_PARTS),
    "start_repair": ((R.DIAGNOSING, R.AWAITING_PARTS), R.REPAIRING),
    "quality_check": ((R.REPAIRING,), R.QUALITY_CHECK),
    "fail_quality_check": ((R.QUALITY_CHECK,), R.REPAIRING),
    "ship_back": ((R.QUALITY_CHECK,), R.SHIPPED_BACK),
    "complete": ((R.SHIPPED_BACK,), R.COMPLETED),
    "cancel": ((R.AWAITING_ITEM, R.RECEIVED, R.DIAGNOSING, R.AWAITING_APPROVAL), R.CANCELLED),
    "mark_unrepairable": ((R.DIAGNOSING, R.AWAITING_PARTS, R.REPAIRING, R.QUALITY_CHECK), R.UNREPAIRABLE),
}
REPAIR_TERMINAL = (R.COMPLETED, R.CANCELLED, R.UNREPAIRABLE)
REPAIR_OPEN = tuple(s for s in R.values if s not in REPAIR_TERMINAL)
# Transitions staff trigger with repairOrderTransition (quotes are answered by the customer).
STAFF_REPAIR_TRANSITIONS = tuple(
    name for name in REPAIR_TRANSITIONS if name not in ("request_approval", "approve_quote", "decline_quote")
)

WARRANTY_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "verify": ((W.PENDING_VERIFICATION,), W.ACTIVE),
    "reject_registration": ((W.PENDING_VERIFICATION,), W.REJECTED),
    "void": ((W.ACTIVE, W.PENDING_VERIFICATION), W.VOIDED),
}


def _ensure(table, obj, name: str, label: str) -> tuple[str, str]:
    if name not in table:
        raise DomainError("INVALID_TRANSITION", f"Unknown transition '{name}'.", "transition")
    sources, target = table[name]
    if obj.status not in sources:
        raise DomainError(
            "INVALID_TRANSITION", f"A {label} that is {obj.status} cannot be moved by '{name}'.", "status"
        )
    return obj.status, target


def can_claim(claim, name: str) -> bool:
    return claim.status in CLAIM_TRANSITIONS[name][0]


def can_repair(repair, name: str) -> bool:
    return repair.status in REPAIR_TRANSITIONS[name][0]


def ensure_claim(claim, name: str) -> None:
    _ensure(CLAIM_TRANSITIONS, claim, name, "claim")


def ensure_repair(repair, name: str) -> None:
    _ensure(REPAIR_TRANSITIONS, repair, name, "repair order")


def _apply(table, obj, name, *, actor, note, data, label, record):
    previous, target = _ensure(table, obj, name, label)
    obj.status = target
    obj.save(update_fields=["status", "updated_at"])
    return record(obj, type=name, actor=actor, from_status=previous, to_status=target, note=note, data=data)


def apply_claim_transition(claim, name: str, *, actor: Actor, note: str = "", data: dict | None = None):
    from .events import record_claim_event

    return _apply(
        CLAIM_TRANSITIONS,
        claim,
        name,
        actor=actor,
        note=note,
        data=data,
        label="claim",
        record=record_claim_event,
    )


def apply_repair_transition(repair, name: str, *, actor: Actor, note: str = "", data: dict | None = None):
    from .events import record_repair_event

    return _apply(
        REPAIR_TRANSITIONS,
        repair,
        name,
        actor=actor,
        note=note,
        data=data,
        label="repair order",
        record=record_repair_event,
    )


def apply_warranty_transition(warranty, name: str, *, actor: Actor, note: str = "", data: dict | None = None):
    from .events import record_warranty_event

    return _apply(
        WARRANTY_TRANSITIONS,
        warranty,
        name,
        actor=actor,
        note=note,
        data=data,
        label="warranty",
        record=record_warranty_event,
    )
