"""The repair order detail screen: state, center, technician, SLA, parts and labour with Decimal totals,
tracking, quote and timeline; its forms write through the warranty actions (typed errors, nothing written)."""

from __future__ import annotations

import json
from decimal import Decimal

from saleor_aftersales.installations.models import Installation
from saleor_aftersales.warranty import actions
from saleor_aftersales.warranty.models import RepairEvent, RepairLine, RepairOrder
from tests.conftest import TEST_API_URL
from tests.warranty.factories import CUSTOMER, NOW, STAFF, registered

ORDERS = "MANAGE_ORDERS"


def _headers(token):
    return {"HTTP_AUTHORIZATION_BEARER": token, "HTTP_SALEOR_API_URL": TEST_API_URL}


def _repair(installation, *, paid=False, center=None):
    [warranty] = registered(installation)
    claim = actions.create_claim(
        warranty=warranty, actor=CUSTOMER, symptom="wear" if paid else "stitching", paid_repair=paid, now=NOW
    )
    actions.decide_claim(
        claim=claim,
        actor=STAFF,
        decision="paid_repair" if paid else "repair",
        note="fix",
        center=center,
        now=NOW,
    )
    return RepairOrder.objects.get(claim=claim)


def _notify(response):
    return json.loads(response["HX-Trigger"])["aftersales:notify"]


def test_board_and_claim_link_to_the_repair_screen_which_refuses_without_permission(
    client, installation, staff_token
):
    repair = _repair(installation)
    token = staff_token(ORDERS)
    board = client.get("/dashboard/frag/warranty", **_headers(token)).content.decode()
    assert f'hx-get="/dashboard/frag/warranty/repairs/{repair.pk}"' in board
    claim = client.get(
        f"/dashboard/frag/warranty/claims/{repair.claim_id}", **_headers(token)
    ).content.decode()
    assert f'hx-get="/dashboard/frag/warranty/repairs/{repair.pk}"' in claim
    body = client.get(f"/dashboard/frag/warranty/repairs/{repair.pk}", **_headers(token)).content.decode()
    assert f'data-repair="{repair.number}"' in body and 'class="pill status-awaiting_item"' in body
    assert 'data-sla="on_track"' in body and 'data-quote="none"' in body
    assert 'data-transition="receive"' in body and 'data-transition="cancel"' in body
    assert 'data-transition="complete"' not in body
    assert 'data-event="created"' in body
    assert (
        client.get(
            f"/dashboard/frag/warranty/repairs/{repair.pk}", **_headers(staff_token("MANAGE_USERS"))
        ).status_code
        == 403
    )
    assert client.get("/dashboard/frag/warranty/repairs/999999", **_headers(token)).status_code == 404
    response = client.post(
        f"/dashboard/frag/warranty/repairs/{repair.pk}/lines",
        {"kind": "part", "description": "Sole", "quantity": "1", "unit_cost": "5"},
        **_headers(staff_token("MANAGE_USERS")),
    )
    assert response.status_code == 403 and RepairLine.objects.count() == 0


