"""Security of the Dashboard pages (issue 7, point 8): CSRF-safe writes, CSP frame-ancestors on every page, and no
Dashboard token in logs or in anything stored server-side."""

import logging
import re

import pytest
from django.apps import apps
from django.db import models
from django.urls import URLPattern

from saleor_aftersales.core.logging import JsonFormatter, redact
from saleor_aftersales.dashboard import urls as dashboard_urls
from saleor_aftersales.loyalty import actions as loyalty_actions
from saleor_aftersales.loyalty.models import LedgerEntry, Reward
from saleor_aftersales.returns.models import ReturnRequest, ReturnStatus
from tests.conftest import TEST_API_URL
from tests.loyalty.factories import CHANNEL, CUSTOMER_ID, EMAIL, make_programme

from .helpers import make_return

ALL_PERMISSIONS = ("MANAGE_ORDERS", "MANAGE_USERS", "MANAGE_DISCOUNTS", "MANAGE_GIFT_CARD")
EVIL = "https://evil.example"


def _headers(token):
    return {"HTTP_AUTHORIZATION_BEARER": token, "HTTP_SALEOR_API_URL": TEST_API_URL}


def _fragment_urls(pk: int) -> list[str]:
    urls = []
    for pattern in dashboard_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern)
        if route.startswith("dashboard/frag/"):
            urls.append("/" + re.sub(r"<int:\w+>", str(pk), route))
    return urls


def _shell_urls() -> list[str]:
    """The pages the Dashboard frames: app page sections, widgets, popups."""
    routes = [str(p.pattern) for p in dashboard_urls.urlpatterns]
    return ["/" + r for r in routes if r.startswith("dashboard/") and not r.startswith("dashboard/frag/")]


def _post_urls(client, pk: int) -> list[str]:
    """The fragments that accept a POST (all writes: a GET-only fragment answers POST with 405)."""
    return [url for url in _fragment_urls(pk) if client.post(url).status_code != 405]


def test_every_write_refuses_a_cross_site_post_without_the_dashboard_token(client, installation, staff_token):
    request = make_return(installation)
    token = staff_token(*ALL_PERMISSIONS)
    writes = _post_urls(client, request.pk)
    # Every form: returns (single, bulk), popups, loyalty, insights, settings, programme, rewards, knowledge.
    assert len(writes) >= 20
    for url in writes:
        # What a hostile page can send: a plain form POST with cookies and its own Origin, even with the token
        # in the body or the query string (the backend reads it from the `authorization-bearer` header only).
        response = client.post(
            f"{url}?token={token}&authorization-bearer={token}",
            {"token": token, "authorization-bearer": token, "code": "x", "points": "5", "reason": "x"},
            HTTP_ORIGIN=EVIL,
            HTTP_REFERER=f"{EVIL}/attack",
            HTTP_SALEOR_API_URL=TEST_API_URL,
        )
        assert response.status_code == 401, url
        assert b'data-status="401"' in response.content, url
    request.refresh_from_db()
    assert request.status == ReturnStatus.REQUESTED and not Reward.objects.exists()
    # The same endpoints with the header reach the view (whatever it then decides): the 401 was the missing token.
    for url in writes:
        assert client.post(url, {}, **_headers(token)).status_code != 401, url


def test_no_cors_grant_lets_another_origin_send_the_token_header(client, installation):
    response = client.options(
        "/dashboard/frag/returns/bulk-approve",
        HTTP_ORIGIN=EVIL,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization-bearer, saleor-api-url",
    )
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Headers" not in response


def test_a_cross_site_post_with_a_stolen_cookie_session_is_still_refused(
    client, installation, django_user_model
):
    # Even a logged-in Django session (e.g. the admin) is not an identity for the Dashboard fragments.
    user = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    request = make_return(installation)
    response = client.post(f"/dashboard/frag/returns/{request.pk}/approve", HTTP_ORIGIN=EVIL)
    assert response.status_code == 401
    request.refresh_from_db()
    assert request.status == ReturnStatus.REQUESTED


