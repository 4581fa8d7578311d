"""Every MORE_ACTIONS popup form is safe to submit twice (double-click, htmx retry): the form carries a token
(`key`), the action dedupes on (installation, key). Open a case (customer and order popups), start a return, file a
warranty claim; adjusting points is covered in test_sections.py."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
import time_machine

from saleor_aftersales.core.actors import Actor, ActorType
from saleor_aftersales.core.errors import DomainError
from saleor_aftersales.notifications.models import Notification
from saleor_aftersales.orders.models import Customer
from saleor_aftersales.returns.models import ReturnRequest
from saleor_aftersales.service import actions as service_actions
from saleor_aftersales.service.models import ServiceCase, ServiceMessage
from saleor_aftersales.sla.models import SlaClock
from saleor_aftersales.warranty.models import WarrantyClaim
from tests.conftest import TEST_API_URL
from tests.returns.factories import in_window, make_order
from tests.warranty.factories import CUSTOMER_EMAIL, CUSTOMER_ID, registered, shoe_order

ORDERS = "MANAGE_ORDERS"
KEY = re.compile(r'<form id="(?P<form>[\w-]+)"[^>]*>.*?name="key" value="(?P<key>[^"]+)"', re.S)
STAFF = Actor(type=ActorType.STAFF, user_id="VXNlcjox", email="agent@example.com", permissions=(ORDERS,))


def _headers(token):
    return {"HTTP_AUTHORIZATION_BEARER": token, "HTTP_SALEOR_API_URL": TEST_API_URL}


def _keys(html: str) -> dict[str, str]:
    return {m["form"]: m["key"] for m in KEY.finditer(html)}


def test_customer_popup_opens_one_case_when_the_form_is_posted_twice(client, installation, staff_token):
    Customer.objects.create(installation=installation, saleor_id=CUSTOMER_ID, email=CUSTOMER_EMAIL)
    token = staff_token(ORDERS)
    popup = client.get(f"/dashboard/frag/popups/customer?customerId={CUSTOMER_ID}", **_headers(token))
    key = _keys(popup.content.decode())["case-form"]
    assert re.fullmatch(r"[0-9a-f]{32}-case", key)
    form = {"customerId": CUSTOMER_ID, "channel": "phone", "subject": "Sole", "body": "Loose.", "key": key}
    first = client.post("/dashboard/frag/popups/case", form, **_headers(token))
    second = client.post("/dashboard/frag/popups/case", form, **_headers(token))
    case = ServiceCase.objects.get()
    assert case.idempotency_key == key
    # The retry answers like the first post, with the same case; nothing else was written.
    for response in (first, second):
        assert json.loads(response["HX-Trigger"])["aftersales:notify"]["text"] == case.number
        assert f'data-opened-case="{case.number}"' in response.content.decode()
    assert ServiceMessage.objects.filter(case=case).count() == 1
    assert case.events.count() == 1
    assert SlaClock.objects.filter(subject_type="service_case", subject_id=str(case.pk)).count() == 2
    assert Notification.objects.filter(subject_type="service_case", subject_id=str(case.pk)).count() == 1
    # Each rendering carries a new token: the next case from the re-rendered popup is a new one.
    again = _keys(second.content.decode())["case-form"]
    assert again != key
    client.post("/dashboard/frag/popups/case", {**form, "key": again}, **_headers(token))
    assert ServiceCase.objects.count() == 2


def test_order_popup_opens_one_case_when_the_form_is_posted_twice(client, installation, staff_token):
    order = shoe_order(installation)
    token = staff_token(ORDERS)
    popup = client.get(f"/dashboard/frag/popups/order?orderId={order.saleor_id}", **_headers(token))
    key = _keys(popup.content.decode())["case-form"]
    form = {"orderId": order.saleor_id, "channel": "email", "subject": "Where?", "body": "Mail.", "key": key}
    for _ in range(2):
        response = client.post("/dashboard/frag/popups/case", form, **_headers(token))
    case = ServiceCase.objects.get()
    assert (case.linked_type, case.order_id) == ("order", order.pk)
    assert f'data-opened-case="{case.number}"' in response.content.decode()


def test_a_form_error_keeps_the_token_free_for_the_corrected_post(client, installation, staff_token):
    order = shoe_order(installation)
    token = staff_token(ORDERS)
    form = {"orderId": order.saleor_id, "channel": "email", "subject": "Where?", "body": "", "key": "k" * 32}
    response = client.post("/dashboard/frag/popups/case", form, **_headers(token))
    assert 'data-code="REQUIRED" data-field="body"' in response.content.decode()
    assert not ServiceCase.objects.exists()
    client.post("/dashboard/frag/popups/case", {**form, "body": "Mail."}, **_headers(token))
    assert ServiceCase.objects.get().idempotency_key == "k" * 32


def test_order_popup_starts_one_return_when_the_form_is_posted_twice(client, installation, staff_token):
    order = make_order(installation, lines=((Decimal("50.00"), 3),))
    line = order.lines.first()
    with time_machine.travel(in_window(3), tick=False):
        token = staff_token(ORDERS)
        popup = client.get(f"/dashboard/frag/popups/order?orderId={order.saleor_id}", **_headers(token))
        key = _keys(popup.content.decode())["start-return"]
        assert key.endswith("-return")
        form = {
            "orderId": order.saleor_id,
            f"qty-{line.pk}": "1",
            "reason": "wrong-size",
            "resolution": "refund",
            "kind": "return",
            "key": key,
        }
        responses = [client.post("/dashboard/frag/popups/order", form, **_headers(token)) for _ in range(2)]
        created = ReturnRequest.objects.get(order=order)
        assert created.lines.get().quantity == 1 and created.events.count() == 1
        for response in responses:
            assert json.loads(response["HX-Trigger"])["aftersales:notify"]["text"] == created.number
        # Without the token (an older form) the same post is a second request: the key is what dedupes.
        client.post("/dashboard/frag/popups/order", {**form, "key": ""}, **_headers(token))
    assert ReturnRequest.objects.filter(order=order).count() == 2


def test_order_popup_files_one_claim_when_the_form_is_posted_twice(client, installation, staff_token):
    warranty, _other = registered(installation, lines=[(Decimal("120.00"), 2)])
    token = staff_token(ORDERS)
    popup = client.get(f"/dashboard/frag/popups/order?orderId={warranty.order.saleor_id}", **_headers(token))
    key = _keys(popup.content.decode())["claim-form"]
    assert key.endswith("-claim")
    form = {
        "orderId": warranty.order.saleor_id,
        "warrantyId": warranty.pk,
        "symptom": "stitching",
        "key": key,
    }
    first = client.post("/dashboard/frag/popups/order/claim", form, **_headers(token))
    second = client.post("/dashboard/frag/popups/order/claim", form, **_headers(token))
    claim = WarrantyClaim.objects.get()
    assert claim.idempotency_key == key and claim.events.count() == 1
    # The twin answers the same claim (under the item's lock), like the first post.
    for response in (first, second):
        assert f'data-claim="{claim.number}"' in response.content.decode()
        assert json.loads(response["HX-Trigger"])["aftersales:notify"]["text"] == claim.number
    # Without the token the one-open-claim rule still refuses a second claim on the item, nothing written.
    third = client.post("/dashboard/frag/popups/order/claim", {**form, "key": ""}, **_headers(token))
    assert 'data-code="CLAIM_ALREADY_OPEN"' in third.content.decode()
    assert WarrantyClaim.objects.count() == 1


def test_open_case_with_a_known_key_returns_the_case_and_writes_nothing(installation):
    def open_it(**changed):
        values = {
            "installation": installation,
            "customer_email": CUSTOMER_EMAIL,
            "channel": "phone",
            "subject": "Sole",
            "body": "Loose.",
            "actor": STAFF,
            "idempotency_key": "form-1",
            **changed,
        }
        return service_actions.open_case(**values)

    case = open_it()
    # The same key answers the same case even when the retry's text differs (the first submission wins).
    assert open_it(subject="Other").pk == case.pk
    assert ServiceCase.objects.count() == 1 and case.events.count() == 1
    with pytest.raises(DomainError) as raised:
        open_it(idempotency_key="x" * 65)
    assert raised.value.details[0].code == "TOO_LONG"
    assert open_it(idempotency_key="").pk != open_it(idempotency_key="").pk  # no key: no dedupe


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_twins_of_one_case_form_open_one_case(installation):
    """Two connections post the same token at once: the unique key makes the second answer the first's case."""
    import threading

    from django.db import connection

    results: list = []
    barrier = threading.Barrier(2)

    def submit():
        try:
            barrier.wait()
            case = service_actions.open_case(
                installation=installation,
                customer_email=CUSTOMER_EMAIL,
                channel="phone",
                subject="Sole",
                body="Loose.",
                actor=STAFF,
                idempotency_key="twin",
                triage=False,
            )
            results.append(case.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2 and results[0] == results[1]
    assert ServiceCase.objects.filter(idempotency_key="twin").count() == 1
