"""Resolutions that ask for feedback: notification events of returns and warranty, registered on the
notifications registry (the service capability calls `actions.request_survey` itself for cases).

The subject comes from the notification (`subject_type`, `subject_id`, recipient, language); the reference is
the context's `reference`. Events of repair status count only when the status is a final one.
"""

from __future__ import annotations

from ..core.actors import Actor
from ..notifications.registry import NotificationEvent, on_event
from . import actions
from .models import SubjectType

RESOLUTION_EVENTS: dict[str, str] = {
    "return_refunded": SubjectType.RETURN_REQUEST,
    "return_resolved": SubjectType.RETURN_REQUEST,
    "claim_decided": SubjectType.WARRANTY_CLAIM,
    "claim_resolved": SubjectType.WARRANTY_CLAIM,
    "repair_completed": SubjectType.REPAIR_ORDER,
    "repair_status_changed": SubjectType.REPAIR_ORDER,
    "case_resolved": SubjectType.SERVICE_CASE,
    # The warranty capability's own event names.
    "warranty_claim_decided": SubjectType.WARRANTY_CLAIM,
    "warranty_repair_shipped": SubjectType.REPAIR_ORDER,
}
# A claim decided as a repair is not over yet: its repair order asks for feedback when the item ships back.
CLAIM_DECISIONS_STILL_OPEN = {"repair", "paid_repair"}
FINAL_REPAIR_STATUSES = {"completed", "repaired", "returned", "shipped_back", "closed", "delivered"}


@on_event(*RESOLUTION_EVENTS)
def ask_for_feedback(event: NotificationEvent) -> None:
    subject_type = event.subject_type or RESOLUTION_EVENTS[event.event]
    if subject_type not in SubjectType.values:
        return
    decision = str(event.context.get("decision", "")).lower()
    if event.event == "warranty_claim_decided" and decision in CLAIM_DECISIONS_STILL_OPEN:
        return
    if event.event == "repair_status_changed":
        status = str(event.context.get("status", "")).lower()
        if status not in FINAL_REPAIR_STATUSES:
            return
    actions.request_survey(
        installation=event.installation,
        subject_type=subject_type,
        subject_id=event.subject_id,
        customer_email=event.recipient_email,
        language=event.language,
        actor=Actor.system("surveys"),
        reference=str(event.context.get("reference") or ""),
        customer_user_id=str(event.context.get("customer_user_id") or ""),
    )
