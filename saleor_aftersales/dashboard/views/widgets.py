"""Widgets on the order page, the customer page and the Dashboard home (each reports its height)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from ...loyalty import selectors as loyalty_selectors
from ...loyalty.models import LedgerEntry, Lot, RewardClaim
from ...returns.actions import SUBJECT as RETURN_SUBJECT
from ...returns.selectors import requests_for
from ...returns.state import OPEN
from ...sla.models import ClockStatus, SlaClock
from ...sla.selectors import clocks_for, sla_state
from .common import shell, staff
from .returns import decorate

WIDGET_ROWS = 20
WIDGET_LOTS = 5
WIDGET_ENTRIES = 8
WIDGET_CLAIMS = 3
WIDGET_WARRANTIES = 10
WIDGET_CASES = 10
HOME_QUEUE_ROWS = 10
SUBJECT_ORDER = ("return_request", "warranty_claim", "repair_order", "service_case")
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
        "repairs": _order_repairs(installation, order_id, now),
    }
    return render(request, "dashboard/order_widget.html", context)


def _order_repairs(installation, order_id: str, now):
    """The order's repair orders with their state, promised date and turnaround SLA (two queries)."""
    from ...warranty.models import RepairOrder

    if not order_id:
        return []
    rows = list(
        RepairOrder.objects.filter(installation=installation, order__saleor_id=order_id).order_by(
            "-created_at"
        )[:WIDGET_ROWS]
    )
    clocks = clocks_for(installation, "repair_order", [row.pk for row in rows])
    for row in rows:
        latest = max(clocks.get(str(row.pk), []), key=lambda c: c.started_at, default=None)
        row.sla = sla_state(latest, now)
    return rows


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


def _latest_per_account(queryset, account_ids: list[int], order_by: list, first: int) -> dict[int, list]:
    """The `first` newest rows of every account in ONE query (ROW_NUMBER() per account; SQLite and PostgreSQL)."""
    rows = (
        queryset.filter(account_id__in=account_ids)
        .annotate(position=Window(RowNumber(), partition_by=[F("account_id")], order_by=order_by))
        .filter(position__lte=first)
        .order_by("account_id", "position")
    )
    grouped: dict[int, list] = {pk: [] for pk in account_ids}
    for row in rows:
        grouped[row.account_id].append(row)
    return grouped


@csrf_exempt
@require_GET
def customer_widget_fragment(request: HttpRequest) -> HttpResponse:
    """The customer's return requests (newest first, with SLA) and, for MANAGE_USERS, per channel: balances, tier,
    the newest lots (state, expiry), ledger entries and reward claims. Constant SQL whatever the history's length."""
    requestor = staff(request, "MANAGE_ORDERS")
    if isinstance(requestor, HttpResponse):
        return requestor
    now = timezone.now()
    installation = requestor.installation
    customer_id = request.GET.get("customerId", "")[:128]
    rows = list(
        requests_for(installation)
        .filter(customer_user_id=customer_id)
        .select_related("order")
        .order_by("-created_at", "-id")[:WIDGET_ROWS]
    )
    rows = _with_sla(installation, decorate(rows, now), now)
    loyalty = None
    # Balances are personal data behind MANAGE_USERS; an order clerk sees the returns only.
    if customer_id and LOYALTY_PERMISSION in requestor.actor.permissions:
        loyalty = loyalty_selectors.account_summary(installation, user_id=customer_id, now=now)
        account_ids = [channel["account_id"] for channel in loyalty["channels"]]
        if account_ids:
            lots = _latest_per_account(
                Lot.objects.all(), account_ids, [F("earned_at").desc(), F("id").desc()], WIDGET_LOTS
            )
            entries = _latest_per_account(
                LedgerEntry.objects.all(),
                account_ids,
                [F("created_at").desc(), F("id").desc()],
                WIDGET_ENTRIES,
            )
            claims = _latest_per_account(
                RewardClaim.objects.select_related("reward"),
                account_ids,
                [F("created_at").desc(), F("id").desc()],
                WIDGET_CLAIMS,
            )
            for channel in loyalty["channels"]:
                channel["lots"] = lots[channel["account_id"]]
                channel["entries"] = entries[channel["account_id"]]
                channel["claims"] = claims[channel["account_id"]]
    context = {
        "t": request.texts,
        "rows": rows,
        "open_count": sum(1 for row in rows if row.status in OPEN),
        "loyalty": loyalty,
        "language": request.language,
        "customer_id": customer_id,
        "warranties": _customer_warranties(installation, customer_id, now),
        "cases": _customer_cases(installation, customer_id),
    }
    return render(request, "dashboard/customer_widget.html", context)


