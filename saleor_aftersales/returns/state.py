"""The state machine of a return request, declared once. Only `apply_transition` assigns `status`."""

from __future__ import annotations

from ..core.actors import Actor
from ..core.errors import DomainError
from .models import ReturnRequest
from .models import ReturnStatus as S

OPEN_BEFORE_SHIPMENT = (S.REQUESTED, S.APPROVED, S.PARTIALLY_APPROVED)
AWAITING_RETURN = (S.APPROVED, S.PARTIALLY_APPROVED, S.IN_TRANSIT, S.PARTIALLY_RECEIVED)

# transition name -> (allowed source states, target state)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "approve": ((S.REQUESTED,), S.APPROVED),
    "approve_partially": ((S.REQUESTED,), S.PARTIALLY_APPROVED),
    "reject": ((S.REQUESTED,), S.REJECTED),
    "cancel": (OPEN_BEFORE_SHIPMENT, S.CANCELLED),
    "ship": ((S.APPROVED, S.PARTIALLY_APPROVED), S.IN_TRANSIT),
    "receive_partially": (AWAITING_RETURN, S.PARTIALLY_RECEIVED),
    "receive": (AWAITING_RETURN, S.RECEIVED),
    "inspect": ((S.RECEIVED, S.PARTIALLY_RECEIVED), S.INSPECTED),
    # Claims (no return) go from the decision straight to settlement; `actions` checks the kind.
    "resolve": ((S.INSPECTED, S.APPROVED, S.PARTIALLY_APPROVED), S.RESOLVING),
    "settle": ((S.RESOLVING,), S.RESOLVED),
    "fail_settlement": ((S.RESOLVING,), S.SETTLEMENT_FAILED),
    "retry_settlement": ((S.SETTLEMENT_FAILED,), S.RESOLVING),
    # Saleor closed the matter (order cancelled or refunded outside the app).
    "close": (
        (
            S.REQUESTED,
            S.APPROVED,
            S.PARTIALLY_APPROVED,
            S.IN_TRANSIT,
            S.PARTIALLY_RECEIVED,
            S.RECEIVED,
            S.INSPECTED,
        ),
        S.CLOSED,
    ),
}

TERMINAL = (S.REJECTED, S.CANCELLED, S.RESOLVED, S.CLOSED)
OPEN = tuple(s for s in S.values if s not in TERMINAL)


def can(request: ReturnRequest, name: str) -> bool:
    sources, _target = TRANSITIONS[name]
    return request.status in sources


def ensure_can(request: ReturnRequest, name: str) -> None:
    if not can(request, name):
        raise DomainError(
            "INVALID_TRANSITION", f"A request that is {request.status} cannot be moved by '{name}'.", "status"
        )


def apply_transition(
    request: ReturnRequest, name: str, *, actor: Actor, note: str = "", data: dict | None = None
):
    """Move the request and write the timeline row; raise INVALID_TRANSITION otherwise. Caller holds the row lock."""
    from .events import record_event

    ensure_can(request, name)
    _sources, target = TRANSITIONS[name]
    previous = request.status
    request.status = target
    request.save(update_fields=["status", "updated_at"])
    return record_event(
        request, type=name, actor=actor, from_status=previous, to_status=target, note=note, data=data
    )
