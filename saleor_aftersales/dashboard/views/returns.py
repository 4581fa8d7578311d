"""Returns: the queue (filters, search, bulk approve / receive), the detail page with every action the request's
state allows, and the order's MORE_ACTIONS popup that starts a return or claim on the customer's behalf."""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ...core.errors import DomainError
from ...installations.auth import Requestor
from ...orders.models import Order
from ...returns import actions as return_actions
from ...returns import reasons as return_reasons
from ...returns import selectors as return_selectors
from ...returns.models import RequestKind, Resolution, ReturnEvent, ReturnLine, ReturnRequest, ReturnStatus
from ...returns.state import OPEN, can
from ..labels import choices as status_choices
from ..labels import field_choices
from .common import (
    failure,
    form_error,
    int_or_none,
    params,
    posted_key,
    shell,
    staff,
    success,
    with_trigger,
)

PERMISSION = "MANAGE_ORDERS"
QUEUE_SIZE = 50
KINDS = (RequestKind.RETURN, RequestKind.CLAIM)


def returns_page(request: HttpRequest) -> HttpResponse:
    return shell(request, "returns")


def order_actions_popup(request: HttpRequest) -> HttpResponse:
    return shell(request, "order-actions")


# ---- queue -----------------------------------------------------------------------------------------------------


def queue_rows(installation, *, status: str = "", search: str = "", kind: str = ""):
    rows = return_selectors.requests_for(installation).select_related("order")
    if status == "open":
        rows = rows.filter(status__in=OPEN)
    elif status == "overdue":
        rows = rows.filter(status__in=OPEN, next_step_due_at__lt=timezone.now())
    elif status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if search:
        rows = rows.filter(
            Q(number__icontains=search) | Q(order__number=search) | Q(customer_email__icontains=search)
        )
    return rows


def decorate(rows, now):
    """What the templates need to know per request: overdue, and which actions its state allows."""
    for row in rows:
        row.overdue = bool(row.next_step_due_at and row.next_step_due_at < now)
        row.can_approve = can(row, "approve")
        row.can_reject = can(row, "reject")
        row.can_receive = row.kind != RequestKind.CLAIM and can(row, "receive")
        row.can_inspect = can(row, "inspect")
        row.can_resolve = row.status == ReturnStatus.INSPECTED or (
            row.kind == RequestKind.CLAIM and can(row, "resolve")
        )
        row.can_retry = row.status == ReturnStatus.SETTLEMENT_FAILED
    return rows


@csrf_exempt
@require_GET
def returns_fragment(request: HttpRequest) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    return render_queue(request, requestor)


def render_queue(request: HttpRequest, requestor: Requestor, trigger: dict | None = None) -> HttpResponse:
    values = params(request)
    status = values.get("status", "open")
    kind = values.get("kind", "") if values.get("kind", "") in RequestKind.values else ""
    search = values.get("q", "").strip()[:100]
    rows = decorate(
        list(queue_rows(requestor.installation, status=status, search=search, kind=kind)[:QUEUE_SIZE]),
        timezone.now(),
    )
    context = {
        "t": request.texts,
        "rows": rows,
        "status": status,
        "kind": kind,
        "q": search,
        "statuses": status_choices(ReturnRequest, request.language),
        "kinds": field_choices(ReturnRequest, "kind", request.language),
    }
    return with_trigger(render(request, "dashboard/returns_queue.html", context), trigger)


def _bulk(request: HttpRequest, move, done_key: str) -> HttpResponse:
    """Move the ticked requests one by one (each in its own transaction); report how many did not move."""
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()][:QUEUE_SIZE]
    moved = 0
    for item in return_selectors.requests_for(requestor.installation).filter(pk__in=ids):
        try:
            move(item, requestor)
            moved += 1
        except DomainError:
            pass
    # Ids of other installations, unknown ids and refusals all count as not moved.
    status = "success" if moved == len(ids) else "warning"
    title = request.texts[done_key]
    trigger = {"aftersales:notify": {"status": status, "title": title, "text": f"{moved} / {len(ids)}"}}
    return render_queue(request, requestor, trigger)


