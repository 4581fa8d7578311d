"""End to end against the Saleor stand-in: paid + fulfilled order in Saleor -> webhooks -> a customer's return with a
photo -> staff approve -> tracking -> received -> inspected -> refunded in Saleor (granted refund + refund request
visible in the stand-in) -> complete timeline. A second test injects a 502 after Saleor applied the grant."""

from __future__ import annotations

import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

pytest.importorskip("tests.saleor_standin.fixtures")

from saleor_aftersales.core import ratelimit  # noqa: E402
from saleor_aftersales.installations.models import Installation  # noqa: E402
from saleor_aftersales.orders.models import Order  # noqa: E402
from saleor_aftersales.outbox import actions as outbox_actions  # noqa: E402
from saleor_aftersales.outbox.models import OutboxMessage, OutboxStatus  # noqa: E402
from saleor_aftersales.returns.models import ReturnRequest  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
APP_PERMISSIONS = [
    "MANAGE_ORDERS",
    "MANAGE_USERS",
    "MANAGE_GIFT_CARD",
    "MANAGE_DISCOUNTS",
    "HANDLE_PAYMENTS",
    "MANAGE_PRODUCTS",
]


@pytest.fixture
def app(request, transactional_db):
    """The lead's `installed_app` fixture when present; otherwise the same thing built here over real HTTP."""
    try:
        return request.getfixturevalue("installed_app")
    except pytest.FixtureLookupError:
        saleor = request.getfixturevalue("saleor")
        live_server = request.getfixturevalue("live_server")
        request.getfixturevalue("settings").PUBLIC_URL = live_server.url  # the manifest's URLs must reach us
        installed = saleor.install_app(f"{live_server.url}/api/manifest", APP_PERMISSIONS)
        installation = Installation.objects.get(saleor_api_url=saleor.api_url)
        return SimpleNamespace(installation=installation, saleor=saleor, app_id=installed.id)


def _paid_fulfilled_order(saleor):
    product = saleor.create_product("Running shoe", variants=[{"sku": "SHOE-42", "price": Decimal("50.00")}])
    customer = saleor.create_customer("runner@example.com", "Ada", "Lovelace")
    order = saleor.create_order(customer, lines=[(product, 2)], shipping=Decimal("10.00"))
    saleor.pay_order(order)
    saleor.fulfill_order(order)
    return customer, order


def _staff_token(app):
    saleor = app.saleor
    staff = saleor.create_staff("clerk@example.com", permissions=["MANAGE_ORDERS"])
    return saleor.issue_dashboard_token(staff, app=app.app_id, permissions=["MANAGE_ORDERS"])


def _mutate(gql, name, query, variables, token, files=None):
    body = gql(query, variables, token=token, files=files)
    assert "errors" not in body, body
    payload = body["data"][name]
    assert payload["errors"] == [], payload
    return payload


def _drain_outbox(rounds=6):
    """Send whatever is due (as the beat task would), moving backoff timers forward."""
    for _ in range(rounds):
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING).update(next_attempt_at=timezone.now())
        if not outbox_actions.dispatch_due():
            break