def _customer_warranties(installation, customer_id: str, now):
    """The customer's live warranties, soonest to expire first, with days left (one query)."""
    from ...warranty.models import Warranty, WarrantyStatus
    from ...warranty.policies import days_left

    if not customer_id:
        return []
    rows = list(
        Warranty.objects.filter(
            installation=installation,
            customer_user_id=customer_id,
            status__in=(WarrantyStatus.ACTIVE, WarrantyStatus.PENDING_VERIFICATION),
            expires_at__gt=now,
        )
        .select_related("order")
        .order_by("expires_at", "id")[:WIDGET_WARRANTIES]
    )
    for row in rows:
        row.days_left = days_left(expires_at=row.expires_at, now=now)
    return rows


def _customer_cases(installation, customer_id: str):
    """The customer's open service cases, latest activity first, with the most urgent SLA state (two queries)."""
    from ...service.selectors import customer_cases
    from .service import ACTIVE, sla_of

    if not customer_id:
        return []
    rows = list(
        customer_cases(installation, user_id=customer_id, email="")
        .filter(status__in=ACTIVE)
        .order_by("-updated_at", "-id")[:WIDGET_CASES]
    )
    sla_of(rows)
    return rows


def _subject_rank(kind: str) -> tuple[int, str]:
    return (SUBJECT_ORDER.index(kind) if kind in SUBJECT_ORDER else len(SUBJECT_ORDER), kind)


@csrf_exempt
@require_GET
def home_widget_fragment(request: HttpRequest) -> HttpResponse:
    """Today's queue (open returns whose next step falls due by the end of the day, most urgent first) and the SLA
    state of every clocked subject (returns, cases, repairs, claims) from the SLA engine's clocks: 3 queries."""
    requestor = staff(request, "MANAGE_ORDERS")
    if isinstance(requestor, HttpResponse):
        return requestor
    now = timezone.now()
    end_of_day = now.replace(hour=23, minute=59, second=59, microsecond=999999)
    installation = requestor.installation
    figures = requests_for(installation).aggregate(
        open=Count("id", filter=Q(status__in=OPEN)),
        breaches=Count("id", filter=Q(status__in=OPEN, next_step_due_at__lt=now)),
        today=Count("id", filter=Q(created_at__gte=now - timedelta(days=1))),
        due_today=Count("id", filter=Q(status__in=OPEN, next_step_due_at__lte=end_of_day)),
    )
    queue = decorate(
        list(
            requests_for(installation)
            .filter(status__in=OPEN, next_step_due_at__lte=end_of_day)
            .select_related("order")
            .order_by("next_step_due_at", "id")[:HOME_QUEUE_ROWS]
        ),
        now,
    )
    running = Q(status=ClockStatus.RUNNING)
    sla = {
        row["subject_type"]: row
        for row in SlaClock.objects.filter(installation=installation)
        .filter(running | Q(status=ClockStatus.BREACHED, stopped_at__gte=now - timedelta(days=1)))
        .values("subject_type")
        .annotate(
            breached=Count("id", filter=running & Q(due_at__lt=now)),
            at_risk=Count("id", filter=running & Q(due_at__gte=now, warn_at__lte=now)),
            due_today=Count("id", filter=running & Q(due_at__gte=now, due_at__lte=end_of_day)),
            breached_today=Count("id", filter=Q(status=ClockStatus.BREACHED)),
        )
        .order_by("subject_type")
    }
    texts = request.texts
    kinds = [
        {"type": kind, "label": texts.get(f"subject_{kind}", kind), **sla[kind]}
        for kind in sorted(sla, key=_subject_rank)
    ]
    context = {"t": texts, "figures": figures, "queue": queue, "sla_kinds": kinds}
    return render(request, "dashboard/home_widget.html", context)
