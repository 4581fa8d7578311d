"""Satisfaction surveys: one survey per resolved subject (case, return, claim, repair), one answer per survey."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ..core.models import EventRecord, TimestampedModel
from ..installations.models import Installation, InstallationScopedModel


class SubjectType(models.TextChoices):
    SERVICE_CASE = "service_case", "Service case"
    RETURN_REQUEST = "return_request", "Return request"
    WARRANTY_CLAIM = "warranty_claim", "Warranty claim"
    REPAIR_ORDER = "repair_order", "Repair order"


class SurveyStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    COMPLETED = "completed", "Completed"
    EXPIRED = "expired", "Expired"


def _default_low_csat() -> int:
    return int(settings.SURVEY_LOW_CSAT_THRESHOLD)


def _default_max_age() -> int:
    return int(settings.SURVEY_LINK_MAX_AGE_DAYS)


def _all_subject_types() -> list[str]:
    return list(SubjectType.values)


class SurveyConfig(TimestampedModel):
    """Per installation: whether surveys go out, for which subjects, how long links live, what counts as low."""

    installation = models.OneToOneField(Installation, on_delete=models.CASCADE, related_name="+")
    is_active = models.BooleanField(default=True)
    subject_types = models.JSONField(default=_all_subject_types)
    ask_nps = models.BooleanField(default=True)
    low_csat_threshold = models.PositiveSmallIntegerField(
        default=_default_low_csat, help_text="A CSAT at or below this opens a follow-up case."
    )
    link_max_age_days = models.PositiveSmallIntegerField(default=_default_max_age)


class Survey(InstallationScopedModel, TimestampedModel):
    subject_type = models.CharField(max_length=32, choices=SubjectType.choices)
    subject_id = models.CharField(max_length=64)
    reference = models.CharField(max_length=64, blank=True, default="", help_text="e.g. RMA or case number")
    customer_email = models.EmailField(max_length=254)
    customer_user_id = models.CharField(max_length=256, blank=True, default="")
    language = models.CharField(max_length=16, default="en")
    status = models.CharField(max_length=16, choices=SurveyStatus.choices, default=SurveyStatus.REQUESTED)
    ask_nps = models.BooleanField(default=True)
    token_nonce = models.CharField(
        max_length=64, help_text="Part of the signed link; a new one voids old links."
    )
    requested_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "subject_type", "subject_id"], name="surveys_one_per_subject"
            )
        ]
        indexes = [models.Index(fields=["installation", "customer_email"])]


class ResponseChannel(models.TextChoices):
    LINK = "link", "Signed link"
    API = "api", "GraphQL API"


class SurveyResponse(InstallationScopedModel):
    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="response")
    subject_type = models.CharField(max_length=32, choices=SubjectType.choices)
    csat = models.PositiveSmallIntegerField()
    nps = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True, default="")
    channel = models.CharField(max_length=8, choices=ResponseChannel.choices)
    created_at = models.DateTimeField(db_index=True)
    is_low_score = models.BooleanField(default=False)
    follow_up_reference = models.CharField(max_length=256, blank=True, default="")
    points_awarded = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(csat__gte=1) & models.Q(csat__lte=5), name="surveys_csat_1_5"
            ),
            models.CheckConstraint(
                condition=models.Q(nps__isnull=True) | (models.Q(nps__gte=0) & models.Q(nps__lte=10)),
                name="surveys_nps_0_10",
            ),
        ]
        indexes = [models.Index(fields=["installation", "created_at"])]


class SurveyEvent(EventRecord):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="events")
