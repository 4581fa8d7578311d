"""The customer widget's warranties and open cases, the customer popup's "open a case" and the order popup's
warranty claim and case: who may, typed errors with nothing written, constant SQL as rows grow."""

from __future__ import annotations

import json
from decimal import Decimal

from saleor_aftersales.orders.models import Customer
from saleor_aftersales.service.models import ServiceCase
from saleor_aftersales.warranty import actions as warranty_actions
from saleor_aftersales.warranty.models import WarrantyClaim
from tests.conftest import TEST_API_URL
from tests.service.factories import open_case
from tests.warranty.factories import CUSTOMER, CUSTOMER_EMAIL, CUSTOMER_ID, registered, shoe_order

ORDERS, USERS = "MANAGE_ORDERS", "MANAGE_USERS"


def _headers(token):
    return {"HTTP_AUTHORIZATION_BEARER": token, "HTTP_SALEOR_API_URL": TEST_API_URL}


def _widget(client, token, locale="en"):
    url = f"/dashboard/frag/widgets/customer?customerId={CUSTOMER_ID}&locale={locale}"
    return client.get(url, **_headers(token)).content.decode()


def test_customer_widget_shows_warranties_with_days_left_and_open_cases_with_sla(
    client, installation, staff_token
):
    warranties = registered(installation, lines=[(Decimal("120.00"), 2)])
    case = open_case(installation)
    closed = open_case(installation, subject="Old question")
    ServiceCase.objects.filter(pk=closed.pk).update(status="closed")
    body = _widget(client, staff_token(ORDERS), locale="zh-Hans")
    assert body.count("data-warranty=") == 2
    for warranty in warranties:
        assert f'data-warranty="{warranty.pk}" data-days-left="' in body
    assert "天剩余" in body and "处理中的服务工单" in body
    assert f'data-case="{case.number}"' in body and f'data-case="{closed.number}"' not in body
    # The new case's first-response clock runs.
    assert 'data-sla="on_track"' in body


