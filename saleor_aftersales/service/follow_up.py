"""A low satisfaction score opens a follow-up case, so an unhappy customer is called back, not just counted.

Registered on `surveys.registry.on_low_score` from `ServiceConfig.ready()` (surveys sit below service and may not
import it). The case links to what the survey was about; a survey about a case links to that case's own subject.
"""

from __future__ import annotations

from ..core.actors import Actor
from ..core.i18n import normalize_language, pick
from ..surveys.registry import LowScore
from .models import LinkedType, ServiceCase

FOLLOW_UP_TAG = "survey-follow-up"

SUBJECT_TEXTS = {
    "en": "Follow-up on your feedback ({reference})",
    "zh-hans": "关于您的反馈的跟进（{reference}）",
}
BODY_TEXTS = {
    "en": "The customer rated {reference} {csat}/5 in the satisfaction survey.\n\n{comment}",
    "zh-hans": "客户在满意度调查中为 {reference} 打了 {csat}/5 分。\n\n{comment}",
}


def _link_of(low: LowScore) -> tuple[str, str]:
    if low.subject_type in {LinkedType.RETURN_REQUEST, LinkedType.WARRANTY_CLAIM, LinkedType.REPAIR_ORDER}:
        return low.subject_type, low.subject_id
    if low.subject_type == "service_case":
        case = ServiceCase.objects.filter(installation=low.installation, pk=low.subject_id).first()
        if case is not None and case.linked_type:
            return case.linked_type, case.linked_id
    return "", ""


def open_follow_up_case(low: LowScore) -> str | None:
    from .actions import open_case

    language = normalize_language(low.language)
    values = {"reference": low.reference or low.subject_id, "csat": low.csat, "comment": low.comment or "-"}
    linked_type, linked_id = _link_of(low)
    case = open_case(
        installation=low.installation,
        customer_email=low.customer_email,
        customer_user_id=low.customer_user_id,
        kind="complaint",
        channel="storefront",
        subject=pick(SUBJECT_TEXTS, language).format(**values),
        body=pick(BODY_TEXTS, language).format(**values),
        priority="high",
        linked_type=linked_type,
        linked_id=linked_id,
        actor=Actor.system("surveys"),
        language=language,
        tags=[FOLLOW_UP_TAG],
    )
    return case.number
