"""Loyalty, Insights and Settings sections: permissions, constant SQL, actions through the forms."""

import json
from datetime import date

from saleor_aftersales.insights.models import QualityAlert
from saleor_aftersales.loyalty import actions as loyalty_actions
from saleor_aftersales.loyalty.models import LedgerEntry
from saleor_aftersales.returns.models import ReturnPolicy, ReturnReason
from tests.conftest import TEST_API_URL
from tests.loyalty.factories import CHANNEL, CUSTOMER_ID, EMAIL, STAFF, make_programme

from .helpers import make_return


def _headers(token):
    return {"HTTP_AUTHORIZATION_BEARER": token, "HTTP_SALEOR_API_URL": TEST_API_URL}


def _member(installation, points=50):
    make_programme(installation)
    account = loyalty_actions.ensure_account(
        installation=installation, channel_slug=CHANNEL, email=EMAIL, user_id=CUSTOMER_ID
    )
    loyalty_actions.adjust_points(account=account, points=points, reason="welcome", actor=STAFF)
    return account


def test_loyalty_needs_manage_users(client, installation, staff_token):
    _member(installation)
    response = client.get(f"/dashboard/frag/loyalty?email={EMAIL}", **_headers(staff_token("MANAGE_ORDERS")))
    assert response.status_code == 403 and EMAIL not in response.content.decode()


def test_loyalty_search_shows_balance_lots_and_ledger(
    client, installation, staff_token, django_assert_max_num_queries
):
    account = _member(installation)
    token = staff_token("MANAGE_USERS")
    with django_assert_max_num_queries(10):
        body = client.get(f"/dashboard/frag/loyalty?email={EMAIL}", **_headers(token)).content.decode()
    assert f'data-account="{account.pk}"' in body and 'data-available="50"' in body
    assert body.count('data-entry="') == 1 and "welcome" in body
    loyalty_actions.adjust_points(account=account, points=5, reason="again", actor=STAFF)
    with django_assert_max_num_queries(10):
        body = client.get(f"/dashboard/frag/loyalty?email={CUSTOMER_ID}", **_headers(token)).content.decode()
    assert body.count('data-entry="') == 2 and 'data-available="55"' in body


def test_customer_popup_adjusts_points_once_per_form(client, installation, staff_token):
    account = _member(installation)
    token = staff_token("MANAGE_USERS", email="care@example.com")
    body = client.get(f"/dashboard/frag/popups/customer?customerId={CUSTOMER_ID}", **_headers(token)).content
    assert b'id="customer-actions"' in body and b'name="popup"' in body
    form = {
        "accountId": account.pk,
        "points": "-20",
        "reason": "typo",
        "key": "k1",
        "customerId": CUSTOMER_ID,
    }
    response = client.post("/dashboard/frag/loyalty/adjust", {**form, "popup": "1"}, **_headers(token))
    trigger = json.loads(response["HX-Trigger"])
    assert trigger["aftersales:notify"]["text"] == "-20" and "aftersales:refreshEntity" in trigger
    assert b'id="customer-actions"' in response.content
    client.post("/dashboard/frag/loyalty/adjust", {**form, "popup": "1"}, **_headers(token))  # resent
    account.refresh_from_db()
    assert account.available_points == 30
    entry = LedgerEntry.objects.filter(account=account).order_by("-id").first()
    assert (entry.points, entry.actor_email, entry.note) == (-20, "care@example.com", "typo")


def test_adjustment_errors_are_shown_and_nothing_changes(client, installation, staff_token):
    account = _member(installation)
    token = staff_token("MANAGE_USERS")
    cases = (
        ({"points": "-500", "reason": "x"}, "INSUFFICIENT_POINTS"),
        ({"points": "5", "reason": ""}, "REQUIRED"),
        ({"points": "five", "reason": "x"}, "INVALID"),
    )
    for values, code in cases:
        form = {"accountId": account.pk, "customerId": CUSTOMER_ID, **values}
        response = client.post("/dashboard/frag/loyalty/adjust", form, **_headers(token))
        assert f'data-code="{code}"' in response.content.decode(), code
    response = client.post(
        "/dashboard/frag/loyalty/adjust",
        {"accountId": 999999, "points": "5", "reason": "x"},
        **_headers(token),
    )
    assert 'data-code="NOT_FOUND"' in response.content.decode()
    account.refresh_from_db()
    assert account.available_points == 50


