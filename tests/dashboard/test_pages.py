import json

import pytest

from saleor_aftersales.dashboard.extensions import manifest_extensions
from saleor_aftersales.installations.manifest import APP_PERMISSIONS
from saleor_aftersales.returns.models import ReturnStatus
from tests.conftest import TEST_API_URL

from .helpers import CUSTOMER_ID, make_return


def _headers(token):
    return {"HTTP_AUTHORIZATION_BEARER": token, "HTTP_SALEOR_API_URL": TEST_API_URL}


def test_extensions_ask_only_for_app_permissions():
    extensions = manifest_extensions()
    mounts = {e["mount"]: e for e in extensions}
    assert set(mounts) == {
        "NAVIGATION_ORDERS",
        "NAVIGATION_CUSTOMERS",
        "ORDER_DETAILS_WIDGETS",
        "ORDER_DETAILS_MORE_ACTIONS",
        "CUSTOMER_DETAILS_WIDGETS",
        "CUSTOMER_DETAILS_MORE_ACTIONS",
        "HOMEPAGE_WIDGETS",
    }
    allowed = {str(p) for p in APP_PERMISSIONS}
    for extension in extensions:
        assert extension["permissions"] and set(extension["permissions"]) <= allowed
    assert mounts["ORDER_DETAILS_WIDGETS"]["target"] == "WIDGET"
    assert mounts["ORDER_DETAILS_WIDGETS"]["url"].endswith("/dashboard/widgets/order")
    assert (
        mounts["ORDER_DETAILS_MORE_ACTIONS"]["target"],
        mounts["ORDER_DETAILS_MORE_ACTIONS"]["permissions"],
    ) == (
        "POPUP",
        ["MANAGE_ORDERS"],
    )
    # The customer popup: adjust points (MANAGE_USERS) and open a case (MANAGE_ORDERS), one entry per permission.
    customer_actions = {
        e["identifier"]: (e["target"], e["permissions"], e["url"].rsplit("/dashboard", 1)[1])
        for e in extensions
        if e["mount"] == "CUSTOMER_DETAILS_MORE_ACTIONS"
    }
    assert customer_actions == {
        "customer-actions": ("POPUP", ["MANAGE_USERS"], "/popups/customer"),
        "customer-case": ("POPUP", ["MANAGE_ORDERS"], "/popups/customer"),
    }
    # WIDGET only where the Dashboard allows it; identifiers unique (openPopup).
    for extension in extensions:
        if extension["target"] == "WIDGET":
            assert extension["mount"].endswith("_DETAILS_WIDGETS") or extension["mount"] == "HOMEPAGE_WIDGETS"
    assert len({e["identifier"] for e in extensions}) == len(extensions)


def test_app_page_shell_has_the_section_nav(client, db):
    body = client.get("/dashboard/?locale=zh-Hans").content.decode()
    assert [s for s in ("returns", "loyalty", "insights", "settings") if f'data-section="{s}"' in body] == [
        "returns",
        "loyalty",
        "insights",
        "settings",
    ]
    assert "会员积分" in body and "chart.umd.min.js" in body
    widget = client.get("/dashboard/widgets/order").content.decode()
    assert "data-section" not in widget and "chart.umd.min.js" not in widget


def test_shell_has_no_data_and_follows_theme_and_locale(client, db):
    response = client.get("/dashboard/returns?theme=dark&locale=zh-Hans&saleorApiUrl=x&id=y")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-theme="dark"' in body and 'lang="zh-Hans"' in body and "加载中" in body
    assert "frame-ancestors" in response["Content-Security-Policy"]


def test_queue_needs_a_valid_token(client, installation, make_token, staff_token):
    make_return(installation)
    assert client.get("/dashboard/frag/returns").status_code == 401
    expired = make_token(kind="dashboard", permissions=["MANAGE_ORDERS"], ttl=-10)
    assert client.get("/dashboard/frag/returns", **_headers(expired)).status_code == 401
    forged = staff_token("MANAGE_ORDERS")[:-4] + "AAAA"
    assert client.get("/dashboard/frag/returns", **_headers(forged)).status_code == 401
    other_app = make_token(kind="dashboard", permissions=["MANAGE_ORDERS"], app="QXBwOjk5")
    assert client.get("/dashboard/frag/returns", **_headers(other_app)).status_code == 401


def test_staff_without_manage_orders_is_refused(client, installation, staff_token):
    request = make_return(installation)
    response = client.get("/dashboard/frag/returns", **_headers(staff_token("MANAGE_USERS")))
    assert response.status_code == 403
    assert request.number not in response.content.decode()


