"""Warranty & repairs: the claim queue, the claim detail with the decisions its state allows, the repair board by
service center and state (with the transitions each repair order's state allows), and the repair order detail
(lines, quote, tracking, assignment, transitions)."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ...core.errors import DomainError, NotFoundError
from ...core.money import quantize
from ...installations.auth import Requestor
from ...sla.selectors import clocks_for, sla_state
from ...warranty import actions as warranty_actions
from ...warranty.models import (
    ClaimStatus,
    RepairLine,
    RepairLineKind,
    RepairOrder,
    RepairStatus,
    ServiceCenter,
    Technician,
    WarrantyClaim,
)
from ...warranty.state import CLAIM_OPEN, REPAIR_OPEN, STAFF_REPAIR_TRANSITIONS, can_claim, can_repair
from ..labels import choice_label, field_choices, status_label
from ..labels import choices as status_choices
from .common import failure, form_error, int_or_none, params, shell, staff, success, with_trigger

PERMISSION = "MANAGE_ORDERS"
QUEUE_SIZE = 50
PER_COLUMN = 20


def warranty_page(request: HttpRequest) -> HttpResponse:
    return shell(request, "warranty")


def _with_sla(installation, rows, subject_type: str, now):
    clocks = clocks_for(installation, subject_type, [row.pk for row in rows])
    for row in rows:
        running = [c for c in clocks.get(str(row.pk), []) if c.status in ("running", "paused")]
        latest = (
            running[0]
            if running
            else max(clocks.get(str(row.pk), []), key=lambda c: c.started_at, default=None)
        )
        row.sla = sla_state(latest, now)
    return rows


def _transitions(repair) -> list[str]:
    return [name for name in STAFF_REPAIR_TRANSITIONS if can_repair(repair, name)]


def render_section(request: HttpRequest, requestor: Requestor, trigger: dict | None = None) -> HttpResponse:
    installation = requestor.installation
    values = params(request)
    now = timezone.now()
    status = values.get("status", "open")
    search = values.get("q", "").strip()[:100]
    claims = WarrantyClaim.objects.filter(installation=installation).select_related(
        "warranty", "warranty__order"
    )
    if status == "open":
        claims = claims.filter(status__in=CLAIM_OPEN)
    elif status in ClaimStatus.values:
        claims = claims.filter(status=status)
    if search:
        claims = claims.filter(
            Q(number__iexact=search) | Q(customer_email__icontains=search) | Q(warranty__order__number=search)
        )
    claim_rows = _with_sla(
        installation, list(claims.order_by("created_at", "id")[:QUEUE_SIZE]), "warranty_claim", now
    )
    centers = list(ServiceCenter.objects.filter(installation=installation))
    center_pk = int_or_none(values.get("center"))
    repairs = RepairOrder.objects.filter(installation=installation, status__in=REPAIR_OPEN).select_related(
        "center"
    )
    if center_pk:
        repairs = repairs.filter(center_id=center_pk)
    repair_rows = _with_sla(
        installation,
        list(repairs.order_by("promised_at", "id")[: PER_COLUMN * len(REPAIR_OPEN)]),
        "repair_order",
        now,
    )
    columns = []
    for value in REPAIR_OPEN:
        rows = [row for row in repair_rows if row.status == value][:PER_COLUMN]
        for row in rows:
            row.transitions = _transitions(row)
        columns.append(
            {"status": value, "label": status_label(RepairOrder, value, request.language), "rows": rows}
        )
    context = {
        "t": request.texts,
        "claims": claim_rows,
        "status": status,
        "q": search,
        "statuses": status_choices(WarrantyClaim, request.language),
        "centers": centers,
        "center": center_pk,
        "columns": columns,
    }
    return with_trigger(render(request, "dashboard/warranty.html", context), trigger)


@csrf_exempt
@require_GET
def warranty_fragment(request: HttpRequest) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    return render_section(request, requestor)


def _claim(requestor: Requestor, pk: int) -> WarrantyClaim:
    claim = (
        WarrantyClaim.objects.filter(installation=requestor.installation, pk=pk)
        .select_related("warranty", "warranty__order")
        .first()
    )
    if claim is None:
        raise NotFoundError("Unknown claim.")
    return claim


def render_claim(
    request: HttpRequest,
    requestor: Requestor,
    pk: int,
    *,
    error: dict | None = None,
    trigger: dict | None = None,
) -> HttpResponse:
    try:
        claim = _claim(requestor, pk)
    except NotFoundError:
        return render(request, "dashboard/refused.html", {"t": request.texts, "status": 404}, status=404)
    now = timezone.now()
    _with_sla(requestor.installation, [claim], "warranty_claim", now)
    repairs = list(claim.repair_orders.select_related("center", "technician"))
    for repair in repairs:
        repair.transitions = _transitions(repair)
    unrepairable = bool(repairs) and all(r.status == RepairStatus.UNREPAIRABLE for r in repairs)
    decisions = [
        (value, label)
        for value, label in field_choices(WarrantyClaim, "decision", request.language)
        if claim.status == ClaimStatus.SUBMITTED or (unrepairable and value in ("replace", "refund"))
    ]
    context = {
        "t": request.texts,
        "claim": claim,
        "row": claim,
        "warranty": claim.warranty,
        "events": list(claim.events.all()),
        "photos": list(claim.photos.all()),
        "repairs": repairs,
        "decisions": decisions if can_claim(claim, "decide_replace") or can_claim(claim, "reject") else [],
        "centers": list(ServiceCenter.objects.filter(installation=requestor.installation, is_active=True)),
        "error": error,
    }
    return with_trigger(render(request, "dashboard/warranty_claim.html", context), trigger)


@csrf_exempt
@require_GET
def claim_detail_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    return render_claim(request, requestor, pk)


@csrf_exempt
@require_POST
def claim_decide_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    try:
        claim = _claim(requestor, pk)
        center_pk = int_or_none(request.POST.get("center"))
        center = (
            ServiceCenter.objects.filter(installation=requestor.installation, pk=center_pk).first()
            if center_pk
            else None
        )
        warranty_actions.decide_claim(
            claim=claim,
            actor=requestor.actor,
            decision=request.POST.get("decision", ""),
            note=request.POST.get("note", ""),
            center=center,
        )
    except DomainError as exc:
        return render_claim(request, requestor, pk, error=form_error(exc), trigger=failure(exc))
    trigger = success(request.texts["decided"], claim.number, refresh=True)
    return render_claim(request, requestor, pk, trigger=trigger)


@csrf_exempt
@require_POST
def repair_transition_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    repair = RepairOrder.objects.filter(installation=requestor.installation, pk=pk).first()
    back_to_claim = request.POST.get("claim")
    back_to_repair = request.POST.get("repair") and repair is not None
    try:
        if repair is None:
            raise NotFoundError("Unknown repair order.")
        warranty_actions.transition_repair(
            repair=repair,
            actor=requestor.actor,
            transition=request.POST.get("transition", ""),
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        if back_to_repair and repair is not None:
            return render_repair(
                request, requestor, repair.pk, error=form_error(exc), form="transition", trigger=failure(exc)
            )
        if back_to_claim and repair is not None and repair.claim_id:
            return render_claim(
                request, requestor, repair.claim_id, error=form_error(exc), trigger=failure(exc)
            )
        return render_section(request, requestor, trigger=failure(exc))
    trigger = success(request.texts["moved"], repair.number, refresh=True)
    if back_to_repair:
        return render_repair(request, requestor, repair.pk, trigger=trigger)
    if back_to_claim and repair.claim_id:
        return render_claim(request, requestor, repair.claim_id, trigger=trigger)
    return render_section(request, requestor, trigger=trigger)


# --- repair order detail ------------------------------------------------------------------------------------


def _repair(requestor: Requestor, pk: int) -> RepairOrder:
    repair = (
        RepairOrder.objects.filter(installation=requestor.installation, pk=pk)
        .select_related("center", "technician", "claim", "order")
        .first()
    )
    if repair is None:
        raise NotFoundError("Unknown repair order.")
    return repair


def _editable(repair: RepairOrder) -> bool:
    return repair.status in REPAIR_OPEN and repair.status != RepairStatus.AWAITING_APPROVAL


def render_repair(
    request: HttpRequest,
    requestor: Requestor,
    pk: int,
    *,
    error: dict | None = None,
    form: str = "",
    trigger: dict | None = None,
) -> HttpResponse:
    """State, center, technician, promised date, SLA, parts and labour with totals, tracking, quote, timeline,
    and the forms the repair order's state allows (each through the warranty actions, like GraphQL)."""
    try:
        repair = _repair(requestor, pk)
    except NotFoundError:
        return render(request, "dashboard/refused.html", {"t": request.texts, "status": 404}, status=404)
    installation = requestor.installation
    _with_sla(installation, [repair], "repair_order", timezone.now())
    lines = list(repair.lines.all())
    language = request.language
    for line in lines:
        line.amount = quantize(line.quantity * line.unit_cost, repair.currency)
        line.kind_label = choice_label(RepairLine, "kind", line.kind, language)
    repair.quote_label = choice_label(RepairOrder, "quote_status", repair.quote_status, language)
    is_open = repair.status in REPAIR_OPEN
    context = {
        "t": request.texts,
        "repair": repair,
        "row": repair,
        "lines": lines,
        "totals": warranty_actions.totals_of(repair, lines),
        "events": list(repair.events.all()),
        "transitions": _transitions(repair),
        "editable": _editable(repair),
        "can_quote": can_repair(repair, "request_approval"),
        "can_track": repair.status != RepairStatus.COMPLETED,
        "can_assign": is_open,
        "centers": list(ServiceCenter.objects.filter(installation=installation, is_active=True))
        if is_open
        else [],
        "technicians": list(
            Technician.objects.filter(installation=installation, is_active=True).select_related("center")
        )
        if is_open
        else [],
        "kinds": [
            (value, choice_label(RepairLine, "kind", value, language)) for value in RepairLineKind.values
        ],
        "error": error,
        "form": form,
    }
    return with_trigger(render(request, "dashboard/warranty_repair.html", context), trigger)