def test_csp_frame_ancestors_on_every_page_and_configurable(client, installation, staff_token, settings):
    token = staff_token(*ALL_PERMISSIONS)
    settings.DASHBOARD_FRAME_ANCESTORS = ["https://dashboard.example.com"]
    pages = (
        ["/", "/privacy"] + _shell_urls() + [u for u in _fragment_urls(1) if client.get(u).status_code != 405]
    )
    assert len(pages) >= 20
    for url in pages:
        for headers in ({}, _headers(token)):  # a refusal too
            policy = client.get(url, **headers)["Content-Security-Policy"]
            assert policy.endswith("frame-ancestors https://dashboard.example.com"), url
            assert "script-src 'self'" in policy and "default-src 'self'" in policy
    assert client.get("/api/manifest")["Content-Security-Policy"].endswith(
        "frame-ancestors https://dashboard.example.com"
    )


def test_unconfigured_only_the_installed_saleor_may_frame_the_shells(client, installation, settings):
    settings.DASHBOARD_FRAME_ANCESTORS = []
    for url in _shell_urls():
        policy = client.get(url)["Content-Security-Policy"]
        # TEST_API_URL's origin; never a wildcard.
        assert policy.endswith("frame-ancestors http://127.0.0.1:9"), url
        assert "*" not in policy
    # Fragments and the API are never framed.
    assert client.get("/dashboard/frag/returns")["Content-Security-Policy"].endswith("frame-ancestors 'none'")
    installation.is_active = False
    installation.save()
    assert client.get("/dashboard/returns")["Content-Security-Policy"].endswith("frame-ancestors 'none'")


@pytest.fixture
def every_log_record():
    """Every record any logger emits (DEBUG and up), raw and as the JSON formatter writes it."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep(level=logging.DEBUG)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_no_token_in_logs_during_authenticated_and_refused_calls(
    client, installation, staff_token, make_token, every_log_record
):
    make_programme(installation)
    account = loyalty_actions.ensure_account(
        installation=installation, channel_slug=CHANNEL, email=EMAIL, user_id=CUSTOMER_ID
    )
    token = staff_token(*ALL_PERMISSIONS)
    expired = make_token(kind="dashboard", permissions=["MANAGE_ORDERS"], ttl=-30)
    forged = token[:-6] + "AAAAAA"
    assert client.get("/dashboard/frag/returns", **_headers(token)).status_code == 200
    form = {"accountId": account.pk, "points": "7", "reason": "goodwill", "customerId": CUSTOMER_ID}
    assert client.post("/dashboard/frag/loyalty/adjust", form, **_headers(token)).status_code == 200
    assert client.get("/dashboard/frag/returns", **_headers(expired)).status_code == 401
    assert client.get("/dashboard/frag/returns", **_headers(forged)).status_code == 401
    assert LedgerEntry.objects.filter(account=account, points=7).count() == 1
    assert every_log_record, "the calls logged nothing: the test would prove nothing"
    assert any("refused" in r.getMessage() for r in every_log_record)
    formatter = JsonFormatter()
    for secret in (token, expired, forged):
        signature = secret.rsplit(".", 1)[-1]
        for record in every_log_record:
            raw = record.getMessage() + " ".join(str(v) for v in record.__dict__.values())
            assert secret not in raw and signature not in raw, record.name
            assert signature not in formatter.format(record)


def test_the_log_formatter_redacts_a_jwt_wherever_it_appears(staff_token):
    token = staff_token("MANAGE_ORDERS")
    assert token not in redact(f"header dump authorization-bearer={token}; done")
    assert redact(f"x {token} y") == "x [redacted-jwt] y"


def test_no_token_is_stored_server_side(client, installation, staff_token):
    request = make_return(installation)
    token = staff_token(*ALL_PERMISSIONS, email="approver@example.com")
    assert client.post(f"/dashboard/frag/returns/{request.pk}/approve", **_headers(token)).status_code == 200
    client.post(
        "/dashboard/frag/settings/rewards/save",
        {
            "channel": CHANNEL,
            "kind": "free_shipping",
            "name_en": "Ship",
            "name_zh_hans": "免运费",
            "points_cost": "9",
        },
        **_headers(token),
    )
    assert ReturnRequest.objects.get(pk=request.pk).status == ReturnStatus.APPROVED
    assert Reward.objects.count() == 1
    signature = token.rsplit(".", 1)[-1]
    searched = 0
    for model in apps.get_models():
        text_fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        for name in text_fields:
            field = model._meta.get_field(name)
            lookup = f"{name}__contains" if not isinstance(field, models.JSONField) else f"{name}__icontains"
            try:
                found = model.objects.filter(**{lookup: signature}).exists()
            except Exception:  # a JSON lookup a backend cannot do on this column
                continue
            searched += 1
            assert not found, f"{model.__name__}.{name} holds the Dashboard token"
    assert searched > 50
