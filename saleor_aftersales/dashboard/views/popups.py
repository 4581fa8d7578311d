"""The MORE_ACTIONS popups' staff actions beyond returns and points: open a service case for a customer or an
order (phone or e-mail contact logged by staff, `service.actions.open_case`) and file a warranty claim on behalf of
the customer for one of the order's warranties (`warranty.actions.create_claim`). MANAGE_ORDERS, like the GraphQL
staff mutations (`serviceCaseCreate`, the warranty staff API)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ...core.errors import DomainError, NotFoundError
from ...installations.auth import Requestor
from ...orders.models import Customer, Order
from ...service import actions as service_actions
from ...service.models import CaseChannel, ServiceCase
from ...warranty import actions as warranty_actions
from ...warranty import selectors as warranty_selectors
from ...warranty.models import Warranty, WarrantyStatus
from ...warranty.state import CLAIM_OPEN
from ..labels import field_choices
from .common import failure, form_error, form_key, holds, int_or_none, posted_key, staff, success

CASE_PERMISSION = "MANAGE_ORDERS"
LOYALTY_PERMISSION = "MANAGE_USERS"
# Staff log what a customer told them on the phone or by e-mail; the other channels are the customer's own.
STAFF_CHANNELS = (CaseChannel.PHONE, CaseChannel.EMAIL)
POPUP_WARRANTIES = 20


def _case_form(request: HttpRequest, requestor: Requestor, *, email: str, error=None, opened=None) -> dict:
    texts = request.texts  # type: ignore[attr-defined]
    return {
        "can_open_case": holds(requestor, CASE_PERMISSION),
        "case_email": email,
        "case_channels": [(value, texts[f"channel_{value}"]) for value in STAFF_CHANNELS],
        "case_kinds": field_choices(ServiceCase, "kind", request.language),  # type: ignore[attr-defined]
        "case_priorities": field_choices(ServiceCase, "priority", request.language),  # type: ignore[attr-defined]
        "case_error": error,
        "opened_case": opened,
        "form_key": form_key(),
    }


def _customer(requestor: Requestor, customer_id: str) -> Customer | None:
    if not customer_id:
        return None
    return Customer.objects.filter(installation=requestor.installation, saleor_id=customer_id).first()


def render_customer_popup(
    request: HttpRequest,
    requestor: Requestor,
    *,
    customer_id: str,
    error=None,
    trigger=None,
    case_error=None,
    opened=None,
) -> HttpResponse:
    from .loyalty import render_customer

    customer = _customer(requestor, customer_id)
    extra = _case_form(
        request, requestor, email=customer.email if customer else "", error=case_error, opened=opened
    )
    return render_customer(
        request,
        requestor,
        template="dashboard/customer_actions.html",
        customer_id=customer_id,
        error=error,
        trigger=trigger,
        loyalty=holds(requestor, LOYALTY_PERMISSION),
        extra=extra,
    )


def order_popup_context(
    request: HttpRequest,
    requestor: Requestor,
    order: Order | None,
    *,
    claim_error=None,
    case_error=None,
    opened=None,
) -> dict:
    """What the order popup needs besides the return form: the order's warranties a claim can be filed for (one
    query, open claims counted in it), the symptom list, and the case form."""
    language = request.language  # type: ignore[attr-defined]
    warranties: list[Warranty] = []
    if order is not None:
        warranties = list(
            Warranty.objects.filter(
                installation=requestor.installation, order=order, status=WarrantyStatus.ACTIVE
            )
            .annotate(open_claims=Count("claims", filter=Q(claims__status__in=CLAIM_OPEN)))
            .order_by("id")[:POPUP_WARRANTIES]
        )
        for warranty in warranties:
            warranty.has_open_claim = warranty.open_claims > 0
    symptoms = sorted(
        (s for s in warranty_selectors.symptom_catalogue(requestor.installation).values() if s.is_active),
        key=lambda s: (s.position, s.code),
    )
    return {
        "warranties": warranties,
        "symptoms": [(s.code, s.label(language)) for s in symptoms],
        "claim_error": claim_error,
        **_case_form(
            request, requestor, email=order.user_email if order else "", error=case_error, opened=opened
        ),
    }


def _order(requestor: Requestor, order_id: str) -> Order | None:
    return Order.objects.filter(installation=requestor.installation, saleor_id=order_id).first()


def _render_order_popup(request, requestor, order, **kwargs) -> HttpResponse:
    from .returns import render_start

    return render_start(request, requestor, order, **kwargs)


@csrf_exempt
@require_POST
def order_claim_fragment(request: HttpRequest) -> HttpResponse:
    """File a warranty claim for one of this order's warranties on the customer's behalf."""
    requestor = staff(request, CASE_PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    order = _order(requestor, request.POST.get("orderId", ""))
    if order is None:
        return HttpResponse(status=404)
    try:
        warranty = Warranty.objects.filter(
            installation=requestor.installation,
            order=order,
            pk=int_or_none(request.POST.get("warrantyId")) or 0,
        ).first()
        if warranty is None:
            raise NotFoundError("Choose one of this order's warranties.", "warrantyId")
        claim = warranty_actions.create_claim(
            warranty=warranty,
            actor=requestor.actor,
            symptom=request.POST.get("symptom", ""),
            description=request.POST.get("description", ""),
            override=request.POST.get("override") == "on",
            paid_repair=request.POST.get("paid_repair") == "on",
            idempotency_key=posted_key(request),
        )
    except DomainError as exc:
        return _render_order_popup(
            request, requestor, order, claim_error=form_error(exc), trigger=failure(exc)
        )
    from .warranty import render_claim

    trigger = success(request.texts["claim_filed"], claim.number, refresh=True)  # type: ignore[attr-defined]
    return render_claim(request, requestor, claim.pk, trigger=trigger)


@csrf_exempt
@require_POST
def case_open_fragment(request: HttpRequest) -> HttpResponse:
    """Open a service case for the customer of the customer page (`customerId`) or of the order (`orderId`, the
    case is then linked to the order), as staff logging a phone call or an e-mail."""
    requestor = staff(request, CASE_PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    data = request.POST
    order = _order(requestor, data.get("orderId", "")) if data.get("orderId") else None
    customer_id = data.get("customerId", "").strip()[:128]
    customer = None if order is not None else _customer(requestor, customer_id)
    if order is None and data.get("orderId"):
        return HttpResponse(status=404)

    def again(**kwargs) -> HttpResponse:
        if order is not None:
            return _render_order_popup(request, requestor, order, **kwargs)
        return render_customer_popup(request, requestor, customer_id=customer_id, **kwargs)

    try:
        channel = data.get("channel", "")
        if channel not in STAFF_CHANNELS:
            raise DomainError("INVALID", "Log a phone call or an e-mail.", "channel")
        if order is None and not customer_id:
            raise DomainError("REQUIRED", "Open the case from a customer or an order.", "customerId")
        email = (data.get("email") or "").strip() or (
            order.user_email if order is not None else (customer.email if customer else "")
        )
        case = service_actions.open_case(
            installation=requestor.installation,
            customer_email=email,
            customer_user_id=order.user_id if order is not None else customer_id,
            kind=data.get("kind") or "consultation",
            channel=channel,
            subject=data.get("subject", ""),
            body=data.get("body", ""),
            priority=data.get("priority") or "normal",
            linked_type="order" if order is not None else "",
            linked_id=order.saleor_id if order is not None else "",
            actor=requestor.actor,
            customer_phone=data.get("phone", ""),
            language=(
                order.language_code if order is not None else (customer.language_code if customer else None)
            )
            or None,
            idempotency_key=posted_key(request),
        )
    except DomainError as exc:
        return again(case_error=form_error(exc), trigger=failure(exc))
    trigger = success(request.texts["case_opened"], case.number, refresh=True)  # type: ignore[attr-defined]
    if order is not None:
        return _render_order_popup(request, requestor, order, opened=case, trigger=trigger)
    return render_customer_popup(request, requestor, customer_id=customer_id, trigger=trigger, opened=case)