def test_customer_widget_sql_stays_constant_as_warranties_and_cases_grow(
    client, installation, staff_token, django_assert_max_num_queries
):
    token = staff_token(ORDERS)
    registered(installation)
    open_case(installation)
    with django_assert_max_num_queries(20) as first:
        _widget(client, token)
    for n in range(4):
        registered(installation, lines=[(Decimal("99.00"), 2)])
        open_case(installation, subject=f"Question {n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = _widget(client, token)
    assert body.count("data-warranty=") == 9 and body.count("data-case=") == 5


def test_customer_popup_shows_each_part_to_the_staff_holding_its_permission(
    client, installation, staff_token
):
    url = f"/dashboard/frag/popups/customer?customerId={CUSTOMER_ID}"
    clerk = client.get(url, **_headers(staff_token(ORDERS))).content.decode()
    assert 'id="case-form"' in clerk and 'name="popup"' not in clerk
    loyalty = client.get(url, **_headers(staff_token(USERS))).content.decode()
    assert 'id="case-form"' not in loyalty
    assert client.get(url, **_headers(staff_token("MANAGE_DISCOUNTS"))).status_code == 403
    form = {"customerId": CUSTOMER_ID, "channel": "phone", "subject": "Call", "body": "Asked about soles."}
    response = client.post("/dashboard/frag/popups/case", form, **_headers(staff_token(USERS)))
    assert response.status_code == 403 and not ServiceCase.objects.exists()


def test_customer_popup_opens_a_case_as_staff_with_typed_errors(client, installation, staff_token):
    Customer.objects.create(installation=installation, saleor_id=CUSTOMER_ID, email=CUSTOMER_EMAIL)
    token = staff_token(ORDERS, email="agent@example.com")
    body = client.get(
        f"/dashboard/frag/popups/customer?customerId={CUSTOMER_ID}&locale=zh-Hans", **_headers(token)
    ).content.decode()
    assert f'value="{CUSTOMER_EMAIL}"' in body and "新建服务工单" in body and "电话" in body
    form = {"customerId": CUSTOMER_ID, "channel": "phone", "subject": "Sole", "body": "The sole is loose."}
    for changed, code, field in (
        ({"channel": "storefront"}, "INVALID", "channel"),
        ({"subject": ""}, "REQUIRED", "subject"),
        ({"priority": "asap"}, "INVALID", "priority"),
    ):
        response = client.post("/dashboard/frag/popups/case", {**form, **changed}, **_headers(token))
        html = response.content.decode()
        assert f'data-code="{code}" data-field="{field}"' in html, changed
        assert json.loads(response["HX-Trigger"])["aftersales:notify"]["status"] == "error"
    assert not ServiceCase.objects.exists()
    response = client.post(
        "/dashboard/frag/popups/case", {**form, "priority": "high", "kind": "complaint"}, **_headers(token)
    )
    case = ServiceCase.objects.get()
    assert (case.channel, case.priority, case.kind, case.customer_user_id, case.customer_email) == (
        "phone", "high", "complaint", CUSTOMER_ID, CUSTOMER_EMAIL,
    )  # fmt: skip
    assert case.events.first().actor_email == "agent@example.com"
    trigger = json.loads(response["HX-Trigger"])
    assert trigger["aftersales:notify"]["text"] == case.number and "aftersales:refreshEntity" in trigger
    assert f'data-opened-case="{case.number}"' in response.content.decode()


def test_order_popup_files_a_warranty_claim_for_the_customer(client, installation, staff_token):
    warranty, other = registered(installation, lines=[(Decimal("120.00"), 2)])
    foreign = registered(installation)[0]  # another order's warranty
    order = warranty.order
    token = staff_token(ORDERS, email="clerk@example.com")
    body = client.get(
        f"/dashboard/frag/popups/order?orderId={order.saleor_id}&locale=zh-Hans", **_headers(token)
    ).content.decode()
    assert 'id="claim-form"' in body and f'data-warranty="{warranty.pk}"' in body and "鞋底开胶" in body
    assert f'data-warranty="{foreign.pk}"' not in body and 'id="case-form"' in body
    form = {"orderId": order.saleor_id, "warrantyId": warranty.pk, "symptom": "stitching"}
    for changed, code in (
        ({"symptom": "melted"}, "UNKNOWN_SYMPTOM"),
        ({"warrantyId": foreign.pk}, "NOT_FOUND"),
        ({"warrantyId": "x"}, "NOT_FOUND"),
    ):
        response = client.post("/dashboard/frag/popups/order/claim", {**form, **changed}, **_headers(token))
        assert f'data-code="{code}"' in response.content.decode(), changed
        assert json.loads(response["HX-Trigger"])["aftersales:notify"]["title"] == code
    assert not WarrantyClaim.objects.exists()
    assert (
        client.post("/dashboard/frag/popups/order/claim", form, **_headers(staff_token(USERS))).status_code
        == 403
    )
    response = client.post(
        "/dashboard/frag/popups/order/claim", {**form, "description": "Loose seam"}, **_headers(token)
    )
    claim = WarrantyClaim.objects.get()
    assert (claim.warranty_id, claim.symptom_code, claim.description) == (
        warranty.pk,
        "stitching",
        "Loose seam",
    )
    assert claim.events.first().actor_email == "clerk@example.com"
    assert f'data-claim="{claim.number}"' in response.content.decode()
    trigger = json.loads(response["HX-Trigger"])
    assert trigger["aftersales:notify"]["text"] == claim.number and "aftersales:refreshEntity" in trigger
    # A second claim on the same item is refused; the other unit's option stays open.
    again = client.post("/dashboard/frag/popups/order/claim", form, **_headers(token))
    assert 'data-code="CLAIM_ALREADY_OPEN"' in again.content.decode()
    body = client.get(f"/dashboard/frag/popups/order?orderId={order.saleor_id}", **_headers(token)).content
    assert body.decode().count("disabled>") >= 1 and f'data-warranty="{other.pk}" >'.encode() in body
    assert WarrantyClaim.objects.count() == 1


def test_order_popup_opens_a_case_linked_to_the_order(client, installation, staff_token):
    order = shoe_order(installation)
    token = staff_token(ORDERS)
    form = {
        "orderId": order.saleor_id,
        "channel": "email",
        "subject": "Where is it?",
        "body": "Asked by mail.",
    }
    response = client.post("/dashboard/frag/popups/case", {**form, "body": ""}, **_headers(token))
    assert 'data-code="REQUIRED" data-field="body"' in response.content.decode()
    assert not ServiceCase.objects.exists()
    response = client.post("/dashboard/frag/popups/case", form, **_headers(token))
    case = ServiceCase.objects.get()
    assert (case.linked_type, case.linked_id, case.order_id, case.channel) == (
        "order", order.saleor_id, order.pk, "email",
    )  # fmt: skip
    assert case.customer_email == order.user_email
    assert f'data-opened-case="{case.number}"' in response.content.decode()
    assert 'id="order-actions"' in response.content.decode()


def test_order_popup_sql_is_constant_as_warranties_grow(
    client, installation, staff_token, django_assert_max_num_queries
):
    warranties = registered(installation)
    order = warranties[0].order
    token = staff_token(ORDERS)
    url = f"/dashboard/frag/popups/order?orderId={order.saleor_id}"
    with django_assert_max_num_queries(14) as first:
        client.get(url, **_headers(token))
    line = order.lines.first()
    warranty_actions.create_claim(warranty=warranties[0], actor=CUSTOMER, symptom="stitching")
    line.quantity = 6
    line.save()
    from saleor_aftersales.warranty.models import Warranty

    base = Warranty.objects.get(pk=warranties[0].pk)
    for n in range(1, 6):
        base.pk, base.unit_index = None, n
        base.save()
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get(url, **_headers(token)).content.decode()
    assert body.count("data-warranty=") == 6
