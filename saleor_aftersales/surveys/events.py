"""Timeline rows of a survey, and the merchant-webhook events the capability publishes."""

from __future__ import annotations

from ..core.actors import Actor
from .models import Survey, SurveyEvent

REQUESTED = "requested"
RESENT = "resent"
POINTS_AWARDED = "points_awarded"
FOLLOW_UP_OPENED = "follow_up_opened"
FOLLOW_UP_FAILED = "follow_up_failed"

# Webhook-only events (no customer email): endpoints may subscribe to them.
SURVEY_COMPLETED = "survey_completed"
SURVEY_LOW_SCORE = "survey_low_score"
WEBHOOK_EVENTS = (SURVEY_COMPLETED, SURVEY_LOW_SCORE)


def record_event(
    survey: Survey,
    *,
    type: str,
    actor: Actor,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict | None = None,
) -> SurveyEvent:
    return SurveyEvent.objects.create(
        survey=survey,
        type=type,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
        **actor.as_record(),
    )