def test_queue_lists_open_returns_with_search(client, installation, staff_token):
    first, second = make_return(installation), make_return(installation)
    token = staff_token("MANAGE_ORDERS")
    body = client.get("/dashboard/frag/returns", **_headers(token)).content.decode()
    assert first.number in body and second.number in body
    body = client.get(f"/dashboard/frag/returns?q={first.number}", **_headers(token)).content.decode()
    assert first.number in body and second.number not in body


def test_queue_sql_is_constant(client, installation, staff_token, django_assert_max_num_queries):
    token = staff_token("MANAGE_ORDERS")
    for _ in range(3):
        make_return(installation)
    with django_assert_max_num_queries(3):
        assert client.get("/dashboard/frag/returns", **_headers(token)).status_code == 200
    for _ in range(6):
        make_return(installation)
    with django_assert_max_num_queries(3):
        assert client.get("/dashboard/frag/returns", **_headers(token)).status_code == 200


def test_detail_sql_is_constant(client, installation, staff_token, django_assert_max_num_queries):
    request = make_return(installation)
    with django_assert_max_num_queries(5):
        response = client.get(
            f"/dashboard/frag/returns/{request.pk}", **_headers(staff_token("MANAGE_ORDERS"))
        )
    body = response.content.decode()
    assert response.status_code == 200 and request.number in body and "requested" in body


def test_approve_from_widget_triggers_refresh(client, installation, staff_token):
    request = make_return(installation)
    if request.status != ReturnStatus.REQUESTED:
        pytest.skip("policy auto-approved the request")
    token = staff_token("MANAGE_ORDERS", email="lead@example.com")
    response = client.post(f"/dashboard/frag/returns/{request.pk}/approve", **_headers(token))
    assert response.status_code == 200
    trigger = json.loads(response["HX-Trigger"])
    assert "aftersales:refreshEntity" in trigger and trigger["aftersales:notify"]["status"] == "success"
    request.refresh_from_db()
    assert request.status == ReturnStatus.APPROVED
    event = request.events.order_by("-id").first()
    assert (event.to_status, event.actor_email) == ("approved", "lead@example.com")
    # Approving twice is refused by the state machine and reported, nothing changes.
    again = client.post(f"/dashboard/frag/returns/{request.pk}/approve", **_headers(token))
    assert json.loads(again["HX-Trigger"])["aftersales:notify"]["status"] == "error"


def test_approve_requires_post_and_own_installation(client, installation, staff_token):
    request = make_return(installation)
    token = staff_token("MANAGE_ORDERS")
    assert client.get(f"/dashboard/frag/returns/{request.pk}/approve", **_headers(token)).status_code == 405
    assert client.post("/dashboard/frag/returns/999999/approve", **_headers(token)).status_code == 404


def test_order_customer_and_home_widgets(client, installation, staff_token, django_assert_max_num_queries):
    request = make_return(installation)
    make_return(installation)
    token = staff_token("MANAGE_ORDERS")
    # Returns + clocks + points + the order's warranties + its repair orders (claims and repair clocks only
    # when there are some).
    with django_assert_max_num_queries(6):
        body = client.get(
            f"/dashboard/frag/widgets/order?orderId={request.order.saleor_id}", **_headers(token)
        ).content.decode()
    assert body.count("data-rma=") == 1 and request.number in body
    assert 'data-sla="breached"' in body and 'data-points="0"' in body
    body = client.get(
        f"/dashboard/frag/widgets/customer?customerId={CUSTOMER_ID}", **_headers(token)
    ).content.decode()
    assert body.count("data-rma=") == 2
    with django_assert_max_num_queries(4):
        body = client.get("/dashboard/frag/widgets/home?locale=zh-Hans", **_headers(token)).content.decode()
    assert 'data-figure="open">2<' in body and "未完成的退货" in body


def test_bulk_approve_approves_ticked_and_reports_the_rest(client, installation, staff_token):
    first, second, third = make_return(installation), make_return(installation), make_return(installation)
    token = staff_token("MANAGE_ORDERS")
    client.post(f"/dashboard/frag/returns/{second.pk}/approve", **_headers(token))
    response = client.post(
        "/dashboard/frag/returns/bulk-approve", {"ids": [first.pk, second.pk, 999999]}, **_headers(token)
    )
    assert response.status_code == 200
    notify = json.loads(response["HX-Trigger"])["aftersales:notify"]
    assert (notify["status"], notify["text"]) == ("warning", "1 / 3")
    statuses = {r.pk: r.status for r in type(first).objects.filter(pk__in=[first.pk, second.pk, third.pk])}
    assert statuses == {first.pk: "approved", second.pk: "approved", third.pk: "requested"}
