"""Loyalty: a customer's balances, tier, lots and ledger with the staff adjustment form. The same fragment is the
customer page's MORE_ACTIONS popup (`customerId` from the Dashboard) and the app page's Loyalty section (search)."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ...core.errors import DomainError
from ...installations.auth import Requestor
from ...loyalty import actions as loyalty_actions
from ...loyalty import selectors as loyalty_selectors
from ...loyalty.models import Account
from ...orders.models import Customer
from .common import (
    failure,
    form_error,
    int_or_none,
    params,
    shell,
    staff,
    staff_any,
    success,
    with_trigger,
)

PERMISSION = "MANAGE_USERS"
LEDGER_ROWS = 20
LOT_ROWS = 10


def loyalty_page(request: HttpRequest) -> HttpResponse:
    return shell(request, "loyalty")


def customer_actions_popup(request: HttpRequest) -> HttpResponse:
    return shell(request, "customer-actions")


def render_customer(
    request: HttpRequest,
    requestor: Requestor,
    *,
    template: str,
    customer_id: str = "",
    email: str = "",
    error: dict | None = None,
    trigger: dict | None = None,
    loyalty: bool = True,
    extra: dict | None = None,
) -> HttpResponse:
    installation = requestor.installation
    now = timezone.now()
    summary = None
    accounts: list[Account] = []
    if email and not customer_id:
        customer_id = _user_id_for_email(installation, email)
    if loyalty and (customer_id or email):
        summary = loyalty_selectors.account_summary(installation, user_id=customer_id, email=email, now=now)
        by_pk = {
            a.pk: a for a in loyalty_selectors.accounts_of(installation, user_id=customer_id, email=email)
        }
        for channel in summary["channels"]:
            account = by_pk[channel["account_id"]]
            account.summary = channel
            account.recent_entries = loyalty_selectors.ledger_of(account, first=LEDGER_ROWS)
            account.recent_lots = loyalty_selectors.lots_of(account, first=LOT_ROWS)
            accounts.append(account)
    context = {
        "t": request.texts,
        "language": request.language,
        "customer_id": customer_id,
        "email": email,
        "searched": bool(customer_id or email),
        "accounts": accounts,
        "error": error,
        # One key per rendered form: a double-click or an htmx retry adjusts once.
        "adjust_key": uuid.uuid4().hex,
        "can_adjust": loyalty,
        **(extra or {}),
    }
    return with_trigger(render(request, template, context), trigger)


def _user_id_for_email(installation, email: str) -> str:
    """Staff search by e-mail: the member's Saleor user id (a registered member's accounts are keyed by it; the
    loyalty selectors match an e-mail alone only for guest accounts)."""
    email = email.lower()
    found = (
        Customer.objects.filter(installation=installation, email__iexact=email)
        .values_list("saleor_id", flat=True)
        .first()
        or Account.objects.filter(installation=installation, email=email)
        .exclude(user_id="")
        .values_list("user_id", flat=True)
        .first()
    )
    return found or ""


def _who(request: HttpRequest) -> tuple[str, str]:
    values = params(request)
    customer_id, email = values.get("customerId", "").strip()[:128], values.get("email", "").strip()[:254]
    if email and "@" not in email and not customer_id:
        # The search box takes either; a Saleor user id has no "@".
        customer_id, email = email, ""
    return customer_id, email


@csrf_exempt
@require_GET
def loyalty_fragment(request: HttpRequest) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    customer_id, email = _who(request)
    return render_customer(
        request, requestor, template="dashboard/loyalty.html", customer_id=customer_id, email=email
    )


@csrf_exempt
@require_GET
def customer_actions_fragment(request: HttpRequest) -> HttpResponse:
    """The customer page's MORE_ACTIONS popup: adjust points (MANAGE_USERS) and open a case (MANAGE_ORDERS); a
    user holding one of the two sees that part."""
    from .popups import CASE_PERMISSION, render_customer_popup

    requestor = staff_any(request, CASE_PERMISSION, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    customer_id, _email = _who(request)
    return render_customer_popup(request, requestor, customer_id=customer_id)


@csrf_exempt
@require_POST
def loyalty_adjust_fragment(request: HttpRequest) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    customer_id, email = _who(request)
    if request.POST.get("popup"):
        from .popups import render_customer_popup

        def again(**kwargs):
            return render_customer_popup(request, requestor, customer_id=customer_id, **kwargs)
    else:

        def again(**kwargs):
            return render_customer(
                request, requestor, template="dashboard/loyalty.html", customer_id=customer_id, email=email,
                **kwargs,
            )  # fmt: skip

    try:
        account = loyalty_actions.account_for_staff(
            requestor.installation, int_or_none(request.POST.get("accountId")) or 0
        )
        points = int_or_none(request.POST.get("points"))
        if points is None:
            raise DomainError("INVALID", "Enter a whole number of points.", "points")
        loyalty_actions.adjust_points(
            account=account,
            points=points,
            reason=request.POST.get("reason", ""),
            actor=requestor.actor,
            idempotency_key=request.POST.get("key", "")[:64] or None,
        )
    except DomainError as exc:
        return again(error=form_error(exc), trigger=failure(exc))
    return again(trigger=success(request.texts["adjusted"], f"{points:+d}", refresh=True))
