"""Widgets on the order page, the customer page and the Dashboard home (each reports its height)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from ...loyalty import selectors as loyalty_selectors
from ...returns.actions import SUBJECT as RETURN_SUBJECT
from ...returns.selectors import requests_for
from ...returns.state import OPEN
from ...sla.selectors import clocks_for, sla_state
from .common import shell, staff
from .returns import decorate

WIDGET_ROWS = 20
LOYALTY_PERMISSION = "MANAGE_USERS"


def order_widget(request: HttpRequest) -> HttpResponse:
    return shell(request, "order-widget")


def customer_widget(request: HttpRequest) -> HttpResponse:
    return shell(request, "customer-widget")


def home_widget(request: HttpRequest) -> HttpResponse:
    return shell(request, "home-widget")


def _with_sla(installation, rows, now):
    """Each request's SLA state from its latest clock (one query for all rows)."""
    clocks = clocks_for(installation, RETURN_SUBJECT, [row.pk for row in rows])
    for row in rows:
        latest = max(clocks.get(str(row.pk), []), key=lambda c: c.started_at, default=None)
        row.sla = sla_state(latest, now)
    return rows


@csrf_exempt
@require_GET
def order_widget_fragment(request: HttpRequest) -> HttpResponse:
    requestor = staff(request, "MANAGE_ORDERS")
    if isinstance(requestor, HttpResponse):
        return requestor
    now = timezone.now()
    order_id = request.GET.get("orderId", "")
    installation = requestor.installation
    rows = list(
        requests_for(installation).filter(order__saleor_id=order_id).select_related("order")[:WIDGET_ROWS]
    )
    rows = _with_sla(installation, decorate(rows, now), now)
    points = loyalty_selectors.points_earned_for_orders(installation, [order_id])[order_id] if order_id else 0
    context = {
        "t": request.texts,
        "rows": rows,
        "order_id": order_id,
        "points": points,
        "warranties": _order_warranties(installation, order_id, now),
    }
    return render(request, "dashboard/order_widget.html", context)


def _order_warranties(installation, order_id: str, now):
    """The order's warranties with days left and their open claims (two queries)."""
    from ...warranty.models import Warranty
    from ...warranty.policies import days_left
    from ...warranty.state import CLAIM_OPEN

    if not order_id:
        return []
    rows = list(Warranty.objects.filter(installation=installation, order__saleor_id=order_id)[:WIDGET_ROWS])
    claims: dict[int, list] = {}
    from ...warranty.models import WarrantyClaim

    for claim in WarrantyClaim.objects.filter(warranty__in=rows, status__in=CLAIM_OPEN):
        claims.setdefault(claim.warranty_id, []).append(claim)
    for row in rows:
        row.days_left = days_left(expires_at=row.expires_at, now=now)
        row.open_claims = claims.get(row.pk, [])
    return rows


@csrf_exempt
@require_GET
def customer_widget_fragment(request: HttpRequest) -> HttpResponse:
    requestor = staff(request, "MANAGE_ORDERS")
    if isinstance(requestor, HttpResponse):
        return requestor
    now = timezone.now()
    installation = requestor.installation
    customer_id = request.GET.get("customerId", "")
    rows = list(
        requests_for(installation)
        .filter(customer_user_id=customer_id, status__in=OPEN)
        .select_related("order")
        .order_by("-created_at")[:WIDGET_ROWS]
    )
    rows = _with_sla(installation, decorate(rows, now), now)
    loyalty = None
    # Balances are personal data behind MANAGE_USERS; an order clerk sees the returns only.
    if customer_id and LOYALTY_PERMISSION in requestor.actor.permissions:
        loyalty = loyalty_selectors.account_summary(installation, user_id=customer_id, now=now)
    context = {"t": request.texts, "rows": rows, "loyalty": loyalty, "language": request.language}
    return render(request, "dashboard/customer_widget.html", context)


@csrf_exempt
@require_GET
def home_widget_fragment(request: HttpRequest) -> HttpResponse:
    requestor = staff(request, "MANAGE_ORDERS")
    if isinstance(requestor, HttpResponse):
        return requestor
    now = timezone.now()
    figures = requests_for(requestor.installation).aggregate(
        open=Count("id", filter=Q(status__in=OPEN)),
        breaches=Count("id", filter=Q(status__in=OPEN, next_step_due_at__lt=now)),
        today=Count("id", filter=Q(created_at__gte=now - timedelta(days=1))),
    )
    return render(request, "dashboard/home_widget.html", {"t": request.texts, "figures": figures})
