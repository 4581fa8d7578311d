"""End to end against the Saleor stand-in: a paid, fulfilled order reaches the mirror through real webhooks, a customer
asks to return one unit, staff approve, the rollups refresh (as the beat task would) and the Insights API, with a
Dashboard token from Saleor, reports the shipped units, the return rate and the reason."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

pytest.importorskip("tests.saleor_standin.fixtures")

from saleor_aftersales.core import ratelimit  # noqa: E402
from saleor_aftersales.insights.tasks import refresh_rollups_task  # noqa: E402
from saleor_aftersales.orders.models import Order  # noqa: E402

OVERVIEW = """query($filter: InsightsFilterInput!) { insightsOverview(filter: $filter) {
  staleness { refreshedAt }
  totals { fulfilledUnits requestedUnits returnedUnits returnRate requests approvedRequests }
  money { currency revenue { amount } }
  topReasons { code requestedUnits }
  topProducts { sku fulfilledUnits returnedUnits }
} }"""


def _ok(body, name):
    assert "errors" not in body, body
    payload = body["data"][name]
    assert payload.get("errors", []) == [], payload
    return payload


def test_fulfilled_order_and_return_show_up_in_insights(installed_app, gql):
    ratelimit.reset()
    saleor = installed_app.saleor
    product = saleor.create_product("Trail shoe", variants=[{"sku": "TRAIL-41", "price": Decimal("40.00")}])
    customer = saleor.create_customer("hiker@example.com", "Grace", "Hopper")
    order = saleor.create_order(customer, lines=[(product, 3)], shipping=Decimal("5.00"))
    saleor.pay_order(order)
    saleor.fulfill_order(order)
    mirrored = Order.objects.get(installation=installed_app.installation, saleor_id=order["id"])
    line = mirrored.lines.get()
    staff = saleor.create_staff("analyst@example.com", permissions=["MANAGE_ORDERS"])
    staff_token = saleor.issue_dashboard_token(staff, app=installed_app.app_id, permissions=["MANAGE_ORDERS"])

    created = _ok(
        gql(
            """mutation($input: ReturnRequestCreateInput!) { returnRequestCreate(input: $input) {
                returnRequest { id } errors { field code message } } }""",
            {
                "input": {
                    "orderId": order["id"],
                    "resolution": "REFUND",
                    "lines": [{"orderLineId": line.saleor_id, "quantity": 1, "reason": "wrong-size"}],
                }
            },
            token=saleor.issue_customer_token(customer),
        ),
        "returnRequestCreate",
    )
    _ok(
        gql(
            "mutation($id: ID!) { returnRequestApprove(id: $id) { errors { field code message } } }",
            {"id": created["returnRequest"]["id"]},
            token=staff_token,
        ),
        "returnRequestApprove",
    )
    refresh_rollups_task.delay(installed_app.installation.pk)

    today = timezone.now().date()
    body = gql(
        OVERVIEW, {"filter": {"start": str(today - timedelta(days=6)), "end": str(today)}}, token=staff_token
    )
    data = body["data"]["insightsOverview"]

    assert "errors" not in body, body
    assert data["staleness"]["refreshedAt"] is not None
    assert data["totals"] == {
        "fulfilledUnits": 3,
        "requestedUnits": 1,
        "returnedUnits": 1,
        "returnRate": pytest.approx(1 / 3),
        "requests": 1,
        "approvedRequests": 1,
    }
    assert data["money"] == [{"currency": mirrored.currency, "revenue": {"amount": "120.00"}}]
    assert data["topReasons"] == [{"code": "wrong-size", "requestedUnits": 1}]
    assert data["topProducts"] == [{"sku": "TRAIL-41", "fulfilledUnits": 3, "returnedUnits": 1}]
