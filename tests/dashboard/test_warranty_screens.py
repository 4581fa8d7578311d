"""Warranty & repairs screens: the section in the app page, the claim queue, the claim detail with decisions,
the repair board by center and state, and the warranty part of the order widget."""

from __future__ import annotations

import json
from datetime import timedelta

from saleor_aftersales.outbox.models import OutboxMessage
from saleor_aftersales.warranty import actions
from saleor_aftersales.warranty.models import RepairOrder, WarrantyClaim
from tests.conftest import TEST_API_URL
from tests.warranty.factories import CUSTOMER, FULFILLED_AT, STAFF, registered

ORDERS = "MANAGE_ORDERS"
NOW = FULFILLED_AT + timedelta(days=30)


def _headers(token):
    return {"HTTP_AUTHORIZATION_BEARER": token, "HTTP_SALEOR_API_URL": TEST_API_URL}


def _claim(installation, symptom="stitching"):
    [warranty] = registered(installation)
    return actions.create_claim(warranty=warranty, actor=CUSTOMER, symptom=symptom, now=NOW)


def test_app_page_has_the_warranty_section(client, db):
    body = client.get("/dashboard/warranty").content.decode()
    assert 'data-section="warranty"' in body and 'data-fragment-url="/dashboard/frag/warranty"' in body


def test_queue_lists_open_claims_and_refuses_without_permission(client, installation, staff_token):
    claim = _claim(installation)
    body = client.get("/dashboard/frag/warranty", **_headers(staff_token(ORDERS))).content.decode()
    assert f'data-claim="{claim.number}"' in body
    assert client.get("/dashboard/frag/warranty", **_headers(staff_token("MANAGE_USERS"))).status_code == 403


def test_claim_detail_decides_with_typed_errors_then_repairs_on_the_board(client, installation, staff_token):
    claim = _claim(installation)
    center = actions.save_service_center(installation=installation, actor=STAFF, name="Cobbler", capacity=3)
    token = staff_token(ORDERS)
    body = client.get(f"/dashboard/frag/warranty/claims/{claim.pk}", **_headers(token)).content.decode()
    assert 'id="decide-form"' in body and 'value="reject"' in body
    response = client.post(
        f"/dashboard/frag/warranty/claims/{claim.pk}/decide",
        {"decision": "reject", "note": ""},
        **_headers(token),
    )
    assert 'data-code="REQUIRED"' in response.content.decode()
    assert json.loads(response["HX-Trigger"])["aftersales:notify"]["status"] == "error"
    assert WarrantyClaim.objects.get().status == "submitted"
    response = client.post(
        f"/dashboard/frag/warranty/claims/{claim.pk}/decide",
        {"decision": "repair", "center": center.pk, "note": "resole"},
        **_headers(token),
    )
    body = response.content.decode()
    assert 'id="decide-form"' not in body
    repair = RepairOrder.objects.get()
    assert f'data-repair="{repair.number}"' in body and 'data-transition="receive"' in body
    assert OutboxMessage.objects.filter(operation="OrderNoteAdd").count() == 1
    board = client.get(f"/dashboard/frag/warranty?center={center.pk}", **_headers(token)).content.decode()
    assert 'data-status="awaiting_item"' in board and f'data-repair="{repair.number}"' in board
    response = client.post(
        f"/dashboard/frag/warranty/repairs/{repair.pk}/transition",
        {"transition": "complete"},
        **_headers(token),
    )
    assert json.loads(response["HX-Trigger"])["aftersales:notify"]["title"] == "INVALID_TRANSITION"
    client.post(
        f"/dashboard/frag/warranty/repairs/{repair.pk}/transition",
        {"transition": "receive"},
        **_headers(token),
    )
    repair.refresh_from_db()
    assert repair.status == "received"


def test_order_widget_shows_warranties_with_days_left_and_open_claims(client, installation, staff_token):
    claim = _claim(installation)
    order = claim.warranty.order
    body = client.get(
        f"/dashboard/frag/widgets/order?orderId={order.saleor_id}", **_headers(staff_token(ORDERS))
    )
    html = body.content.decode()
    assert f'data-warranty="{claim.warranty_id}"' in html and f'data-claim="{claim.number}"' in html


def test_order_widget_shows_the_orders_repairs_with_sla_in_constant_sql(
    client, installation, staff_token, django_assert_max_num_queries
):
    claim = _claim(installation)
    actions.decide_claim(claim=claim, actor=STAFF, decision="repair", note="resole", now=NOW)
    repair = RepairOrder.objects.get()
    url = f"/dashboard/frag/widgets/order?orderId={claim.warranty.order.saleor_id}"
    token = staff_token(ORDERS)

    with django_assert_max_num_queries(12) as first:
        html = client.get(url, **_headers(token)).content.decode()

    assert f'data-repair="{repair.number}"' in html and 'data-sla="on_track"' in html
    assert 'class="pill status-awaiting_item"' in html
    # A second repair order on the same order costs no extra query.
    second = _claim(installation)
    actions.decide_claim(claim=second, actor=STAFF, decision="repair", note="stitch", now=NOW)
    RepairOrder.objects.filter(claim=second).update(order=repair.order)
    with django_assert_max_num_queries(len(first.captured_queries)):
        html = client.get(url, **_headers(token)).content.decode()
    assert html.count("data-repair=") == 2
