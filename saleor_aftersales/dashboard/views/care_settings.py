"""Settings tab "care": care guides (per product type or category, en + zh-Hans, matched to warranties for their
care guide and reminders) and the warranty symptom catalogue (what a claim reports; warranty terms list covered and
excluded symptom codes). Writes go through `warranty.actions.save_care_guide` / `save_symptom`, MANAGE_ORDERS like
graphql/warranty (`careGuideSave`, `warrantySymptomSave`). A DomainError re-renders the tab with the typed error on
the form and what was posted; nothing is written."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ...core.errors import DomainError
from ...installations.auth import Requestor
from ...warranty import actions as warranty_actions
from ...warranty import care, symptoms
from ...warranty.models import CareGuide, WarrantySymptom
from .common import int_or_none, params, settings_write, staff, with_trigger

PERMISSION = "MANAGE_ORDERS"  # graphql/warranty/access.py
SECTION_KEYS = ("topic", "title_en", "title_zh_hans", "body_en", "body_zh_hans")
MAX_SECTIONS = 8
BUILT_IN = {guide.code for guide in care.DEFAULT_GUIDES}


def _codes(raw: str) -> list[str]:
    return [part.strip() for part in (raw or "").replace("\n", ",").split(",") if part.strip()]


def _guides(installation) -> list[dict]:
    """The merchant's guides (active or not) and the built-in ones they do not replace (one query)."""
    rows = list(CareGuide.objects.filter(installation=installation).order_by("code"))
    custom = {row.code for row in rows}
    shown = [{"guide": row, "built_in": False, "overrides": row.code in BUILT_IN} for row in rows]
    shown += [
        {"guide": guide, "built_in": True, "overrides": False}
        for guide in care.DEFAULT_GUIDES
        if guide.code not in custom
    ]
    return sorted(shown, key=lambda entry: entry["guide"].code)


def _posted_sections(data: QueryDict) -> list[dict]:
    """Sections from `section-<n>-<key>` fields; a section without any text (a suggested topic alone) is dropped."""
    sections = []
    for index in range(MAX_SECTIONS):
        entry = {key: (data.get(f"section-{index}-{key}") or "").strip() for key in SECTION_KEYS}
        if any(value for key, value in entry.items() if key != "topic"):
            sections.append(entry)
    return sections


def _form(editing, posted: QueryDict | None) -> dict:
    """What the guide form shows: what was posted (after an error), else the guide being edited, else blanks."""
    if posted is not None and posted.get("form") == "guide":
        sections = _posted_sections(posted)
        values = {
            "code": posted.get("code", ""),
            "title_en": posted.get("title_en", ""),
            "title_zh_hans": posted.get("title_zh_hans", ""),
            "product_type_ids": posted.get("product_type_ids", ""),
            "category_ids": posted.get("category_ids", ""),
            "match_keywords": posted.get("match_keywords", ""),
            "reminder_interval_months": posted.get("reminder_interval_months", ""),
            "is_active": posted.get("is_active") == "on",
        }
    elif editing is not None:
        sections = [dict(section) for section in editing.sections]
        values = {
            "code": editing.code,
            "title_en": editing.title_en,
            "title_zh_hans": editing.title_zh_hans,
            "product_type_ids": ", ".join(editing.product_type_ids),
            "category_ids": ", ".join(editing.category_ids),
            "match_keywords": ", ".join(editing.match_keywords),
            "reminder_interval_months": editing.reminder_interval_months or "",
            "is_active": editing.is_active,
        }
    else:
        sections = [{"topic": topic} for topic in care.TOPICS]
        values = {"is_active": True}
    # One blank section more to add, within the limit.
    blanks = max(0, min(len(sections) + 1, MAX_SECTIONS) - len(sections))
    values["sections"] = [*sections, *({} for _ in range(blanks))]
    return values


def render_care(
    request: HttpRequest, requestor: Requestor, *, error=None, trigger=None, posted: QueryDict | None = None
) -> HttpResponse:
    installation = requestor.installation
    guides = _guides(installation)
    code = params(request).get("guide") if request.method == "GET" else ""
    editing = next((entry["guide"] for entry in guides if entry["guide"].code == code), None)
    symptom_rows = list(WarrantySymptom.objects.filter(installation=installation))
    catalogue = symptoms.catalogue(symptom_rows)
    custom_symptoms = {row.code for row in symptom_rows}
    symptom_code = params(request).get("symptom") if request.method == "GET" else ""
    context = {
        "t": request.texts,  # type: ignore[attr-defined]
        "tab": "care",
        "guides": guides,
        "editing": editing,
        "form": _form(editing, posted),
        "topics": care.TOPICS,
        "symptoms": [
            {"symptom": s, "built_in": s.code not in custom_symptoms}
            for s in sorted(catalogue.values(), key=lambda s: (s.position, s.code))
        ],
        "editing_symptom": catalogue.get(symptom_code or ""),
        "error": error,
        "posted": posted.dict() if posted is not None else {},
        "posted_form": posted.get("form", "") if posted is not None else "",
    }
    return with_trigger(render(request, "dashboard/settings_care.html", context), trigger)


@csrf_exempt
@require_GET
def care_fragment(request: HttpRequest) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    return render_care(request, requestor)


def _write(request: HttpRequest, perform) -> HttpResponse:
    return settings_write(request, PERMISSION, perform, render_care, keep=lambda post: post)


def _months(data: QueryDict) -> int | None:
    raw = (data.get("reminder_interval_months") or "").strip()
    if not raw:
        return None
    value = int_or_none(raw)
    if value is None:
        raise DomainError("INVALID", "Enter a whole number of months.", "reminderIntervalMonths")
    return value


@csrf_exempt
@require_POST
def care_guide_save_fragment(request: HttpRequest) -> HttpResponse:
    def perform(requestor, data) -> str:
        row = warranty_actions.save_care_guide(
            installation=requestor.installation,
            actor=requestor.actor,
            code=(data.get("code") or "").strip(),
            title_en=data.get("title_en", ""),
            title_zh_hans=data.get("title_zh_hans", ""),
            sections=_posted_sections(data),
            product_type_ids=_codes(data.get("product_type_ids", "")),
            category_ids=_codes(data.get("category_ids", "")),
            match_keywords=_codes(data.get("match_keywords", "")),
            reminder_interval_months=_months(data),
            is_active=data.get("is_active") == "on",
        )
        return row.code

    return _write(request, perform)


@csrf_exempt
@require_POST
def symptom_save_fragment(request: HttpRequest) -> HttpResponse:
    def perform(requestor, data) -> str:
        position = int_or_none(data.get("position") or "0")
        if position is None or not 0 <= position <= 10000:
            raise DomainError("OUT_OF_RANGE", "A position between 0 and 10000.", "position")
        row = warranty_actions.save_symptom(
            installation=requestor.installation,
            actor=requestor.actor,
            code=(data.get("code") or "").strip(),
            label_en=data.get("label_en", ""),
            label_zh_hans=data.get("label_zh_hans", ""),
            is_active=data.get("is_active") == "on",
            position=position,
        )
        return row.code

    return _write(request, perform)