def test_lines_with_decimal_totals_typed_errors_write_nothing(client, installation, staff_token):
    repair = _repair(installation, paid=True)
    token = staff_token(ORDERS)
    for name in ("receive", "diagnose"):
        response = client.post(
            f"/dashboard/frag/warranty/repairs/{repair.pk}/transition",
            {"transition": name, "repair": repair.pk},
            **_headers(token),
        )
        assert _notify(response)["status"] == "success"
        assert 'id="repair-order"' in response.content.decode()
    events_before = RepairEvent.objects.filter(repair_order=repair).count()
    response = client.post(
        f"/dashboard/frag/warranty/repairs/{repair.pk}/lines",
        {"kind": "part", "description": "Leather sole", "quantity": "1", "unit_cost": "-1"},
        **_headers(token),
    )
    body = response.content.decode()
    assert (
        'data-code="NEGATIVE_AMOUNT"' in body
        and 'data-field="unitCost"' in body
        and 'data-form="line"' in body
    )
    assert _notify(response) == {
        "status": "error",
        "title": "NEGATIVE_AMOUNT",
        "text": "Amounts cannot be negative.",
    }
    assert RepairLine.objects.count() == 0
    assert RepairEvent.objects.filter(repair_order=repair).count() == events_before
    client.post(
        f"/dashboard/frag/warranty/repairs/{repair.pk}/lines",
        {
            "kind": "part",
            "description": "Leather sole",
            "quantity": "1",
            "unit_cost": "35.50",
            "sku": "SOLE-1",
        },
        **_headers(token),
    )
    response = client.post(
        f"/dashboard/frag/warranty/repairs/{repair.pk}/lines",
        {"kind": "labour", "description": "Resole", "quantity": "1.5", "unit_cost": "20"},
        **_headers(token),
    )
    body = response.content.decode()
    assert _notify(response)["status"] == "success"
    assert 'data-total="parts">35.50 USD' in body
    assert 'data-total="labour">30.00 USD' in body
    assert 'data-total="total">65.50 USD' in body
    assert 'data-total="customer_pays">65.50 USD' in body
    assert [(line.kind, line.quantity, line.unit_cost) for line in RepairLine.objects.order_by("id")] == [
        ("part", Decimal("1.00"), Decimal("35.50")),
        ("labour", Decimal("1.50"), Decimal("20.00")),
    ]
    labour = RepairLine.objects.get(kind="labour")
    response = client.post(
        f"/dashboard/frag/warranty/repairs/{repair.pk}/lines/{labour.pk}/remove", **_headers(token)
    )
    body = response.content.decode()
    assert 'data-total="total">35.50 USD' in body and f'data-line="{labour.pk}"' not in body
    assert RepairLine.objects.count() == 1
    assert RepairEvent.objects.filter(repair_order=repair, type="line_removed").count() == 1


def test_quote_tracking_and_assignment_through_the_warranty_actions(client, installation, staff_token):
    actions.save_settings(installation=installation, actor=STAFF, repair_service_variant_id="UmVwYWlyOjE=")
    center = actions.save_service_center(installation=installation, actor=STAFF, name="Cobbler", capacity=3)
    other = actions.save_service_center(installation=installation, actor=STAFF, name="Atelier", capacity=3)
    technician = actions.save_technician(installation=installation, actor=STAFF, center=other, name="Mei")
    repair = _repair(installation, paid=True, center=center)
    token = staff_token(ORDERS)
    url = f"/dashboard/frag/warranty/repairs/{repair.pk}"
    # Tracking: a tracking number is required, then the inbound parcel is shown.
    response = client.post(f"{url}/tracking", {"direction": "inbound", "carrier": "SF"}, **_headers(token))
    assert 'data-code="REQUIRED"' in response.content.decode()
    response = client.post(
        f"{url}/tracking",
        {"direction": "inbound", "carrier": "SF", "tracking_number": "SF123"},
        **_headers(token),
    )
    assert 'data-tracking="inbound">SF SF123' in response.content.decode()
    # Assignment: a technician of another center is refused; then both from the same center.
    response = client.post(
        f"{url}/assign", {"center": center.pk, "technician": technician.pk}, **_headers(token)
    )
    assert 'data-field="technicianId"' in response.content.decode()
    repair.refresh_from_db()
    assert (repair.center_id, repair.technician_id) == (center.pk, None)
    response = client.post(
        f"{url}/assign", {"center": other.pk, "technician": technician.pk}, **_headers(token)
    )
    body = response.content.decode()
    assert f'data-center="{other.pk}">Atelier' in body and f'data-technician="{technician.pk}">Mei' in body
    # Quote: only from diagnosing; a negative amount is refused; then sent (the lines' total).
    assert 'id="quote-form"' not in body
    for name in ("receive", "diagnose"):
        actions.transition_repair(repair=repair, actor=STAFF, transition=name)
    body = client.get(url, **_headers(token)).content.decode()
    assert 'id="quote-form"' in body
    client.post(
        f"{url}/lines",
        {"kind": "part", "description": "Heel", "quantity": "2", "unit_cost": "12.25"},
        **_headers(token),
    )
    response = client.post(f"{url}/quote", {"amount": "-5"}, **_headers(token))
    assert 'data-code="NEGATIVE_AMOUNT"' in response.content.decode()
    repair.refresh_from_db()
    assert (repair.status, repair.quote_status) == ("diagnosing", "none")
    response = client.post(f"{url}/quote", {"amount": "", "note": "heel"}, **_headers(token))
    body = response.content.decode()
    assert _notify(response)["status"] == "success"
    repair.refresh_from_db()
    assert (repair.status, repair.quote_status, repair.quote_amount) == (
        "awaiting_approval",
        "pending",
        Decimal("24.50"),
    )
    assert 'data-quote="pending"' in body and "24.50 USD" in body
    assert 'id="line-form"' not in body and 'id="quote-form"' not in body
    assert RepairEvent.objects.filter(repair_order=repair, type="quote_sent").count() == 1
    assert 'data-event="tracking_added"' in body and 'data-event="assigned"' in body