@csrf_exempt
@require_POST
def returns_bulk_approve_fragment(request: HttpRequest) -> HttpResponse:
    return _bulk(
        request,
        lambda item, requestor: return_actions.approve_return_request(request=item, actor=requestor.actor),
        "approved",
    )


@csrf_exempt
@require_POST
def returns_bulk_receive_fragment(request: HttpRequest) -> HttpResponse:
    return _bulk(
        request,
        lambda item, requestor: return_actions.receive_return_request(request=item, actor=requestor.actor),
        "received",
    )


# ---- detail ----------------------------------------------------------------------------------------------------


def _load(requestor: Requestor, pk: int) -> ReturnRequest | None:
    return (
        return_selectors.requests_for(requestor.installation)
        .select_related("order")
        .prefetch_related(
            "lines__order_line", Prefetch("events", queryset=ReturnEvent.objects.order_by("created_at", "id"))
        )
        .filter(pk=pk)
        .first()
    )


def render_detail(
    request: HttpRequest,
    requestor: Requestor,
    pk: int,
    *,
    trigger: dict | None = None,
    error: dict | None = None,
) -> HttpResponse:
    item = _load(requestor, pk)
    if item is None:
        return HttpResponse(status=404)
    decorate([item], timezone.now())
    lines = list(item.lines.all())
    for line in lines:
        line.still_expected = max(line.approved_quantity - line.received_quantity, 0)
    offered = list(Resolution.values)
    if item.can_resolve:
        terms, _ = return_selectors.order_policy(item.order)
        offered = [r for r in Resolution.values if r in terms.offered_resolutions or r == item.resolution]
    context = {
        "t": request.texts,
        "item": item,
        "lines": lines,
        "error": error,
        "conditions": field_choices(ReturnLine, "condition", request.language),
        "resolutions": field_choices(ReturnRequest, "resolution", request.language, only=offered),
    }
    return with_trigger(render(request, "dashboard/return_detail.html", context), trigger)


@csrf_exempt
@require_GET
def return_detail_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    return render_detail(request, requestor, pk)


def _act(request: HttpRequest, pk: int, perform, done_key: str) -> HttpResponse:
    """Run one action on the request; a DomainError becomes the form's error (nothing was written)."""
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    item = return_selectors.requests_for(requestor.installation).filter(pk=pk).first()
    if item is None:
        return HttpResponse(status=404)
    try:
        item = perform(item, requestor.actor, request.POST)
    except DomainError as exc:
        return render_detail(request, requestor, pk, trigger=failure(exc), error=form_error(exc))
    trigger = success(request.texts[done_key], item.number, refresh=True)
    return render_detail(request, requestor, pk, trigger=trigger)


def _line_numbers(data, prefix: str) -> dict[int, int]:
    """Per-line integers posted as `<prefix>-<line pk>`; blanks are skipped, junk is a typed error."""
    found: dict[int, int] = {}
    for key, value in data.items():
        if not key.startswith(prefix + "-") or not str(value).strip():
            continue
        pk, number = int_or_none(key[len(prefix) + 1 :]), int_or_none(value)
        if pk is None or number is None:
            raise DomainError("INVALID", "Enter whole numbers.", "lines")
        found[pk] = number
    return found


@csrf_exempt
@require_POST
def return_approve_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(item, actor, data):
        return return_actions.approve_return_request(request=item, actor=actor, note=data.get("note", ""))

    return _act(request, pk, perform, "approved")


@csrf_exempt
@require_POST
def return_reject_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(item, actor, data):
        return return_actions.reject_return_request(request=item, actor=actor, reason=data.get("reason", ""))

    return _act(request, pk, perform, "rejected")


@csrf_exempt
@require_POST
def return_receive_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(item, actor, data):
        quantities = _line_numbers(data, "received") or None
        return return_actions.receive_return_request(request=item, actor=actor, quantities=quantities)

    return _act(request, pk, perform, "received")


