"""Settings: the shop's return policy and return reasons (through the returns actions; a DomainError is shown on
the form and nothing is saved). Loyalty, warranty, service, SLA and notification settings join as those
capabilities expose their actions."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ...core.errors import DomainError
from ...installations.auth import Requestor
from ...returns import actions as return_actions
from ...returns import selectors as return_selectors
from ...returns.models import ReturnPolicy, ReturnReason, ReturnRequest
from ..labels import field_choices
from .common import failure, form_error, shell, staff, success, with_trigger

PERMISSION = "MANAGE_ORDERS"
POLICY_INTEGERS = (
    "window_days",
    "no_reason_days",
    "quality_window_days",
    "decision_sla_hours",
    "refund_sla_hours",
    "abuse_period_days",
)
POLICY_DECIMALS = ("restocking_fee_percent", "store_credit_bonus_percent")
POLICY_FLAGS = ("auto_approve_trusted_customers", "auto_approve_defects_with_photos")


def settings_page(request: HttpRequest) -> HttpResponse:
    return shell(request, "settings")


def render_settings(
    request: HttpRequest,
    requestor: Requestor,
    *,
    error: dict | None = None,
    trigger: dict | None = None,
    posted: dict | None = None,
) -> HttpResponse:
    installation = requestor.installation
    policy = return_selectors.policy_row(installation, "") or ReturnPolicy(installation=installation)
    reasons = sorted(
        return_selectors.reason_catalogue(installation).values(), key=lambda r: (r.position, r.code)
    )
    context = {
        "t": request.texts,
        "language": request.language,
        "policy": policy,
        "reasons": reasons,
        "resolutions": field_choices(ReturnRequest, "resolution", request.language),
        "window_starts": field_choices(ReturnPolicy, "window_starts", request.language),
        "categories": field_choices(ReturnReason, "category", request.language),
        "error": error,
        "posted": posted or {},
    }
    return with_trigger(render(request, "dashboard/settings.html", context), trigger)


@csrf_exempt
@require_GET
def settings_fragment(request: HttpRequest) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    return render_settings(request, requestor)


def _policy_values(data) -> dict:
    values: dict = {}
    for name in POLICY_INTEGERS:
        raw = data.get(name, "").strip()
        if raw:
            if not raw.isdigit():
                raise DomainError("INVALID", "Enter a whole number.", name)
            values[name] = int(raw)
    for name in POLICY_DECIMALS:
        raw = data.get(name, "").strip()
        if raw:
            try:
                values[name] = Decimal(raw)
            except InvalidOperation:
                raise DomainError("INVALID", "Enter a number.", name) from None
    raw = data.get("auto_approve_max_value", "").strip()
    try:
        values["auto_approve_max_value"] = Decimal(raw) if raw else None
    except InvalidOperation:
        raise DomainError("INVALID", "Enter an amount.", "auto_approve_max_value") from None
    for name in POLICY_FLAGS:
        values[name] = data.get(name) == "on"
    if data.get("window_starts"):
        values["window_starts"] = data["window_starts"]
    values["offered_resolutions"] = data.getlist("offered_resolutions")
    return values


@csrf_exempt
@require_POST
def policy_save_fragment(request: HttpRequest) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    try:
        return_actions.save_return_policy(
            installation=requestor.installation, actor=requestor.actor, **_policy_values(request.POST)
        )
    except DomainError as exc:
        return render_settings(request, requestor, error=form_error(exc), trigger=failure(exc))
    return render_settings(request, requestor, trigger=success(request.texts["saved"]))


@csrf_exempt
@require_POST
def reason_save_fragment(request: HttpRequest) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    data = request.POST
    position = data.get("position", "0").strip()
    try:
        return_actions.save_return_reason(
            installation=requestor.installation,
            actor=requestor.actor,
            code=data.get("code", "").strip(),
            category=data.get("category", ""),
            label_en=data.get("label_en", ""),
            label_zh_hans=data.get("label_zh_hans", ""),
            parent_code=data.get("parent_code", "").strip(),
            requires_evidence=data.get("requires_evidence") == "on",
            is_active=data.get("is_active") == "on",
            position=int(position) if position.isdigit() else 0,
        )
    except DomainError as exc:
        return render_settings(
            request, requestor, error=form_error(exc), trigger=failure(exc), posted=data.dict()
        )
    return render_settings(request, requestor, trigger=success(request.texts["saved"], data.get("code", "")))