def test_transition_from_the_repair_screen_shows_a_typed_error(client, installation, staff_token):
    repair = _repair(installation)
    response = client.post(
        f"/dashboard/frag/warranty/repairs/{repair.pk}/transition",
        {"transition": "complete", "repair": repair.pk},
        **_headers(staff_token(ORDERS)),
    )
    body = response.content.decode()
    assert (
        'id="repair-order"' in body
        and 'data-code="INVALID_TRANSITION"' in body
        and 'data-form="transition"' in body
    )
    repair.refresh_from_db()
    assert repair.status == "awaiting_item"


def test_repair_screen_sql_is_constant_as_lines_and_events_grow(
    client, installation, staff_token, django_assert_max_num_queries
):
    repair = _repair(installation)
    for name in ("receive", "diagnose"):
        actions.transition_repair(repair=repair, actor=STAFF, transition=name)
    actions.add_repair_line(
        repair=repair, actor=STAFF, kind="part", description="Sole", quantity=1, unit_cost="9"
    )
    url = f"/dashboard/frag/warranty/repairs/{repair.pk}"
    token = staff_token(ORDERS)
    with django_assert_max_num_queries(8) as first:
        client.get(url, **_headers(token))
    for index in range(6):
        actions.add_repair_line(
            repair=repair, actor=STAFF, kind="labour", description=f"Work {index}", quantity=1, unit_cost="3"
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        html = client.get(url, **_headers(token)).content.decode()
    assert html.count("data-line=") == 7
    assert 'data-total="total">27.00 USD' in html


def test_another_installations_repair_center_and_line_are_not_found(client, installation, staff_token):
    other = Installation.objects.create(
        saleor_api_url="https://other.example.com/graphql/", app_id="QXBwOjk5", auth_token="t"
    )
    foreign = _repair(other)
    for name in ("receive", "diagnose"):
        actions.transition_repair(repair=foreign, actor=STAFF, transition=name)
    foreign_line = actions.add_repair_line(
        repair=foreign, actor=STAFF, kind="part", description="Sole", quantity=1, unit_cost="9"
    )
    foreign_center = actions.save_service_center(installation=other, actor=STAFF, name="Far", capacity=3)
    token = staff_token(ORDERS)
    assert client.get(f"/dashboard/frag/warranty/repairs/{foreign.pk}", **_headers(token)).status_code == 404
    response = client.post(
        f"/dashboard/frag/warranty/repairs/{foreign.pk}/lines",
        {"kind": "part", "description": "Sole", "quantity": "1", "unit_cost": "5"},
        **_headers(token),
    )
    assert response.status_code == 404 and RepairLine.objects.count() == 1
    mine = _repair(installation)
    for name in ("receive", "diagnose"):
        actions.transition_repair(repair=mine, actor=STAFF, transition=name)
    response = client.post(
        f"/dashboard/frag/warranty/repairs/{mine.pk}/lines/{foreign_line.pk}/remove", **_headers(token)
    )
    assert 'data-code="NOT_FOUND"' in response.content.decode()
    assert RepairLine.objects.filter(pk=foreign_line.pk).exists()
    response = client.post(
        f"/dashboard/frag/warranty/repairs/{mine.pk}/assign", {"center": foreign_center.pk}, **_headers(token)
    )
    assert (
        'data-code="NOT_FOUND"' in response.content.decode()
        and 'data-field="center"' in response.content.decode()
    )
    mine.refresh_from_db()
    assert mine.center_id is None