def _return_flow(app, gql):
    ratelimit.reset()
    saleor = app.saleor
    customer, order = _paid_fulfilled_order(saleor)
    mirrored = Order.objects.get(installation=app.installation, saleor_id=order["id"])
    assert mirrored.fulfillments.count() == 1
    line_id = mirrored.lines.get().saleor_id
    customer_token = saleor.issue_customer_token(customer)
    staff_token = _staff_token(app)
    created = _mutate(
        gql,
        "returnRequestCreate",
        """mutation($input: ReturnRequestCreateInput!) { returnRequestCreate(input: $input) {
            returnRequest { id number status lines { id } } errors { field code message } } }""",
        {
            "input": {
                "orderId": order["id"],
                "resolution": "REFUND",
                "photos": [None],
                "lines": [{"orderLineId": line_id, "quantity": 2, "reason": "quality-defect"}],
            }
        },
        customer_token,
        files={"map": json.dumps({"0": ["variables.input.photos.0"]}), "0": SimpleUploadedFile("d.png", PNG)},
    )["returnRequest"]
    rid, rline = created["id"], created["lines"][0]["id"]
    _mutate(
        gql,
        "returnRequestApprove",
        "mutation($id: ID!) { returnRequestApprove(id: $id) { errors { field code message } } }",
        {"id": rid},
        staff_token,
    )
    _mutate(
        gql,
        "returnRequestAddTracking",
        'mutation($id: ID!) { returnRequestAddTracking(id: $id, carrier: "SF", trackingNumber: "SF100") { errors { field code message } } }',
        {"id": rid},
        customer_token,
    )
    _mutate(
        gql,
        "returnRequestReceive",
        "mutation($id: ID!) { returnRequestReceive(id: $id) { errors { field code message } } }",
        {"id": rid},
        staff_token,
    )
    _mutate(
        gql,
        "returnRequestInspect",
        "mutation($id: ID!, $l: ID!) { returnRequestInspect(id: $id, lines: [{lineId: $l, condition: DAMAGED, restock: false}]) { errors { field code message } } }",
        {"id": rid, "l": rline},
        staff_token,
    )
    return order, rid, customer_token, staff_token


TIMELINE = "query($id: ID!) { returnRequest(id: $id) { status refundAmount { amount } timeline { type toStatus actorType } settlements { kind status saleorGrantedRefundId } } }"


def test_return_refunded_in_saleor_end_to_end(app, gql):
    saleor = app.saleor
    order, rid, customer_token, staff_token = _return_flow(app, gql)
    _mutate(
        gql,
        "returnRequestResolve",
        "mutation($id: ID!) { returnRequestResolve(id: $id) { errors { field code message } } }",
        {"id": rid},
        staff_token,
    )
    _drain_outbox()
    saleor.deliver_pending()
    grants = saleor.calls_to("orderGrantRefundCreate")
    assert len(grants) == 1
    assert len(saleor.calls_to("transactionRequestRefundForGrantedRefund")) == 1
    assert len(saleor.calls_to("orderFulfillmentReturnProducts")) == 1
    [grant] = order["grantedRefunds"]
    assert grant["amount"]["amount"] == Decimal(
        "110.00"
    )  # 2 x 50 + shipping (quality problem: merchant pays)
    body = gql(TIMELINE, {"id": rid}, token=customer_token)["data"]["returnRequest"]
    assert body["status"] == "RESOLVED"
    steps = [(e["type"], e["toStatus"]) for e in body["timeline"] if e["toStatus"]]
    assert steps == [
        ("created", "requested"),
        ("approve", "approved"),
        ("ship", "in_transit"),
        ("receive", "received"),
        ("inspect", "inspected"),
        ("resolve", "resolving"),
        ("settle", "resolved"),
    ]
    assert {s["kind"]: s["status"] for s in body["settlements"]} == {
        "refund": "succeeded",
        "return_record": "succeeded",
    }
    assert ReturnRequest.objects.get().refund_amount == Decimal("110.00")


def test_502_after_the_grant_still_refunds_exactly_once(app, gql):
    saleor = app.saleor
    order, rid, _customer_token, staff_token = _return_flow(app, gql)
    saleor.faults.add("orderGrantRefundCreate", kind="http502", times=1, when="after")
    _mutate(
        gql,
        "returnRequestResolve",
        "mutation($id: ID!) { returnRequestResolve(id: $id) { errors { field code message } } }",
        {"id": rid},
        staff_token,
    )
    _drain_outbox()
    saleor.deliver_pending()
    assert len(saleor.calls_to("orderGrantRefundCreate")) == 1
    assert len(saleor.calls_to("transactionRequestRefundForGrantedRefund")) == 1
    assert len(order["grantedRefunds"]) == 1
    assert ReturnRequest.objects.get().status == "resolved"
