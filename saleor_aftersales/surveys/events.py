"""Timeline rows of a survey, and the merchant-webhook events the capability publishes."""

from __future__ import annotations

from ..core.events import EventRecorder
from .models import SurveyEvent

REQUESTED = "requested"
RESENT = "resent"
POINTS_AWARDED = "points_awarded"
FOLLOW_UP_OPENED = "follow_up_opened"
FOLLOW_UP_FAILED = "follow_up_failed"

# Webhook-only events (no customer email): endpoints may subscribe to them.
SURVEY_COMPLETED = "survey_completed"
SURVEY_LOW_SCORE = "survey_low_score"
WEBHOOK_EVENTS = (SURVEY_COMPLETED, SURVEY_LOW_SCORE)


record_event = EventRecorder(SurveyEvent, "survey")
