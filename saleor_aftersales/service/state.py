"""The state machine of a service case, declared once. Only `apply_transition` assigns `status`."""

from __future__ import annotations

from ..core.actors import Actor
from ..core.errors import DomainError
from .models import CaseStatus as S
from .models import ServiceCase

ACTIVE = (S.NEW, S.OPEN, S.WAITING_ON_CUSTOMER)

# transition name -> (allowed source states, target state)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "open": ((S.NEW,), S.OPEN),
    "wait_on_customer": ((S.NEW, S.OPEN), S.WAITING_ON_CUSTOMER),
    "customer_replied": ((S.WAITING_ON_CUSTOMER,), S.OPEN),
    "resolve": (ACTIVE, S.RESOLVED),
    "close": ((*ACTIVE, S.RESOLVED), S.CLOSED),
    "reopen": ((S.RESOLVED, S.CLOSED), S.OPEN),
}

TERMINAL = (S.CLOSED,)
# What staff may ask for directly (serviceCaseTransition); "customer_replied" happens on a customer message.
STAFF_TRANSITIONS = ("open", "wait_on_customer", "resolve", "close", "reopen")


def can(case: ServiceCase, name: str) -> bool:
    sources, _target = TRANSITIONS[name]
    return case.status in sources


def ensure_can(case: ServiceCase, name: str) -> None:
    if name not in TRANSITIONS:
        raise DomainError("INVALID_TRANSITION", f"Unknown transition {name!r}.", "transition")
    if not can(case, name):
        raise DomainError(
            "INVALID_TRANSITION", f"A case that is {case.status} cannot be moved by '{name}'.", "status"
        )


def apply_transition(case: ServiceCase, name: str, *, actor: Actor, note: str = "", data: dict | None = None):
    """Move the case and write the timeline row; raise INVALID_TRANSITION otherwise. Caller holds the row lock."""
    from .events import record_event

    ensure_can(case, name)
    _sources, target = TRANSITIONS[name]
    previous = case.status
    case.status = target
    case.save(update_fields=["status", "updated_at"])
    return record_event(
        case, type=name, actor=actor, from_status=previous, to_status=target, note=note, data=data
    )
