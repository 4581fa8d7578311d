"""Service cases: the inbox (SLA state, last message, filters) and the case page (thread + merged timeline,
reply / internal note / wait on customer, state moves). MANAGE_ORDERS, like the GraphQL staff API."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ...core.errors import DomainError
from ...core.time import now
from ...installations.auth import Requestor
from ...service import actions as service_actions
from ...service import selectors as service_selectors
from ...service.models import CaseStatus, ServiceCase
from ...service.state import STAFF_TRANSITIONS, can
from ...service.timeline import build_timeline
from ...sla.models import SlaClock
from ...sla.selectors import sla_state
from ..labels import actor_label
from ..labels import choices as status_choices
from .common import failure, form_error, params, shell, staff, success, with_trigger

PERMISSION = "MANAGE_ORDERS"
INBOX_SIZE = 50
ACTIVE = (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.WAITING_ON_CUSTOMER)
RANK = {"breached": 0, "at_risk": 1, "on_track": 2, "paused": 3, "met": 4}


def service_page(request: HttpRequest) -> HttpResponse:
    return shell(request, "service")


def sla_of(rows) -> None:
    """The most urgent clock state per case, one query for the whole page."""
    current = now()
    clocks: dict[str, list] = {}
    for clock in SlaClock.objects.filter(
        installation_id__in={row.installation_id for row in rows},
        subject_type="service_case",
        subject_id__in=[str(row.pk) for row in rows],
    ).exclude(status="cancelled"):
        clocks.setdefault(clock.subject_id, []).append(clock)
    for row in rows:
        states = sorted((sla_state(c, current) for c in clocks.get(str(row.pk), [])), key=RANK.get)
        row.sla = states[0] if states else "none"
        row.overdue = False  # the SLA pill says it


@csrf_exempt
@require_GET
def service_fragment(request: HttpRequest) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    values = params(request)
    status = values.get("status", "active")
    search = values.get("q", "").strip()[:100]
    statuses = ACTIVE if status == "active" else ([status] if status in CaseStatus.values else [])
    rows = service_selectors.inbox(requestor.installation, now=now(), statuses=statuses, search=search)
    page = list(rows[:INBOX_SIZE])
    sla_of(page)
    context = {
        "t": request.texts,
        "rows": page,
        "status": status,
        "q": search,
        "statuses": status_choices(ServiceCase, request.language),
    }
    return render(request, "dashboard/service_inbox.html", context)


def render_case(
    request: HttpRequest,
    requestor: Requestor,
    pk: int,
    *,
    trigger: dict | None = None,
    error: dict | None = None,
) -> HttpResponse:
    case = (
        ServiceCase.objects.filter(installation=requestor.installation, pk=pk)
        .prefetch_related("messages__attachments", "events", "tags")
        .first()
    )
    if case is None:
        return HttpResponse(status=404)
    sla_of([case])
    language = getattr(request, "language", "en")
    timeline = [
        {
            "at": entry.created_at,
            "source": entry.source,
            "type": entry.type,
            "label": entry.message(language),
            "who": entry.actor_email or actor_label(entry.actor_type, language),
            "note": entry.note,
            "internal": entry.internal,
        }
        for entry in build_timeline(case, include_internal=True)
    ]
    context = {
        "t": request.texts,
        "case": case,
        "error": error,
        "timeline": timeline,
        "clocks": [
            {"metric": c.metric, "status": c.status, "due": c.due_at, "state": sla_state(c, now())}
            for c in SlaClock.objects.filter(
                installation=requestor.installation, subject_type="service_case", subject_id=str(case.pk)
            ).exclude(status="cancelled")
        ],
        "transitions": [name for name in STAFF_TRANSITIONS if can(case, name)],
        "closed": case.status == CaseStatus.CLOSED,
    }
    return with_trigger(render(request, "dashboard/service_case.html", context), trigger)


@csrf_exempt
@require_GET
def service_case_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    return render_case(request, requestor, pk)


def _act(request: HttpRequest, pk: int, perform, done_key: str) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    case = ServiceCase.objects.filter(installation=requestor.installation, pk=pk).first()
    if case is None:
        return HttpResponse(status=404)
    try:
        perform(case, requestor.actor, request.POST)
    except DomainError as exc:
        return render_case(request, requestor, pk, trigger=failure(exc), error=form_error(exc))
    return render_case(request, requestor, pk, trigger=success(request.texts[done_key], case.number))


@csrf_exempt
@require_POST
def service_reply_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case, actor, data):
        service_actions.add_message(
            case=case,
            actor=actor,
            body=data.get("body", ""),
            internal=data.get("internal") == "on",
            wait_on_customer=data.get("wait") == "on" and data.get("internal") != "on",
        )

    return _act(request, pk, perform, "case_replied")


@csrf_exempt
@require_POST
def service_transition_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case, actor, data):
        service_actions.transition_case(
            case=case, actor=actor, transition=data.get("transition", ""), note=data.get("note", "")
        )

    return _act(request, pk, perform, "case_moved")
