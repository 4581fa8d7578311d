"""Reads of the surveys capability: customer and staff lists, CSAT / NPS aggregates per period."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek

from ..core.actors import Actor
from ..installations.models import Installation
from . import policies
from .models import Survey, SurveyResponse

PERIODS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def surveys_of_customer(installation: Installation, actor: Actor) -> QuerySet[Survey]:
    qs = Survey.objects.filter(installation=installation)
    if actor.user_id:
        return qs.filter(
            Q(customer_user_id=actor.user_id) | Q(customer_user_id="", customer_email__iexact=actor.email)
        )
    return qs.filter(customer_email__iexact=actor.email)


def responses_for(
    installation: Installation,
    *,
    subject_type: str | None = None,
    csat_min: int | None = None,
    csat_max: int | None = None,
    nps_min: int | None = None,
    nps_max: int | None = None,
    low_score: bool | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[SurveyResponse]:
    qs = SurveyResponse.objects.filter(installation=installation)
    if subject_type:
        qs = qs.filter(subject_type=subject_type)
    if csat_min is not None:
        qs = qs.filter(csat__gte=csat_min)
    if csat_max is not None:
        qs = qs.filter(csat__lte=csat_max)
    if nps_min is not None:
        qs = qs.filter(nps__gte=nps_min)
    if nps_max is not None:
        qs = qs.filter(nps__lte=nps_max)
    if low_score is not None:
        qs = qs.filter(is_low_score=low_score)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return qs


def stats(
    installation: Installation,
    *,
    period: str = "week",
    since: datetime | None = None,
    until: datetime | None = None,
    subject_type: str | None = None,
) -> list[tuple[datetime, policies.Aggregate]]:
    """CSAT and NPS per period (UTC), oldest first, in one query: for the insights capability and staff."""
    trunc = PERIODS[period]
    rows = (
        responses_for(installation, subject_type=subject_type, since=since, until=until)
        .annotate(period=trunc("created_at", tzinfo=UTC))
        .values("period")
        .annotate(
            responses=Count("id"),
            csat_sum=Sum("csat"),
            satisfied=Count("id", filter=Q(csat__gte=policies.SATISFIED_MIN)),
            promoters=Count("id", filter=Q(nps__gte=policies.PROMOTER_MIN)),
            passives=Count("id", filter=Q(nps__gt=policies.DETRACTOR_MAX, nps__lt=policies.PROMOTER_MIN)),
            detractors=Count("id", filter=Q(nps__lte=policies.DETRACTOR_MAX)),
            low_scores=Count("id", filter=Q(is_low_score=True)),
        )
        .order_by("period")
    )
    result = []
    for row in rows:
        start = row["period"]
        if isinstance(start, datetime) and start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        elif not isinstance(start, datetime):  # SQLite TruncDay of a date
            start = datetime(start.year, start.month, start.day, tzinfo=UTC)
        result.append(
            (
                start,
                policies.aggregate(
                    responses=row["responses"],
                    csat_sum=row["csat_sum"] or 0,
                    satisfied=row["satisfied"],
                    promoters=row["promoters"],
                    passives=row["passives"],
                    detractors=row["detractors"],
                    low_scores=row["low_scores"],
                ),
            )
        )
    return result
