"""Returns screens: every staff action the request's state allows, queue filters, bulk receive, the order's
MORE_ACTIONS popup, and typed errors shown on the form with nothing written."""

import json

import time_machine

from saleor_aftersales.outbox.models import OutboxMessage
from saleor_aftersales.returns.models import ReturnRequest, ReturnStatus
from tests.conftest import TEST_API_URL
from tests.returns.factories import in_window, make_order

from .helpers import make_return

ORDERS = "MANAGE_ORDERS"


def _headers(token):
    return {"HTTP_AUTHORIZATION_BEARER": token, "HTTP_SALEOR_API_URL": TEST_API_URL}


def _post(client, url, data, token):
    return client.post(url, data, **_headers(token))


def _notify(response):
    return json.loads(response["HX-Trigger"])["aftersales:notify"]


def test_detail_offers_only_the_actions_of_the_state(client, installation, staff_token):
    request = make_return(installation)
    token = staff_token(ORDERS)
    body = client.get(f"/dashboard/frag/returns/{request.pk}", **_headers(token)).content.decode()
    assert 'id="approve-form"' in body and 'id="reject-form"' in body
    assert 'id="receive-form"' not in body and 'id="resolve-form"' not in body
    _post(client, f"/dashboard/frag/returns/{request.pk}/approve", {}, token)
    body = client.get(f"/dashboard/frag/returns/{request.pk}", **_headers(token)).content.decode()
    assert 'id="receive-form"' in body
    assert (
        'id="approve-form"' not in body and 'id="reject-form"' not in body and 'id="inspect-form"' not in body
    )


def test_reject_needs_a_reason_then_records_it(client, installation, staff_token):
    request = make_return(installation)
    token = staff_token(ORDERS, email="lead@example.com")
    response = _post(client, f"/dashboard/frag/returns/{request.pk}/reject", {"reason": "  "}, token)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-code="REQUIRED"' in body and 'data-field="reason"' in body
    assert _notify(response)["status"] == "error"
    request.refresh_from_db()
    assert request.status == ReturnStatus.REQUESTED and request.events.count() == 1

    response = _post(client, f"/dashboard/frag/returns/{request.pk}/reject", {"reason": "Worn"}, token)
    trigger = json.loads(response["HX-Trigger"])
    assert trigger["aftersales:notify"]["status"] == "success" and "aftersales:refreshEntity" in trigger
    request.refresh_from_db()
    assert (request.status, request.decision_note) == (ReturnStatus.REJECTED, "Worn")
    event = request.events.order_by("-id").first()
    assert (event.type, event.actor_email, event.note) == ("reject", "lead@example.com", "Worn")


def test_receive_per_line_inspect_and_resolve_by_refund(client, installation, staff_token):
    order = make_order(installation)
    line = order.lines.first()
    from saleor_aftersales.returns import actions
    from saleor_aftersales.returns.actions import LineInput

    from .helpers import CUSTOMER

    request = actions.create_return_request(
        order=order,
        actor=CUSTOMER,
        lines=[LineInput(order_line_id=line.pk, quantity=2, reason_code="wrong-size")],
        resolution="refund",
        now=in_window(3),
    )
    return_line = request.lines.get()
    token = staff_token(ORDERS)
    _post(client, f"/dashboard/frag/returns/{request.pk}/approve", {}, token)
    url = f"/dashboard/frag/returns/{request.pk}"

    # More than approved: typed error, nothing received.
    response = _post(client, f"{url}/receive", {f"received-{return_line.pk}": "3"}, token)
    assert 'data-code="OUT_OF_RANGE"' in response.content.decode()
    return_line.refresh_from_db()
    assert return_line.received_quantity == 0

    _post(client, f"{url}/receive", {f"received-{return_line.pk}": "1"}, token)
    request.refresh_from_db()
    assert request.status == ReturnStatus.PARTIALLY_RECEIVED
    _post(client, f"{url}/receive", {f"received-{return_line.pk}": "1"}, token)
    request.refresh_from_db()
    assert request.status == ReturnStatus.RECEIVED

    response = _post(
        client,
        f"{url}/inspect",
        {
            f"condition-{return_line.pk}": "opened",
            f"restock-{return_line.pk}": "on",
            f"note-{return_line.pk}": "ok",
        },
        token,
    )
    assert _notify(response)["status"] == "success"
    return_line.refresh_from_db()
    assert (return_line.condition, return_line.restock, return_line.inspector_note) == ("opened", True, "ok")
    request.refresh_from_db()
    assert request.status == ReturnStatus.INSPECTED
    assert 'id="resolve-form"' in response.content.decode()

    response = _post(client, f"{url}/resolve", {"resolution": "refund"}, token)
    assert _notify(response)["status"] == "success"
    request.refresh_from_db()
    assert request.status == ReturnStatus.RESOLVING
    assert OutboxMessage.objects.filter(subject_id=str(request.pk)).exclude(operation="OrderNoteAdd").exists()


