"""Every write of the surveys capability.

`request_survey` is what resolutions call (the service capability directly for cases; returns, warranty through
the notification registry, see `handlers.py`): one survey per subject, announced by the `survey_requested`
notification with a signed one-time link. `submit_response` records the one answer, awards the loyalty points
for a completed survey (once), publishes `survey_completed` to merchant webhooks and, on a low score, hands the
answer to the registered follow-up handlers (the service capability opens a case).
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from ..core.actors import Actor, ActorType
from ..core.errors import DomainError, NotFoundError
from ..core.i18n import normalize_language
from ..core.time import now as clock_now
from ..installations.models import Installation
from ..loyalty.actions import award_action_points
from ..notifications.actions import event_id_for, notify, publish_event
from . import error_codes, events, policies, registry, tokens
from .models import ResponseChannel, SubjectType, Survey, SurveyConfig, SurveyResponse, SurveyStatus
from .state import apply_transition, check_transition

logger = logging.getLogger(__name__)

SUBJECT_LABELS: dict[str, dict[str, str]] = {
    SubjectType.SERVICE_CASE: {"en": "support case", "zh-hans": "服务工单"},
    SubjectType.RETURN_REQUEST: {"en": "return", "zh-hans": "退货申请"},
    SubjectType.WARRANTY_CLAIM: {"en": "warranty claim", "zh-hans": "保修申请"},
    SubjectType.REPAIR_ORDER: {"en": "repair", "zh-hans": "维修单"},
}
LOYALTY_ACTION = "survey_completed"


def config_for(installation: Installation) -> SurveyConfig:
    config = SurveyConfig.objects.filter(installation=installation).first()
    return config if config is not None else SurveyConfig(installation=installation)


def link_for(survey: Survey) -> str:
    token = tokens.make_token(survey.pk, survey.token_nonce)
    return settings.PUBLIC_URL + reverse("survey-answer", kwargs={"token": token})


def _check_subject_type(subject_type: str) -> str:
    if subject_type not in SubjectType.values:
        raise DomainError(
            error_codes.UNKNOWN_SUBJECT_TYPE,
            f"Surveys are for: {', '.join(SubjectType.values)}.",
            "subjectType",
        )
    return subject_type


def _announce(survey: Survey, *, round_: int = 0) -> None:
    labels = SUBJECT_LABELS[survey.subject_type]
    notify(
        installation=survey.installation,
        event="survey_requested",
        recipient_email=survey.customer_email,
        dedupe_key=f"survey:{survey.pk}:requested:{round_}",
        language=survey.language,
        context={
            "reference": survey.reference or survey.subject_id,
            "subject_en": labels["en"],
            "subject_zh_hans": labels["zh-hans"],
            "link": link_for(survey),
            "expires_on": survey.expires_at.date().isoformat(),
        },
        subject_type="survey",
        subject_id=survey.pk,
    )


@transaction.atomic
def request_survey(
    *,
    installation: Installation,
    subject_type: str,
    subject_id: str | int,
    customer_email: str,
    language: str | None,
    actor: Actor,
    customer_user_id: str = "",
    reference: str = "",
    now: datetime | None = None,
) -> Survey | None:
    """Ask for feedback on a resolved subject. Idempotent: the subject's survey is returned if it exists.

    None when surveys are off for the installation or the subject type, or there is nobody to ask.
    """
    subject_type = _check_subject_type(subject_type)
    subject_id = str(subject_id)
    if not subject_id or len(subject_id) > 64:
        raise DomainError("INVALID", "A subject id of at most 64 characters is required.", "subjectId")
    existing = Survey.objects.filter(
        installation=installation, subject_type=subject_type, subject_id=subject_id
    ).first()
    if existing is not None:
        return existing
    config = config_for(installation)
    if not config.is_active or subject_type not in config.subject_types or not customer_email:
        return None
    current = now or clock_now()
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                installation=installation,
                subject_type=subject_type,
                subject_id=subject_id,
                reference=(reference or "")[:64],
                customer_email=customer_email.strip()[:254],
                customer_user_id=customer_user_id or "",
                language=normalize_language(language),
                ask_nps=config.ask_nps,
                token_nonce=tokens.new_nonce(),
                requested_at=current,
                expires_at=policies.expires_at(requested_at=current, max_age_days=config.link_max_age_days),
            )
    except IntegrityError:  # a concurrent resolution asked first
        return Survey.objects.get(installation=installation, subject_type=subject_type, subject_id=subject_id)
    events.record_event(
        survey,
        type=events.REQUESTED,
        actor=actor,
        to_status=survey.status,
        data={"reference": survey.reference},
    )
    _announce(survey)
    return survey


def _lock(survey_id: int, installation: Installation | None = None) -> Survey:
    qs = Survey.objects.select_for_update().select_related("installation").filter(pk=survey_id)
    if installation is not None:
        qs = qs.filter(installation=installation)
    survey = qs.first()
    if survey is None:
        raise NotFoundError("No such survey.", "survey")
    return survey


def _award_points(survey: Survey, response: SurveyResponse, actor: Actor) -> int:
    try:
        entry = award_action_points(
            installation=survey.installation,
            action=LOYALTY_ACTION,
            customer_email=survey.customer_email,
            customer_user_id=survey.customer_user_id or None,
            reference=f"survey:{survey.pk}",
            actor=Actor.system("surveys"),
        )
    except DomainError as exc:  # the programme refuses (e.g. capped); the answer stands
        logger.warning("survey points not awarded", extra={"survey": survey.pk, "code": exc.code})
        return 0
    points = int(getattr(entry, "available_delta", 0) or 0) + int(getattr(entry, "pending_delta", 0) or 0)
    if entry is not None and points:
        response.points_awarded = points
        response.save(update_fields=["points_awarded"])
        events.record_event(survey, type=events.POINTS_AWARDED, actor=actor, data={"points": points})
    return points


def _follow_up(survey: Survey, response: SurveyResponse, actor: Actor) -> None:
    low = registry.LowScore(
        installation=survey.installation,
        survey_id=survey.pk,
        response_id=response.pk,
        subject_type=survey.subject_type,
        subject_id=survey.subject_id,
        reference=survey.reference,
        customer_email=survey.customer_email,
        customer_user_id=survey.customer_user_id,
        language=survey.language,
        csat=response.csat,
        nps=response.nps,
        comment=response.comment,
    )
    references: list[str] = []
    for handler in registry.low_score_handlers():
        try:
            with transaction.atomic():
                result = handler(low)
        except Exception as exc:  # the customer's answer is kept; staff see the failure on the timeline
            logger.exception("low-score handler failed", extra={"survey": survey.pk})
            events.record_event(survey, type=events.FOLLOW_UP_FAILED, actor=actor, note=repr(exc)[:500])
            continue
        if result:
            references.append(str(result))
            events.record_event(
                survey, type=events.FOLLOW_UP_OPENED, actor=actor, data={"reference": str(result)}
            )
    if references:
        response.follow_up_reference = ", ".join(references)[:256]
        response.save(update_fields=["follow_up_reference"])
    data = {k: v for k, v in asdict(low).items() if k != "installation"}
    publish_event(
        installation=survey.installation,
        event=events.SURVEY_LOW_SCORE,
        event_id=event_id_for(survey.installation, f"survey:{survey.pk}:low_score"),
        data={**data, "follow_up_reference": response.follow_up_reference},
    )


@transaction.atomic
def submit_response(
    *,
    survey: Survey,
    actor: Actor,
    csat: int,
    nps: int | None = None,
    comment: str = "",
    channel: str = ResponseChannel.API,
    now: datetime | None = None,
) -> SurveyResponse:
    """The one answer to a survey: ALREADY_ANSWERED for a second one, EXPIRED after the deadline."""
    current = now or clock_now()
    survey = _lock(survey.pk)
    comment = (comment or "").strip()
    check_transition(survey, "complete")
    if survey.expires_at <= current:
        raise DomainError(error_codes.EXPIRED, "This survey has expired.", "survey")
    policies.check_answer(csat=csat, nps=nps, comment=comment, ask_nps=survey.ask_nps)
    config = config_for(survey.installation)
    low = policies.is_low_score(csat, threshold=config.low_csat_threshold)
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                installation=survey.installation,
                survey=survey,
                subject_type=survey.subject_type,
                csat=csat,
                nps=nps,
                comment=comment,
                channel=channel,
                created_at=current,
                is_low_score=low,
            )
    except IntegrityError:  # a concurrent answer won (SQLite has no row lock)
        raise DomainError(
            error_codes.ALREADY_ANSWERED, "This survey has been answered already.", "survey"
        ) from None
    survey.completed_at = current
    apply_transition(survey, "complete", actor=actor, data={"csat": csat, "nps": nps})
    _award_points(survey, response, actor)
    publish_event(
        installation=survey.installation,
        event=events.SURVEY_COMPLETED,
        event_id=event_id_for(survey.installation, f"survey:{survey.pk}:completed"),
        data={
            "survey_id": survey.pk,
            "subject_type": survey.subject_type,
            "subject_id": survey.subject_id,
            "reference": survey.reference,
            "customer_email": survey.customer_email,
            "csat": csat,
            "nps": nps,
            "comment": comment,
            "channel": channel,
            "points_awarded": response.points_awarded,
        },
    )
    if low:
        _follow_up(survey, response, actor)
    return response


def survey_for_token(token: str) -> Survey:
    """The survey a link points to; INVALID_TOKEN for a forged or voided link, EXPIRED for an old one."""
    claims = tokens.read_token(token, max_age_days=tokens.MAX_AGE_DAYS)
    survey = Survey.objects.select_related("installation").filter(pk=claims.survey_id).first()
    if (
        survey is None
        or not survey.installation.is_active
        or not tokens.nonce_matches(survey.token_nonce, claims.nonce)
    ):
        raise DomainError(error_codes.INVALID_TOKEN, "This survey link is not valid.", "token")
    return survey


@transaction.atomic
def submit_with_token(
    *,
    token: str,
    csat: int,
    nps: int | None = None,
    comment: str = "",
    channel: str = ResponseChannel.LINK,
    now: datetime | None = None,
) -> SurveyResponse:
    survey = survey_for_token(token)
    actor = Actor(type=ActorType.GUEST, email=survey.customer_email)
    return submit_response(
        survey=survey, actor=actor, csat=csat, nps=nps, comment=comment, channel=channel, now=now
    )


def customer_owns(survey: Survey, actor: Actor) -> bool:
    if survey.customer_user_id and actor.user_id:
        return survey.customer_user_id == actor.user_id
    return bool(actor.email) and survey.customer_email.lower() == actor.email.lower()


@transaction.atomic
def submit_as_customer(
    *,
    installation: Installation,
    actor: Actor,
    subject_type: str,
    subject_id: str,
    csat: int,
    nps: int | None = None,
    comment: str = "",
    now: datetime | None = None,
) -> SurveyResponse:
    """The signed-in customer answers the survey of their own subject (another's: NOT_FOUND)."""
    subject_type = _check_subject_type(subject_type)
    survey = Survey.objects.filter(
        installation=installation, subject_type=subject_type, subject_id=str(subject_id)
    ).first()
    if survey is None or not customer_owns(survey, actor):
        raise NotFoundError("No survey for this subject.", "subjectId")
    return submit_response(
        survey=survey, actor=actor, csat=csat, nps=nps, comment=comment, channel=ResponseChannel.API, now=now
    )


@transaction.atomic
def resend_survey(*, survey: Survey, actor: Actor, now: datetime | None = None) -> Survey:
    """Send a fresh link (the old one stops working) and extend the deadline."""
    current = now or clock_now()
    survey = _lock(survey.pk, survey.installation)
    if survey.status == SurveyStatus.COMPLETED:
        raise DomainError(error_codes.ALREADY_ANSWERED, "This survey has been answered already.", "survey")
    config = config_for(survey.installation)
    survey.token_nonce = tokens.new_nonce()
    survey.expires_at = policies.expires_at(requested_at=current, max_age_days=config.link_max_age_days)
    survey.save(update_fields=["token_nonce", "expires_at", "updated_at"])
    if survey.status == SurveyStatus.EXPIRED:
        apply_transition(survey, "reopen", actor=actor)
    resent = survey.events.filter(type=events.RESENT).count() + 1
    events.record_event(survey, type=events.RESENT, actor=actor, to_status=survey.status)
    _announce(survey, round_=resent)
    return survey


@transaction.atomic
def save_config(*, installation: Installation, actor: Actor, values: dict) -> SurveyConfig:
    config, _ = SurveyConfig.objects.select_for_update().get_or_create(installation=installation)
    if "subject_types" in values and values["subject_types"] is not None:
        types = [_check_subject_type(t) for t in values["subject_types"]]
        config.subject_types = sorted(set(types))
    if values.get("low_csat_threshold") is not None:
        threshold = values["low_csat_threshold"]
        if not 0 <= threshold <= policies.CSAT_MAX:
            raise DomainError("OUT_OF_RANGE", "0 (never) to 5.", "lowCsatThreshold")
        config.low_csat_threshold = threshold
    if values.get("link_max_age_days") is not None:
        days = values["link_max_age_days"]
        if not 1 <= days <= 365:
            raise DomainError("OUT_OF_RANGE", "1 to 365 days.", "linkMaxAgeDays")
        config.link_max_age_days = days
    for key in ("is_active", "ask_nps"):
        if values.get(key) is not None:
            setattr(config, key, bool(values[key]))
    config.save()
    return config


@transaction.atomic
def expire_surveys(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Beat: requested surveys past their deadline become expired (one event each). Safe to run twice."""
    current = now or clock_now()
    ids = list(
        Survey.objects.filter(status=SurveyStatus.REQUESTED, expires_at__lte=current)
        .order_by("expires_at")
        .values_list("id", flat=True)[:limit]
    )
    count = 0
    for survey in Survey.objects.select_for_update(skip_locked=True).filter(
        pk__in=ids, status=SurveyStatus.REQUESTED
    ):
        apply_transition(survey, "expire", actor=Actor.system("surveys"))
        count += 1
    return count
