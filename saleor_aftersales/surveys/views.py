"""The public survey page `/s/<token>`: a small form in the customer's language (en / zh-hans), CSRF-protected.

GET shows the question (or why the link cannot be used); POST records the answer through
`actions.submit_with_token` and shows a thank-you, or the form again with the typed error.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from ..core import ratelimit
from ..core.errors import DomainError
from ..core.i18n import normalize_language
from . import actions, error_codes
from .models import SurveyStatus

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "How did we do?",
        "intro": "Your {subject} {reference} is resolved. How satisfied are you with our service?",
        "csat": "Satisfaction (1 = very unsatisfied, 5 = very satisfied)",
        "nps": "How likely are you to recommend us to a friend? (0-10, optional)",
        "comment": "Anything you want to tell us? (optional)",
        "submit": "Send",
        "thanks": "Thank you for your feedback!",
        "points": "You earned {points} loyalty points.",
        "follow_up": "We are sorry it did not go well. Our team will contact you.",
        f"error.{error_codes.INVALID_TOKEN}": "This link is not valid.",
        f"error.{error_codes.EXPIRED}": "This survey has expired.",
        f"error.{error_codes.ALREADY_ANSWERED}": "This survey has been answered already. Thank you!",
        "error.OUT_OF_RANGE": "Please choose a score in the range.",
        "error.TOO_LONG": "The comment is too long (at most 2000 characters).",
        "error.RATE_LIMITED": "Too many attempts. Please try again later.",
        "error.INVALID": "Please check your answer.",
    },
    "zh-hans": {
        "title": "请评价我们的服务",
        "intro": "您的{subject} {reference} 已处理完成。您对我们的服务满意吗？",
        "csat": "满意度（1 = 非常不满意，5 = 非常满意）",
        "nps": "您有多大可能向朋友推荐我们？（0-10，选填）",
        "comment": "还有什么想告诉我们的吗？（选填）",
        "submit": "提交",
        "thanks": "感谢您的反馈！",
        "points": "您获得了 {points} 积分。",
        "follow_up": "很抱歉给您带来不好的体验，我们的客服会尽快与您联系。",
        f"error.{error_codes.INVALID_TOKEN}": "该链接无效。",
        f"error.{error_codes.EXPIRED}": "该问卷已过期。",
        f"error.{error_codes.ALREADY_ANSWERED}": "该问卷已提交过，感谢您的反馈！",
        "error.OUT_OF_RANGE": "请选择有效范围内的评分。",
        "error.TOO_LONG": "留言过长（最多 2000 字）。",
        "error.RATE_LIMITED": "尝试次数过多，请稍后再试。",
        "error.INVALID": "请检查您的回答。",
    },
}
STATUS_FOR_CODE = {
    error_codes.INVALID_TOKEN: 404,
    error_codes.EXPIRED: 410,
    error_codes.ALREADY_ANSWERED: 409,
}


def _int_or_none(value: str | None) -> int | None | str:
    if value is None or value.strip() == "":
        return None
    try:
        return int(value)
    except ValueError:
        return "invalid"


def _page(request: HttpRequest, language: str, status: int = 200, **context: object) -> HttpResponse:
    texts = TEXTS[language]
    return render(
        request,
        "surveys/answer.html",
        {"t": texts, "lang": "zh-Hans" if language == "zh-hans" else "en", **context},
        status=status,
    )


@csrf_protect
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    language = normalize_language(request.GET.get("lang") or request.headers.get("Accept-Language"))
    try:
        survey = actions.survey_for_token(token)
    except DomainError as exc:
        message = TEXTS[language].get(f"error.{exc.code}", TEXTS[language]["error.INVALID"])
        return _page(request, language, STATUS_FOR_CODE.get(exc.code, 400), error=message, closed=True)
    language = normalize_language(request.GET.get("lang") or survey.language)
    texts = TEXTS[language]
    labels = actions.SUBJECT_LABELS[survey.subject_type]
    intro = texts["intro"].format(subject=labels[language], reference=survey.reference or survey.subject_id)
    form: dict[str, Any] = {
        "intro": intro,
        "ask_nps": survey.ask_nps,
        "csat_range": range(1, 6),
        "nps_range": range(0, 11),
    }
    if survey.status != SurveyStatus.REQUESTED and request.method == "GET":
        code = (
            error_codes.ALREADY_ANSWERED if survey.status == SurveyStatus.COMPLETED else error_codes.EXPIRED
        )
        return _page(request, language, STATUS_FOR_CODE[code], error=texts[f"error.{code}"], closed=True)
    if request.method == "GET":
        return _page(request, language, **form)
    csat = _int_or_none(request.POST.get("csat"))
    nps = _int_or_none(request.POST.get("nps"))
    try:
        ratelimit.enforce("10/minute", "survey-answer", request.META.get("REMOTE_ADDR", ""), token[-32:])
        if csat is None or csat == "invalid" or nps == "invalid":
            raise DomainError("OUT_OF_RANGE", "Choose a score.", "csat")
        response = actions.submit_with_token(
            token=token,
            csat=int(csat),
            nps=nps if isinstance(nps, int) else None,
            comment=request.POST.get("comment", ""),
        )
    except DomainError as exc:
        message = texts.get(f"error.{exc.code}", texts["error.INVALID"])
        closed = exc.code in STATUS_FOR_CODE
        return _page(
            request, language, STATUS_FOR_CODE.get(exc.code, 400), error=message, closed=closed, **form
        )
    return _page(
        request,
        language,
        thanks=True,
        points=texts["points"].format(points=response.points_awarded) if response.points_awarded else "",
        follow_up=texts["follow_up"] if response.is_low_score else "",
    )