def test_inspect_with_unknown_condition_is_a_form_error(client, installation, staff_token):
    request = make_return(installation)
    token = staff_token(ORDERS)
    url = f"/dashboard/frag/returns/{request.pk}"
    _post(client, f"{url}/approve", {}, token)
    _post(client, f"{url}/receive", {}, token)
    line = request.lines.get()
    response = _post(client, f"{url}/inspect", {f"condition-{line.pk}": "shiny"}, token)
    assert 'data-code="INVALID"' in response.content.decode()
    request.refresh_from_db()
    assert request.status == ReturnStatus.RECEIVED


def test_bulk_receive_and_queue_filters(client, installation, staff_token):
    first, second, third = make_return(installation), make_return(installation), make_return(installation)
    token = staff_token(ORDERS)
    _post(client, "/dashboard/frag/returns/bulk-approve", {"ids": [first.pk, second.pk]}, token)
    response = _post(
        client, "/dashboard/frag/returns/bulk-receive", {"ids": [first.pk, second.pk, third.pk]}, token
    )
    assert _notify(response) == {"status": "warning", "title": "Return received", "text": "2 / 3"}
    statuses = dict(
        ReturnRequest.objects.filter(pk__in=[first.pk, second.pk, third.pk]).values_list("pk", "status")
    )
    assert statuses == {first.pk: "received", second.pk: "received", third.pk: "requested"}

    body = client.get("/dashboard/frag/returns?status=received", **_headers(token)).content.decode()
    assert body.count("data-rma=") == 2 and third.number not in body
    body = client.get("/dashboard/frag/returns?status=open&kind=claim", **_headers(token)).content.decode()
    assert body.count("data-rma=") == 0
    # The fixtures' requests were made weeks ago: the requested one is past its decision deadline.
    body = client.get("/dashboard/frag/returns?status=overdue", **_headers(token)).content.decode()
    assert third.number in body


def test_order_popup_starts_a_return_for_the_order(
    client, installation, staff_token, django_assert_max_num_queries
):
    order = make_order(installation)
    line = order.lines.first()
    with time_machine.travel(in_window(3), tick=False):
        token = staff_token(ORDERS, email="clerk@example.com")
        # 12 for the return form, +2 for the warranty claim form (the order's warranties, the symptom list).
        with django_assert_max_num_queries(14):
            body = client.get(
                f"/dashboard/frag/popups/order?orderId={order.saleor_id}", **_headers(token)
            ).content.decode()
        assert f'name="qty-{line.pk}"' in body and "wrong-size" in body
        empty = _post(
            client,
            "/dashboard/frag/popups/order",
            {"orderId": order.saleor_id, "reason": "wrong-size", "resolution": "refund", "kind": "return"},
            token,
        )
        assert 'data-code="EMPTY_REQUEST"' in empty.content.decode()
        assert ReturnRequest.objects.filter(order=order).count() == 0
        response = _post(
            client,
            "/dashboard/frag/popups/order",
            {
                "orderId": order.saleor_id,
                f"qty-{line.pk}": "1",
                "reason": "wrong-size",
                "resolution": "refund",
                "kind": "return",
            },
            token,
        )
    trigger = json.loads(response["HX-Trigger"])
    assert set(trigger) == {"aftersales:notify", "aftersales:refreshEntity", "aftersales:popupClose"}
    created = ReturnRequest.objects.get(order=order)
    assert trigger["aftersales:notify"]["text"] == created.number
    assert created.lines.get().quantity == 1
    assert created.events.order_by("id").first().actor_email == "clerk@example.com"


def test_order_popup_of_another_installation_order_is_not_found(client, installation, staff_token):
    token = staff_token(ORDERS)
    body = client.get("/dashboard/frag/popups/order?orderId=T3JkZXI6OTk5", **_headers(token)).content.decode()
    assert "not known to the app" in body
    response = _post(client, "/dashboard/frag/popups/order", {"orderId": "T3JkZXI6OTk5"}, token)
    assert response.status_code == 404


def test_detail_sql_stays_constant_as_the_timeline_grows(
    client, installation, staff_token, django_assert_max_num_queries
):
    request = make_return(installation)
    token = staff_token(ORDERS)
    url = f"/dashboard/frag/returns/{request.pk}"
    _post(client, f"{url}/approve", {}, token)
    with django_assert_max_num_queries(5):
        client.get(url, **_headers(token))
    _post(client, f"{url}/receive", {}, token)
    with django_assert_max_num_queries(6):
        assert client.get(url, **_headers(token)).status_code == 200
