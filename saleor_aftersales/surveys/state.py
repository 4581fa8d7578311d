"""The state machine of a survey, declared once. Only `apply_transition` assigns `status`."""

from __future__ import annotations

from ..core.actors import Actor
from ..core.errors import DomainError
from . import error_codes
from .events import record_event
from .models import Survey, SurveyEvent
from .models import SurveyStatus as S

TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "complete": ((S.REQUESTED,), S.COMPLETED),
    "expire": ((S.REQUESTED,), S.EXPIRED),
    "reopen": ((S.EXPIRED,), S.REQUESTED),  # staff re-sent the link
}


def check_transition(survey: Survey, name: str) -> str:
    sources, target = TRANSITIONS[name]
    if survey.status not in sources:
        if survey.status == S.COMPLETED:
            raise DomainError(
                error_codes.ALREADY_ANSWERED, "This survey has been answered already.", "survey"
            )
        if survey.status == S.EXPIRED:
            raise DomainError(error_codes.EXPIRED, "This survey has expired.", "survey")
        raise DomainError("INVALID_TRANSITION", f"A {survey.status} survey cannot '{name}'.", "survey")
    return target


def apply_transition(
    survey: Survey, name: str, *, actor: Actor, note: str = "", data: dict | None = None
) -> SurveyEvent:
    """Move the survey and write the timeline row. Caller holds the row lock."""
    target = check_transition(survey, name)
    source = survey.status
    survey.status = str(target)
    survey.save(update_fields=["status", "completed_at", "updated_at"])
    return record_event(
        survey, type=name, actor=actor, from_status=source, to_status=target, note=note, data=data
    )
