"""Shells, authentication of fragments and the small helpers every section shares."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ...core.errors import DomainError, PermissionDeniedError
from ...core.security import content_security_policy
from ...installations.auth import AuthenticationFailed, Requestor, authenticate
from ...installations.models import Installation
from ..i18n import is_chinese, texts_for

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Screen:
    kind: str  # page (app page with the section nav) | widget | popup
    fragment_url: str
    section: str = ""


SCREENS = {
    "returns": Screen("page", "/dashboard/frag/returns", "returns"),
    "warranty": Screen("page", "/dashboard/frag/warranty", "warranty"),
    "service": Screen("page", "/dashboard/frag/service", "service"),
    "loyalty": Screen("page", "/dashboard/frag/loyalty", "loyalty"),
    "insights": Screen("page", "/dashboard/frag/insights", "insights"),
    "settings": Screen("page", "/dashboard/frag/settings", "settings"),
    "order-widget": Screen("widget", "/dashboard/frag/widgets/order"),
    "customer-widget": Screen("widget", "/dashboard/frag/widgets/customer"),
    "home-widget": Screen("widget", "/dashboard/frag/widgets/home"),
    "order-actions": Screen("popup", "/dashboard/frag/popups/order"),
    "customer-actions": Screen("popup", "/dashboard/frag/popups/customer"),
}
# The app page's sections, in nav order.
SECTIONS = ("returns", "warranty", "service", "loyalty", "insights", "settings")


def shell(request: HttpRequest, screen_name: str) -> HttpResponse:
    screen = SCREENS[screen_name]
    locale = request.GET.get("locale")
    texts = texts_for(locale)
    context = {
        "kind": screen.kind,
        "fragment_url": screen.fragment_url,
        "section": screen.section,
        "sections": [(name, texts[f"nav_{name}"]) for name in SECTIONS] if screen.kind == "page" else [],
        "t": texts,
        "theme": "dark" if request.GET.get("theme") == "dark" else "light",
        "lang": "zh-Hans" if is_chinese(locale) else "en",
    }
    response = render(request, "dashboard/shell.html", context)
    if not settings.DASHBOARD_FRAME_ANCESTORS:
        response["Content-Security-Policy"] = content_security_policy(installed_saleor_origins())
    return response


def installed_saleor_origins() -> list[str]:
    """Where the Dashboard of each installed Saleor is served when no DASHBOARD_FRAME_ANCESTORS is configured."""
    origins = set()
    for api_url in Installation.objects.filter(is_active=True).values_list("saleor_api_url", flat=True):
        parts = urlsplit(api_url)
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


def index(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        "<!doctype html><title>saleor-aftersales</title><p>Install this app in Saleor with the manifest at "
        "<code>/api/manifest</code>.</p>"
    )


def privacy(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<!doctype html><title>Privacy</title><p>Personal data is encrypted at rest.</p>")


def staff(request: HttpRequest, permission: str) -> Requestor | HttpResponse:
    """The Dashboard user behind the request, holding `permission`; otherwise the refusal to render."""
    locale = request.GET.get("locale") or request.headers.get("X-Dashboard-Locale")
    request.texts = texts_for(locale)  # type: ignore[attr-defined]
    request.language = "zh-hans" if is_chinese(locale) else "en"  # type: ignore[attr-defined]
    try:
        requestor = authenticate(request)
        if not requestor.is_authenticated:
            return refusal(request, 401)
        requestor.require_staff(permission)
    except AuthenticationFailed as exc:
        # Never log the token itself, only why it was refused.
        logger.info("dashboard token refused: %s", exc)
        return refusal(request, 401)
    except PermissionDeniedError:
        return refusal(request, 403)
    return requestor


def staff_any(request: HttpRequest, *permissions: str) -> Requestor | HttpResponse:
    """Like `staff`, for a screen whose parts need different permissions: the user must hold at least one of them
    (each part then checks its own, see `holds`)."""
    for permission in permissions[:-1]:
        found = staff(request, permission)
        if not isinstance(found, HttpResponse) or found.status_code == 401:
            return found
    return staff(request, permissions[-1])


def holds(requestor: Requestor, permission: str) -> bool:
    return permission in requestor.actor.permissions


SETTINGS_TABS = {
    "/dashboard/frag/settings": "returns",
    "/dashboard/frag/settings/loyalty": "loyalty",
    "/dashboard/frag/settings/rewards": "rewards",
    "/dashboard/frag/settings/knowledge": "knowledge",
    "/dashboard/frag/settings/warranty": "warranty",
    "/dashboard/frag/settings/care": "care",
    "/dashboard/frag/settings/sla": "sla",
    "/dashboard/frag/settings/notifications": "notifications",
    "/dashboard/frag/settings/history": "history",
}


def refusal(request: HttpRequest, status: int) -> HttpResponse:
    # A settings tab refused for lack of one permission still offers the other tabs (each has its own).
    context = {"t": request.texts, "status": status, "tab": SETTINGS_TABS.get(request.path)}  # type: ignore[attr-defined]
    return render(request, "dashboard/refused.html", context, status=status)


def params(request: HttpRequest):
    return request.GET if request.method == "GET" else request.POST


def with_trigger(response: HttpResponse, trigger: dict | None) -> HttpResponse:
    """bridge.js turns these htmx events into App Bridge actions (notification, refreshEntity, popupClose)."""
    if trigger:
        response["HX-Trigger"] = json.dumps(trigger)
    return response


def success(title: str, text: str = "", *, refresh: bool = False, close: bool = False) -> dict:
    trigger: dict = {"aftersales:notify": {"status": "success", "title": title, "text": text}}
    if refresh:
        trigger["aftersales:refreshEntity"] = {}
    if close:
        trigger["aftersales:popupClose"] = {}
    return trigger


def failure(exc: DomainError) -> dict:
    detail = exc.details[0]
    return {"aftersales:notify": {"status": "error", "title": detail.code, "text": detail.message}}


def form_error(exc: DomainError) -> dict:
    """The first error of a DomainError as the template's `error` (code, message, field)."""
    detail = exc.details[0]
    return {"code": detail.code, "message": detail.message, "field": detail.field or ""}


def form_key() -> str:
    """A fresh token for one rendered form: posted back as `key`, the action dedupes on (installation, key), so a
    double-click or an htmx retry writes once."""
    return uuid.uuid4().hex


def posted_key(request: HttpRequest) -> str:
    return (request.POST.get("key") or "").strip()[:64]


def int_or_none(value: str | None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def settings_write(
    request: HttpRequest, permission: str, perform, render_tab, *, keep=lambda post: post.dict()
):
    """A settings form's POST: the staff check, `perform(requestor, request.POST)` (a domain write returning what
    it saved), then the tab again: with the typed error on the form and what was posted (`keep` shapes it for the
    tab), nothing written; or with a success notification naming what was saved."""
    requestor = staff(request, permission)
    if isinstance(requestor, HttpResponse):
        return requestor
    try:
        done = perform(requestor, request.POST)
    except DomainError as exc:
        return render_tab(
            request, requestor, error=form_error(exc), trigger=failure(exc), posted=keep(request.POST)
        )
    return render_tab(request, requestor, trigger=success(request.texts["saved"], done or ""))  # type: ignore[attr-defined]