@csrf_exempt
@require_POST
def return_inspect_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(item, actor, data):
        inspections = [
            return_actions.Inspection(
                line_id=line_id,
                condition=data.get(f"condition-{line_id}", ""),
                restock=data.get(f"restock-{line_id}") == "on",
                note=data.get(f"note-{line_id}", ""),
            )
            for line_id in (
                int_or_none(key[len("condition-") :]) for key in data if key.startswith("condition-")
            )
            if line_id is not None
        ]
        if not inspections:
            raise DomainError("REQUIRED", "Inspect at least one line.", "lines")
        return return_actions.inspect_return_request(request=item, actor=actor, inspections=inspections)

    return _act(request, pk, perform, "inspected")


@csrf_exempt
@require_POST
def return_resolve_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(item, actor, data):
        return return_actions.resolve_return_request(
            request=item, actor=actor, resolution=data.get("resolution") or None
        )

    return _act(request, pk, perform, "resolving")


@csrf_exempt
@require_POST
def return_retry_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(item, actor, data):
        return return_actions.retry_settlement(request=item, actor=actor)

    return _act(request, pk, perform, "retried")


# ---- ORDER_DETAILS_MORE_ACTIONS popup: start a return or claim for this order ----------------------------------


def _order(requestor: Requestor, order_id: str) -> Order | None:
    return (
        Order.objects.filter(installation=requestor.installation, saleor_id=order_id)
        .select_related("installation")
        .first()
    )


def render_start(
    request: HttpRequest, requestor: Requestor, order: Order | None, *, error=None, trigger=None, **popup
):
    """The order popup: start a return or claim here; file a warranty claim or open a case (views/popups.py)."""
    from .popups import order_popup_context

    rows = []
    reasons = []
    if order is not None:
        rows = return_selectors.order_eligibility(order, now=timezone.now())
        reasons = [
            (reason.code, reason.label(request.language))
            # Only reasons a request can carry: a parent with active children is a heading, not a choice.
            for reason in sorted(
                return_reasons.selectable(return_selectors.reason_catalogue(requestor.installation)).values(),
                key=lambda r: r.position,
            )
        ]
    context = {
        "t": request.texts,
        "order": order,
        "rows": rows,
        "reasons": reasons,
        "kinds": field_choices(ReturnRequest, "kind", request.language, only=KINDS),
        "resolutions": [
            (v, label)
            for v, label in field_choices(ReturnRequest, "resolution", request.language)
            if v != Resolution.EXCHANGE
        ],
        "error": error,
        **order_popup_context(request, requestor, order, **popup),
    }
    return with_trigger(render(request, "dashboard/order_actions.html", context), trigger)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def order_actions_fragment(request: HttpRequest) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    order = _order(requestor, params(request).get("orderId", ""))
    if request.method == "GET":
        return render_start(request, requestor, order)
    if order is None:
        return HttpResponse(status=404)
    try:
        quantities = {pk: qty for pk, qty in _line_numbers(request.POST, "qty").items() if qty}
        lines = [
            return_actions.LineInput(
                order_line_id=pk,
                quantity=qty,
                reason_code=request.POST.get("reason", ""),
                comment=request.POST.get("comment", ""),
            )
            for pk, qty in quantities.items()
        ]
        created = return_actions.create_return_request(
            order=order,
            actor=requestor.actor,
            lines=lines,
            resolution=request.POST.get("resolution", ""),
            kind=request.POST.get("kind", RequestKind.RETURN),
            comment=request.POST.get("comment", ""),
            idempotency_key=posted_key(request),
        )
    except DomainError as exc:
        return render_start(request, requestor, order, error=form_error(exc), trigger=failure(exc))
    trigger = success(request.texts["return_started"], created.number, refresh=True, close=True)
    return render_detail(request, requestor, created.pk, trigger=trigger)