def test_customer_widget_shows_loyalty_only_with_manage_users(client, installation, staff_token):
    _member(installation)
    make_return(installation)
    url = f"/dashboard/frag/widgets/customer?customerId={CUSTOMER_ID}"
    clerk = client.get(url, **_headers(staff_token("MANAGE_ORDERS"))).content.decode()
    assert "data-available" not in clerk
    manager = client.get(url, **_headers(staff_token("MANAGE_ORDERS", "MANAGE_USERS"))).content.decode()
    assert 'data-available="50"' in manager


def _alert(installation, n):
    return QualityAlert.objects.create(
        installation=installation, level="sku", key=f"V{n}", label=f"SKU {n}", comparison="baseline",
        window_start=date(2026, 11, 1), window_end=date(2026, 11, 19), units=100, defects=10 + n, rate=0.1,
        expected_rate=0.01, lift=10.0, p_value=1e-6, adjusted_p_value=1e-5,
    )  # fmt: skip


def test_insights_has_charts_and_alerts_in_constant_sql(
    client, installation, staff_token, django_assert_max_num_queries
):
    token = staff_token("MANAGE_ORDERS")
    _alert(installation, 1)
    # 18 for returns, loyalty and alerts, plus the cross-domain providers: cases 3, satisfaction 2, repairs 2 at most.
    with django_assert_max_num_queries(25) as first:
        body = client.get("/dashboard/frag/insights", **_headers(token)).content.decode()
    assert body.count("<canvas data-chart=") == 3 and body.count("data-alert=") == 1
    for n in range(2, 6):
        _alert(installation, n)
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get("/dashboard/frag/insights", **_headers(token)).content.decode()
    assert body.count("data-alert=") == 5


def test_insights_period_error_and_acknowledge(client, installation, staff_token):
    token = staff_token("MANAGE_ORDERS", email="qa@example.com")
    alert = _alert(installation, 1)
    body = client.get("/dashboard/frag/insights?start=2026-11-10&end=2026-11-01", **_headers(token)).content
    assert b'data-code="INVALID_PERIOD"' in body and b"<canvas" not in body
    response = client.post(f"/dashboard/frag/insights/alerts/{alert.pk}/acknowledge", **_headers(token))
    assert json.loads(response["HX-Trigger"])["aftersales:notify"]["status"] == "success"
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by) == ("acknowledged", "qa@example.com")
    assert b"data-alert=" not in response.content


def test_policy_form_saves_and_refuses_bad_values(client, installation, staff_token):
    token = staff_token("MANAGE_ORDERS")
    form = {"window_days": "45", "restocking_fee_percent": "150", "offered_resolutions": ["refund"]}
    response = client.post("/dashboard/frag/settings/policy", form, **_headers(token))
    assert 'data-code="OUT_OF_RANGE"' in response.content.decode()
    assert not ReturnPolicy.objects.filter(installation=installation).exists()
    form["restocking_fee_percent"] = "10"
    response = client.post("/dashboard/frag/settings/policy", form, **_headers(token))
    assert json.loads(response["HX-Trigger"])["aftersales:notify"]["status"] == "success"
    policy = ReturnPolicy.objects.get(installation=installation, channel_slug="")
    assert (policy.window_days, str(policy.restocking_fee_percent), policy.offered_resolutions) == (
        45,
        "10.00",
        ["refund"],
    )
    assert 'name="window_days" value="45"' in response.content.decode()


def test_reason_form_saves_and_refuses_bad_codes(client, installation, staff_token):
    token = staff_token("MANAGE_ORDERS")
    form = {"code": "Bad Code", "category": "quality", "label_en": "Scratched", "label_zh_hans": "划痕"}
    response = client.post("/dashboard/frag/settings/reasons", form, **_headers(token))
    body = response.content.decode()
    assert 'data-code="INVALID"' in body and 'value="Scratched"' in body
    form["code"] = "scratched"
    form["is_active"] = "on"
    client.post("/dashboard/frag/settings/reasons", form, **_headers(token))
    reason = ReturnReason.objects.get(installation=installation, code="scratched")
    assert (reason.label_zh_hans, reason.is_active) == ("划痕", True)
    body = client.get("/dashboard/frag/settings?locale=zh-Hans", **_headers(token)).content.decode()
    assert 'data-reason="scratched"' in body and "退货政策" in body
