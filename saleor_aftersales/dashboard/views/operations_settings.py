"""Settings tabs of the operations capabilities, through the same actions as their GraphQL staff mutations:
- Warranty: warranty terms, warranty settings (turnaround per category, repair service variant, …), service centers
  and technicians (`warranty.actions`, MANAGE_ORDERS like graphql/warranty);
- SLA: SLA policies and business calendars (`sla.actions`, MANAGE_ORDERS like graphql/sla);
- Notifications: every event's subject/body per language, edit with preview, back to default
  (`notifications.actions`, MANAGE_SETTINGS like graphql/notifications: the Dashboard token's `user_permissions`
  carry every permission of the staff user, so the tab can ask for it although the app itself does not hold it).
A DomainError re-renders the tab with the typed error on the form; nothing is written."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ...core.errors import DomainError
from ...core.i18n import SUPPORTED_LANGUAGES
from ...installations.auth import Requestor
from ...notifications import actions as notification_actions
from ...notifications import selectors as notification_selectors
from ...notifications import templates as notification_templates
from ...sla import actions as sla_actions
from ...sla.models import BusinessCalendar, SlaPolicy
from ...warranty import actions as warranty_actions
from ...warranty import selectors as warranty_selectors
from ...warranty.models import ServiceCenter, Technician, WarrantySettings, WarrantyTerms
from ..labels import field_choices
from .common import failure, form_error, int_or_none, params, settings_write, staff, success, with_trigger

WARRANTY_PERMISSION = "MANAGE_ORDERS"  # graphql/warranty/access.py
SLA_PERMISSION = "MANAGE_ORDERS"  # graphql/sla/mutations/sla_config.py
TEMPLATES_PERMISSION = "MANAGE_SETTINGS"  # graphql/notifications/types.py TEMPLATES_PERMISSION
ROWS = 100
WEEKDAYS = range(7)
REMEDIES = ("repair", "replace", "refund")
SLA_SUBJECTS = ("return_request", "warranty_claim", "repair_order", "service_case")


def _codes(raw: str) -> list[str]:
    return [part.strip() for part in (raw or "").replace("\n", ",").split(",") if part.strip()]


def _whole(data, name: str, field: str, *, default: int | None = None) -> int:
    raw = (data.get(name) or "").strip()
    if not raw and default is not None:
        return default
    value = int_or_none(raw)
    if value is None:
        raise DomainError("INVALID", "Enter a whole number.", field)
    return value


def _pairs(raw: str, field: str) -> dict[str, int]:
    """`category id = days`, one a line."""
    found: dict[str, int] = {}
    for line in (raw or "").splitlines():
        if not line.strip():
            continue
        key, sep, value = line.rpartition("=")  # base64 ids end in "="
        days = int_or_none(value)
        if not sep or not key.strip() or days is None:
            raise DomainError("INVALID", "One `category id = days` a line.", field)
        found[key.strip()] = days
    return found


# ---- Warranty ------------------------------------------------------------------------------------------------


def render_warranty(
    request: HttpRequest, requestor: Requestor, *, error=None, trigger=None, posted=None
) -> HttpResponse:
    installation = requestor.installation
    config = WarrantySettings.objects.filter(installation=installation).first() or WarrantySettings()
    centers = list(ServiceCenter.objects.filter(installation=installation).order_by("name", "id")[:ROWS])
    technicians: dict[int, list[Technician]] = {}
    for technician in Technician.objects.filter(installation=installation, center__in=centers).order_by(
        "name", "id"
    ):
        technicians.setdefault(technician.center_id, []).append(technician)
    for center in centers:
        center.staff = technicians.get(center.pk, [])
    terms = list(WarrantyTerms.objects.filter(installation=installation).order_by("scope", "name")[:ROWS])
    language = request.language  # type: ignore[attr-defined]
    catalogue = warranty_selectors.symptom_catalogue(installation)
    symptoms = sorted(catalogue.values(), key=lambda s: (s.position, s.code))
    for row in terms:
        row.covered_labels = [_symptom_label(catalogue, code, language) for code in row.covered_issues]
        row.excluded_labels = [_symptom_label(catalogue, code, language) for code in row.excluded_issues]
    wanted_terms = int_or_none(params(request).get("terms")) if request.method == "GET" else None
    edit_terms = next((row for row in terms if row.pk == wanted_terms), None)
    edit_center = next((c for c in centers if c.pk == int_or_none(params(request).get("center"))), None)
    wanted = int_or_none(params(request).get("technician")) if request.method == "GET" else None
    edit_technician = next(
        (tech for staff_of in technicians.values() for tech in staff_of if tech.pk == wanted), None
    )
    context = {
        "t": request.texts,  # type: ignore[attr-defined]
        "tab": "warranty",
        "terms": terms,
        "edit_terms": edit_terms,
        "terms_form": _terms_form(request, edit_terms, catalogue, symptoms, language),
        "scopes": field_choices(WarrantyTerms, "scope", request.language),  # type: ignore[attr-defined]
        "remedies": REMEDIES,
        "config": config,
        "turnaround_lines": "\n".join(
            f"{k} = {v}" for k, v in (config.turnaround_days_by_category or {}).items()
        ),
        "centers": centers,
        "edit_center": edit_center,
        "edit_technician": edit_technician,
        "error": error,
        "posted": posted or {},
    }
    return with_trigger(render(request, "dashboard/settings_warranty.html", context), trigger)


@csrf_exempt
@require_GET
def warranty_fragment(request: HttpRequest) -> HttpResponse:
    requestor = staff(request, WARRANTY_PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    return render_warranty(request, requestor)


def _symptom_label(catalogue, code: str, language: str) -> str:
    found = catalogue.get(code)
    return found.label(language) if found is not None else code


def _terms_form(request: HttpRequest, editing, catalogue, symptoms, language: str) -> dict:
    """The terms form: what was posted (after an error), else the terms being edited, else the defaults. Covered
    and excluded issues are checkboxes of the symptom catalogue (codes the catalogue lost stay listed, checked)."""
    if request.method == "POST" and request.path.endswith("/warranty/terms"):
        data = request.POST
        values = {
            "scope": data.get("scope", ""),
            "target_id": data.get("target_id", ""),
            "name": data.get("name", ""),
            "duration_months": data.get("duration_months", ""),
            "covered": _codes(",".join(data.getlist("covered_issues"))),
            "excluded": _codes(",".join(data.getlist("excluded_issues"))),
            "remedies": data.getlist("remedies"),
            "max_repairs_before_replace": data.get("max_repairs_before_replace", ""),
            "text_en": data.get("text_en", ""),
            "text_zh_hans": data.get("text_zh_hans", ""),
            "is_active": data.get("is_active") == "on",
        }
    elif editing is not None:
        values = {
            "scope": editing.scope,
            "target_id": editing.target_id,
            "name": editing.name,
            "duration_months": editing.duration_months,
            "covered": list(editing.covered_issues),
            "excluded": list(editing.excluded_issues),
            "remedies": list(editing.remedies),
            "max_repairs_before_replace": editing.max_repairs_before_replace,
            "text_en": editing.text_en,
            "text_zh_hans": editing.text_zh_hans,
            "is_active": editing.is_active,
        }
    else:
        values = {
            "scope": "default",
            "duration_months": 12,
            "covered": [],
            "excluded": [],
            "remedies": list(REMEDIES),
            "max_repairs_before_replace": 2,
            "is_active": True,
        }
    known = [(s.code, s.label(language)) for s in symptoms]
    codes = {code for code, _ in known}
    lost = [code for code in [*values["covered"], *values["excluded"]] if code not in codes]
    values["symptoms"] = known + [(code, code) for code in dict.fromkeys(lost)]
    return values


def _warranty_write(request: HttpRequest, perform, done: str) -> HttpResponse:
    return settings_write(
        request,
        WARRANTY_PERMISSION,
        lambda requestor, data: perform(requestor, data) or done,
        render_warranty,
    )


@csrf_exempt
@require_POST
def terms_save_fragment(request: HttpRequest) -> HttpResponse:
    def perform(requestor, data):
        warranty_actions.save_terms(
            installation=requestor.installation,
            actor=requestor.actor,
            scope=data.get("scope", ""),
            target_id=data.get("target_id", ""),
            name=data.get("name", ""),
            duration_months=_whole(data, "duration_months", "durationMonths"),
            covered_issues=_codes(",".join(data.getlist("covered_issues"))),
            excluded_issues=_codes(",".join(data.getlist("excluded_issues"))),
            remedies=data.getlist("remedies"),
            max_repairs_before_replace=_whole(
                data, "max_repairs_before_replace", "maxRepairsBeforeReplace", default=2
            ),
            text_en=data.get("text_en", ""),
            text_zh_hans=data.get("text_zh_hans", ""),
            is_active=data.get("is_active") == "on",
        )

    return _warranty_write(request, perform, request.POST.get("name", ""))


@csrf_exempt
@require_POST
def warranty_settings_save_fragment(request: HttpRequest) -> HttpResponse:
    def perform(requestor, data):
        warranty_actions.save_settings(
            installation=requestor.installation,
            actor=requestor.actor,
            duration_metadata_key=data.get("duration_metadata_key", ""),
            duration_attribute_slug=data.get("duration_attribute_slug", ""),
            reminders_enabled=data.get("reminders_enabled") == "on",
            reminder_interval_months=_whole(
                data, "reminder_interval_months", "reminderIntervalMonths", default=6
            ),
            repair_service_variant_id=data.get("repair_service_variant_id", ""),
            default_turnaround_days=_whole(
                data, "default_turnaround_days", "defaultTurnaroundDays", default=10
            ),
            turnaround_days_by_category=_pairs(data.get("turnaround", ""), "turnaroundDaysByCategory"),
        )

    return _warranty_write(request, perform, "")


@csrf_exempt
@require_POST
def center_save_fragment(request: HttpRequest) -> HttpResponse:
    def perform(requestor, data):
        center = None
        if data.get("pk"):
            center = ServiceCenter.objects.filter(
                installation=requestor.installation, pk=int_or_none(data.get("pk")) or 0
            ).first()
            if center is None:
                raise DomainError("NOT_FOUND", "Unknown service center.", "id")
        warranty_actions.save_service_center(
            installation=requestor.installation,
            actor=requestor.actor,
            center=center,
            name=data.get("name", ""),
            address={"line": data["address"]} if data.get("address") else {},
            category_ids=_codes(data.get("category_ids", "")),
            capacity=_whole(data, "capacity", "capacity", default=10),
            email=data.get("email", "").strip(),
            phone=data.get("phone", ""),
            is_active=data.get("is_active") == "on",
        )

    return _warranty_write(request, perform, request.POST.get("name", ""))


@csrf_exempt
@require_POST
def technician_save_fragment(request: HttpRequest) -> HttpResponse:
    def perform(requestor, data):
        center = ServiceCenter.objects.filter(
            installation=requestor.installation, pk=int_or_none(data.get("center")) or 0
        ).first()
        if center is None:
            raise DomainError("NOT_FOUND", "Choose a service center.", "centerId")
        technician = None
        if data.get("pk"):
            technician = _technician(requestor, data.get("pk"))
        warranty_actions.save_technician(
            installation=requestor.installation,
            actor=requestor.actor,
            center=center,
            technician=technician,
            name=data.get("name", ""),
            email=data.get("email", "").strip(),
            skills=_codes(data.get("skills", "")),
            # A new technician starts active; an edit keeps the state (deactivation has its own button).
            is_active=technician.is_active if technician is not None else True,
        )

    return _warranty_write(request, perform, request.POST.get("name", ""))


def _technician(requestor: Requestor, pk) -> Technician:
    technician = Technician.objects.filter(
        installation=requestor.installation, pk=int_or_none(pk) or 0
    ).first()
    if technician is None:
        raise DomainError("NOT_FOUND", "Unknown technician.", "technicianId")
    return technician


@csrf_exempt
@require_POST
def technician_active_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate a technician (`active=0`; open repair orders keep them, new assignments cannot pick them) or
    bring them back (`active=1`)."""
    requestor = staff(request, WARRANTY_PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    texts = request.texts  # type: ignore[attr-defined]
    active = request.POST.get("active") == "1"
    try:
        technician = warranty_actions.set_technician_active(
            technician=_technician(requestor, pk), actor=requestor.actor, is_active=active
        )
    except DomainError as exc:
        return render_warranty(request, requestor, error=form_error(exc), trigger=failure(exc))
    title = texts["technician_reactivated"] if active else texts["technician_deactivated"]
    return render_warranty(request, requestor, trigger=success(title, technician.name))


# ---- SLA -----------------------------------------------------------------------------------------------------


def render_sla(
    request: HttpRequest, requestor: Requestor, *, error=None, trigger=None, posted=None
) -> HttpResponse:
    installation = requestor.installation
    calendars = list(BusinessCalendar.objects.filter(installation=installation).order_by("name")[:ROWS])
    values = params(request)
    edit_calendar = next((c for c in calendars if c.pk == int_or_none(values.get("calendar"))), None)
    policies = list(
        SlaPolicy.objects.filter(installation=installation)
        .select_related("calendar")
        .order_by("subject_type", "metric", "priority", "channel")[:ROWS]
    )
    edit_policy = next((p for p in policies if p.pk == int_or_none(values.get("policy"))), None)
    hours = (edit_calendar.weekly_hours if edit_calendar else {}) or {}
    texts = request.texts  # type: ignore[attr-defined]
    context = {
        "t": texts,
        "tab": "sla",
        "calendars": calendars,
        "policies": policies,
        "edit_calendar": edit_calendar,
        "edit_policy": edit_policy,
        "subjects": [(s, texts.get(f"subject_{s}", s)) for s in SLA_SUBJECTS],
        "weekdays": [
            (day, texts[f"weekday_{day}"], ", ".join(f"{a}-{b}" for a, b in hours.get(str(day), [])))
            for day in WEEKDAYS
        ],
        "error": error,
        "posted": posted or {},
    }
    return with_trigger(render(request, "dashboard/settings_sla.html", context), trigger)


@csrf_exempt
@require_GET
def sla_fragment(request: HttpRequest) -> HttpResponse:
    requestor = staff(request, SLA_PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    return render_sla(request, requestor)


def _sla_write(request: HttpRequest, perform) -> HttpResponse:
    return settings_write(request, SLA_PERMISSION, perform, render_sla)


def _weekly_hours(data) -> dict[str, list[list[str]]]:
    """`09:00-12:00, 13:00-18:00` per weekday (0 = Monday); sla.calendars validates the times."""
    hours: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        spans = []
        for span in _codes(data.get(f"day-{day}", "")):
            start, sep, end = span.partition("-")
            if not sep:
                raise DomainError(
                    "INVALID_HOURS", f"Bad interval {span!r}: write 09:00-18:00.", "weeklyHours"
                )
            spans.append([start.strip(), end.strip()])
        if spans:
            hours[str(day)] = spans
    return hours


@csrf_exempt
@require_POST
def calendar_save_fragment(request: HttpRequest) -> HttpResponse:
    def perform(requestor, data):
        calendar = None
        if data.get("pk"):
            calendar = BusinessCalendar.objects.filter(
                installation=requestor.installation, pk=int_or_none(data.get("pk")) or 0
            ).first()
            if calendar is None:
                raise DomainError("NOT_FOUND", "Unknown calendar.", "id")
        saved = sla_actions.save_calendar(
            installation=requestor.installation,
            name=data.get("name", ""),
            time_zone=(data.get("time_zone") or "UTC").strip(),
            weekly_hours=_weekly_hours(data),
            holidays=_codes(data.get("holidays", "")),
            is_24_7=data.get("is_24_7") == "on",
            calendar=calendar,
        )
        return saved.name

    return _sla_write(request, perform)


@csrf_exempt
@require_POST
def policy_save_fragment(request: HttpRequest) -> HttpResponse:
    def perform(requestor, data):
        installation = requestor.installation
        policy = None
        if data.get("pk"):
            policy = SlaPolicy.objects.filter(
                installation=installation, pk=int_or_none(data.get("pk")) or 0
            ).first()
            if policy is None:
                raise DomainError("NOT_FOUND", "Unknown SLA policy.", "id")
        calendar = None
        if data.get("calendar"):
            calendar = BusinessCalendar.objects.filter(
                installation=installation, pk=int_or_none(data.get("calendar")) or 0
            ).first()
            if calendar is None:
                raise DomainError("NOT_FOUND", "Unknown calendar.", "calendarId")
        saved = sla_actions.save_policy(
            installation=installation,
            subject_type=data.get("subject_type", ""),
            metric=data.get("metric", "").strip()[:64],
            target_minutes=_whole(data, "target_minutes", "targetMinutes"),
            priority=data.get("priority", "").strip()[:16],
            channel=data.get("channel", "").strip()[:32],
            warning_minutes_before=_whole(data, "warning_minutes_before", "warningMinutesBefore", default=0),
            calendar=calendar,
            is_active=data.get("is_active") == "on",
            policy=policy,
        )
        return f"{saved.subject_type} / {saved.metric}"

    return _sla_write(request, perform)


# ---- Notification templates ------------------------------------------------------------------------------------


def _selected(request: HttpRequest) -> tuple[str, str]:
    values = params(request)
    events = notification_templates.events()
    event = values.get("event", "")
    language = values.get("language", "")
    return (event if event in events else (events[0] if events else "")), (
        language if language in SUPPORTED_LANGUAGES else "en"
    )


def render_templates(
    request: HttpRequest,
    requestor: Requestor,
    *,
    error=None,
    trigger=None,
    draft: tuple[str, str] | None = None,
) -> HttpResponse:
    """Every event with which languages the shop overrides (one query), and the editor of the chosen one."""
    installation = requestor.installation
    overrides = notification_selectors.overrides_for(installation)
    event, language = _selected(request)
    rows = [
        {"event": name, "overridden": [lang for lang in SUPPORTED_LANGUAGES if (name, lang) in overrides]}
        for name in notification_templates.events()
    ]
    preview = None
    subject = body = ""
    overridden = False
    if event:
        subject, body, overridden = notification_templates.template_for(
            installation, event, language, override=overrides.get((event, language))
        )
        overridden = (event, language) in overrides
        if draft is not None:
            subject, body = draft
        if error is None:
            try:
                preview = notification_actions.preview_template(
                    installation=installation,
                    event=event,
                    language=language,
                    subject=subject if draft else None,
                    body=body if draft else None,
                )
            except DomainError as exc:
                error = form_error(exc)
    context = {
        "t": request.texts,  # type: ignore[attr-defined]
        "tab": "notifications",
        "rows": rows,
        "event": event,
        "language": language,
        "languages": SUPPORTED_LANGUAGES,
        "subject": subject,
        "body": body,
        "overridden": overridden,
        "placeholders": sorted(notification_templates.allowed_placeholders(event)) if event else [],
        "preview": preview,
        "error": error,
    }
    return with_trigger(render(request, "dashboard/settings_notifications.html", context), trigger)


@csrf_exempt
@require_GET
def templates_fragment(request: HttpRequest) -> HttpResponse:
    requestor = staff(request, TEMPLATES_PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    return render_templates(request, requestor)


@csrf_exempt
@require_POST
def template_save_fragment(request: HttpRequest) -> HttpResponse:
    """`op` = preview (writes nothing), save, or reset (back to the default text)."""
    requestor = staff(request, TEMPLATES_PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    data = request.POST
    event, language = data.get("event", ""), data.get("language", "")
    draft = (data.get("subject", ""), data.get("body", ""))
    op = data.get("op", "save")
    texts = request.texts  # type: ignore[attr-defined]
    try:
        if op == "preview":
            return render_templates(request, requestor, draft=draft)
        if op == "reset":
            notification_actions.delete_template(
                installation=requestor.installation, event=event, language=language, actor=requestor.actor
            )
            return render_templates(request, requestor, trigger=success(texts["template_reset"], event))
        notification_actions.save_template(
            installation=requestor.installation,
            event=event,
            language=language,
            subject=draft[0],
            body=draft[1],
            actor=requestor.actor,
        )
    except DomainError as exc:
        return render_templates(request, requestor, error=form_error(exc), trigger=failure(exc), draft=draft)
    return render_templates(request, requestor, trigger=success(texts["saved"], event))


# ---- deletions (the same actions as warrantyTermsDelete / slaPolicyDelete / slaCalendarDelete) -------------------


@csrf_exempt
@require_POST
def terms_delete_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(requestor, data):
        terms = WarrantyTerms.objects.filter(installation=requestor.installation, pk=pk).first()
        if terms is None:
            raise DomainError("NOT_FOUND", "Unknown warranty terms.", "id")
        warranty_actions.delete_terms(terms=terms, actor=requestor.actor)

    return _warranty_write(request, perform, "")


@csrf_exempt
@require_POST
def policy_delete_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(requestor, data):
        policy = SlaPolicy.objects.filter(installation=requestor.installation, pk=pk).first()
        if policy is None:
            raise DomainError("NOT_FOUND", "Unknown SLA policy.", "id")
        sla_actions.delete_policy(policy=policy)
        return ""

    return _sla_write(request, perform)


@csrf_exempt
@require_POST
def calendar_delete_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(requestor, data):
        calendar = BusinessCalendar.objects.filter(installation=requestor.installation, pk=pk).first()
        if calendar is None:
            raise DomainError("NOT_FOUND", "Unknown calendar.", "id")
        sla_actions.delete_calendar(calendar=calendar)
        return ""

    return _sla_write(request, perform)