@csrf_exempt
@require_GET
def repair_detail_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    return render_repair(request, requestor, pk)


def _repair_write(request: HttpRequest, pk: int, form: str, write) -> HttpResponse:
    """Run one warranty action on the repair order; a DomainError re-renders the form with nothing written."""
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    try:
        repair = _repair(requestor, pk)
        write(requestor, repair)
    except DomainError as exc:
        return render_repair(request, requestor, pk, error=form_error(exc), form=form, trigger=failure(exc))
    trigger = success(request.texts["moved"], repair.number, refresh=True)
    return render_repair(request, requestor, pk, trigger=trigger)


def _covered(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get((value or "").strip())


@csrf_exempt
@require_POST
def repair_line_add_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    def write(requestor: Requestor, repair: RepairOrder) -> None:
        warranty_actions.add_repair_line(
            repair=repair,
            actor=requestor.actor,
            kind=request.POST.get("kind", ""),
            description=request.POST.get("description", ""),
            quantity=request.POST.get("quantity", ""),
            unit_cost=request.POST.get("unit_cost", ""),
            covered=_covered(request.POST.get("covered")),
            sku=request.POST.get("sku", ""),
        )

    return _repair_write(request, pk, "line", write)


@csrf_exempt
@require_POST
def repair_line_remove_fragment(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    def write(requestor: Requestor, repair: RepairOrder) -> None:
        line = (
            RepairLine.objects.filter(repair_order=repair, pk=line_pk).select_related("repair_order").first()
        )
        if line is None:
            raise NotFoundError("Unknown repair line.", "line")
        warranty_actions.remove_repair_line(line=line, actor=requestor.actor)

    return _repair_write(request, pk, "line", write)


@csrf_exempt
@require_POST
def repair_quote_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    def write(requestor: Requestor, repair: RepairOrder) -> None:
        amount = request.POST.get("amount", "").strip()
        warranty_actions.send_quote(
            repair=repair, actor=requestor.actor, amount=amount or None, note=request.POST.get("note", "")
        )

    return _repair_write(request, pk, "quote", write)


@csrf_exempt
@require_POST
def repair_tracking_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    def write(requestor: Requestor, repair: RepairOrder) -> None:
        warranty_actions.set_repair_tracking(
            repair=repair,
            actor=requestor.actor,
            direction=request.POST.get("direction", ""),
            carrier=request.POST.get("carrier", ""),
            tracking_number=request.POST.get("tracking_number", ""),
        )

    return _repair_write(request, pk, "tracking", write)


@csrf_exempt
@require_POST
def repair_assign_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    def write(requestor: Requestor, repair: RepairOrder) -> None:
        installation = requestor.installation
        center_pk = int_or_none(request.POST.get("center"))
        center = (
            ServiceCenter.objects.filter(installation=installation, pk=center_pk).first()
            if center_pk
            else None
        )
        if center is None:
            raise NotFoundError("Unknown service center.", "center")
        technician = None
        technician_pk = int_or_none(request.POST.get("technician"))
        if technician_pk:
            technician = Technician.objects.filter(installation=installation, pk=technician_pk).first()
            if technician is None:
                raise NotFoundError("Unknown technician.", "technician")
        warranty_actions.assign_repair(
            repair=repair, actor=requestor.actor, center=center, technician=technician
        )

    return _repair_write(request, pk, "assign", write)
