"""The merchant's after-sales pages inside the Saleor Dashboard.

Two kinds of endpoints:
- shells (`/dashboard/...`): static HTML with no data; the Dashboard loads them in an iframe. bridge.js waits for
  the `handshake` (token), then fetches the screen's fragment — ONE round trip per screen.
- fragments (`/dashboard/frag/...`): server-rendered from our selectors (no GraphQL hop inside our own process),
  each authenticated with the Dashboard JWT (`authorization-bearer` + `saleor-api-url`) and a required permission.
  htmx sends the same headers on every follow-up request, so no cookie and no CSRF token is involved: an attacker
  page cannot forge the header.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ..core.errors import DomainError, PermissionDeniedError
from ..installations.auth import AuthenticationFailed, Requestor, authenticate
from ..returns import actions as return_actions
from ..returns.models import ReturnEvent, ReturnStatus
from ..returns.selectors import requests_for
from ..returns.state import OPEN, can
from .i18n import texts_for

logger = logging.getLogger(__name__)

SHELL_SCREENS = {
    "returns": ("returns", "/dashboard/frag/returns"),
    "order-widget": ("widget", "/dashboard/frag/widgets/order"),
    "customer-widget": ("widget", "/dashboard/frag/widgets/customer"),
    "home-widget": ("widget", "/dashboard/frag/widgets/home"),
}
QUEUE_SIZE = 50


def index(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        "<!doctype html><title>saleor-aftersales</title><p>Install this app in Saleor with the manifest at "
        "<code>/api/manifest</code>.</p>"
    )


def privacy(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<!doctype html><title>Privacy</title><p>Personal data is encrypted at rest.</p>")


def _shell(request: HttpRequest, screen: str) -> HttpResponse:
    kind, fragment_url = SHELL_SCREENS[screen]
    texts = texts_for(request.GET.get("locale"))
    context = {
        "kind": kind,
        "fragment_url": fragment_url,
        "t": texts,
        "theme": "dark" if request.GET.get("theme") == "dark" else "light",
        "lang": "zh-Hans" if texts is texts_for("zh") else "en",
    }
    return render(request, "dashboard/shell.html", context)


def app_home(request: HttpRequest) -> HttpResponse:
    return _shell(request, "returns")


def returns_page(request: HttpRequest) -> HttpResponse:
    return _shell(request, "returns")


def order_widget(request: HttpRequest) -> HttpResponse:
    return _shell(request, "order-widget")


def customer_widget(request: HttpRequest) -> HttpResponse:
    return _shell(request, "customer-widget")


def home_widget(request: HttpRequest) -> HttpResponse:
    return _shell(request, "home-widget")


# ---- fragments -------------------------------------------------------------------------------------------------


def _staff(request: HttpRequest, permission: str) -> Requestor | HttpResponse:
    texts = texts_for(request.GET.get("locale") or request.headers.get("X-Dashboard-Locale"))
    try:
        requestor = authenticate(request)
        if not requestor.is_authenticated:
            return _refusal(request, texts, 401)
        requestor.require_staff(permission)
    except AuthenticationFailed as exc:
        # Never log the token itself, only why it was refused.
        logger.info("dashboard token refused: %s", exc)
        return _refusal(request, texts, 401)
    except PermissionDeniedError:
        return _refusal(request, texts, 403)
    request.texts = texts
    return requestor


def _refusal(request: HttpRequest, texts: dict, status: int) -> HttpResponse:
    return render(request, "dashboard/refused.html", {"t": texts, "status": status}, status=status)


def _queue_rows(installation, *, status: str = "", search: str = ""):
    rows = requests_for(installation).select_related("order")
    if status == "open":
        rows = rows.filter(status__in=OPEN)
    elif status:
        rows = rows.filter(status=status)
    if search:
        rows = rows.filter(
            Q(number__icontains=search) | Q(order__number=search) | Q(customer_email__icontains=search)
        )
    return rows


def _decorate(rows, now):
    for row in rows:
        row.overdue = bool(row.next_step_due_at and row.next_step_due_at < now)
        row.can_approve = can(row, "approve")
    return rows


@csrf_exempt
@require_GET
def returns_fragment(request: HttpRequest) -> HttpResponse:
    requestor = _staff(request, "MANAGE_ORDERS")
    if isinstance(requestor, HttpResponse):
        return requestor
    return returns_fragment_render(request, requestor)


def returns_fragment_render(request: HttpRequest, requestor: Requestor) -> HttpResponse:
    params = request.GET if request.method == "GET" else request.POST
    status = params.get("status", "open")
    search = params.get("q", "").strip()[:100]
    rows = _decorate(
        list(_queue_rows(requestor.installation, status=status, search=search)[:QUEUE_SIZE]), timezone.now()
    )
    context = {
        "t": request.texts,
        "rows": rows,
        "status": status,
        "q": search,
        "statuses": ReturnStatus.choices,
    }
    return render(request, "dashboard/returns_queue.html", context)


def _detail(
    request: HttpRequest, requestor: Requestor, pk: int, *, status: int = 200, trigger: dict | None = None
):
    item = (
        requests_for(requestor.installation)
        .select_related("order")
        .prefetch_related(
            "lines__order_line", Prefetch("events", queryset=ReturnEvent.objects.order_by("created_at"))
        )
        .filter(pk=pk)
        .first()
    )
    if item is None:
        return HttpResponse(status=404)
    _decorate([item], timezone.now())
    response = render(
        request, "dashboard/return_detail.html", {"t": request.texts, "item": item}, status=status
    )
    if trigger:
        # bridge.js turns this into App Bridge actions (notification, refreshEntity) in the Dashboard.
        response["HX-Trigger"] = json.dumps(trigger)
    return response


@csrf_exempt
@require_GET
def return_detail_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    requestor = _staff(request, "MANAGE_ORDERS")
    if isinstance(requestor, HttpResponse):
        return requestor
    return _detail(request, requestor, pk)


@csrf_exempt
@require_POST
def return_approve_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    requestor = _staff(request, "MANAGE_ORDERS")
    if isinstance(requestor, HttpResponse):
        return requestor
    item = requests_for(requestor.installation).filter(pk=pk).first()
    if item is None:
        return HttpResponse(status=404)
    try:
        return_actions.approve_return_request(
            request=item, actor=requestor.actor, note=request.POST.get("note", "")
        )
    except DomainError as exc:
        trigger = {
            "aftersales:notify": {"status": "error", "title": exc.code, "text": exc.details[0].message}
        }
        return _detail(request, requestor, pk, status=200, trigger=trigger)
    trigger = {
        "aftersales:notify": {"status": "success", "title": request.texts["approved"], "text": item.number},
        "aftersales:refreshEntity": {},
    }
    return _detail(request, requestor, pk, trigger=trigger)


@csrf_exempt
@require_POST
def returns_bulk_approve_fragment(request: HttpRequest) -> HttpResponse:
    """Approve the ticked requests one by one (each in its own transaction); report how many did not move."""
    requestor = _staff(request, "MANAGE_ORDERS")
    if isinstance(requestor, HttpResponse):
        return requestor
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()][:QUEUE_SIZE]
    approved, failed = 0, 0
    for item in requests_for(requestor.installation).filter(pk__in=ids):
        try:
            return_actions.approve_return_request(request=item, actor=requestor.actor)
            approved += 1
        except DomainError:
            failed += 1
    failed += len(ids) - approved - failed  # ids of other installations or unknown ones
    status = "success" if not failed else "warning"
    text = f"{approved} / {len(ids)}"
    response = returns_fragment_render(request, requestor)
    response["HX-Trigger"] = json.dumps(
        {"aftersales:notify": {"status": status, "title": request.texts["approved"], "text": text}}
    )
    return response


@csrf_exempt
@require_GET
def order_widget_fragment(request: HttpRequest) -> HttpResponse:
    requestor = _staff(request, "MANAGE_ORDERS")
    if isinstance(requestor, HttpResponse):
        return requestor
    order_id = request.GET.get("orderId", "")
    rows = _decorate(
        list(
            requests_for(requestor.installation)
            .filter(order__saleor_id=order_id)
            .select_related("order")[:20]
        ),
        timezone.now(),
    )
    return render(
        request, "dashboard/order_widget.html", {"t": request.texts, "rows": rows, "order_id": order_id}
    )


@csrf_exempt
@require_GET
def customer_widget_fragment(request: HttpRequest) -> HttpResponse:
    requestor = _staff(request, "MANAGE_ORDERS")
    if isinstance(requestor, HttpResponse):
        return requestor
    customer_id = request.GET.get("customerId", "")
    rows = _decorate(
        list(
            requests_for(requestor.installation)
            .filter(customer_user_id=customer_id)
            .select_related("order")[:20]
        ),
        timezone.now(),
    )
    return render(request, "dashboard/order_widget.html", {"t": request.texts, "rows": rows, "order_id": ""})


@csrf_exempt
@require_GET
def home_widget_fragment(request: HttpRequest) -> HttpResponse:
    requestor = _staff(request, "MANAGE_ORDERS")
    if isinstance(requestor, HttpResponse):
        return requestor
    now = timezone.now()
    figures = requests_for(requestor.installation).aggregate(
        open=Count("id", filter=Q(status__in=OPEN)),
        breaches=Count("id", filter=Q(status__in=OPEN, next_step_due_at__lt=now)),
        today=Count("id", filter=Q(created_at__gte=now - timedelta(days=1))),
    )
    return render(request, "dashboard/home_widget.html", {"t": request.texts, "figures": figures})
