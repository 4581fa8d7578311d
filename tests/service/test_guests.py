"""Guests (order number + email, no account) open a case about an order, read staff replies and answer."""

from __future__ import annotations

import pytest

from saleor_aftersales.core import ratelimit
from saleor_aftersales.core.ids import to_global_id
from saleor_aftersales.notifications.models import Notification
from saleor_aftersales.service import actions
from saleor_aftersales.service.models import CaseStatus, ServiceCase, ServiceCaseEvent, ServiceMessage
from saleor_aftersales.sla.models import SlaClock

from ..conftest import TEST_API_URL
from ..returns.factories import make_order
from .factories import staff

GUEST_EMAIL = "guest@example.com"
ERR = "errors { field code message }"
CREATE = (
    "mutation($input: ServiceCaseCreateInput!) { serviceCaseCreate(input: $input) {"
    " serviceCase { id number status channel linkedType linkedId intent customerEmail }"
    " suggestion { intent } " + ERR + " } }"
)
CASE = """query($id: ID!, $n: String, $e: String) { serviceCase(id: $id, orderNumber: $n, email: $e) {
  number status messages { kind body } lastMessage { kind body } } }"""
REPLY = (
    "mutation($id: ID!, $body: String!, $n: String, $e: String, $internal: Boolean) {"
    " serviceCaseReply(id: $id, body: $body, orderNumber: $n, email: $e, internal: $internal) {"
    " serviceCase { status } message { kind } " + ERR + " } }"
)


def guest_order(installation):
    return make_order(installation, user_id="", email=GUEST_EMAIL)


def _create(gql, order, email=GUEST_EMAIL, **extra):
    variables = {
        "input": {
            "subject": "Where is my refund?",
            "body": "I returned the shoes two weeks ago, no refund yet",
            "kind": "COMPLAINT",
            "orderNumber": order.number,
            "email": email,
            **extra,
        }
    }
    return gql(CREATE, variables, api_url=TEST_API_URL)["data"]["serviceCaseCreate"]


def test_guest_opens_a_case_linked_to_the_order(installation, gql):
    order = guest_order(installation)
    payload = _create(gql, order, email="Guest@Example.com", channel="PHONE", priority="URGENT")
    assert payload["errors"] == []
    case = payload["serviceCase"]
    assert (case["status"], case["channel"], case["linkedType"], case["linkedId"]) == (
        "NEW",
        "STOREFRONT",
        "ORDER",
        order.saleor_id,
    )
    assert case["customerEmail"] is None  # staff only
    assert case["intent"] == "refund_status" == payload["suggestion"]["intent"]
    row = ServiceCase.objects.get()
    assert (row.order_id, row.customer_email, row.customer_user_id, row.priority) == (
        order.pk,
        GUEST_EMAIL,
        "",
        "normal",
    )
    assert ServiceCaseEvent.objects.get(case=row).actor_type == "guest"
    # SLA clocks and the confirmation mail, as for signed-in customers.
    assert set(SlaClock.objects.filter(subject_id=str(row.pk)).values_list("metric", flat=True)) == {
        "first_response",
        "resolution",
    }
    assert list(Notification.objects.values_list("event", "recipient_email")) == [
        ("case_opened", GUEST_EMAIL)
    ]


@pytest.mark.parametrize(
    ("proof", "expected"),
    [
        (
            {"email": "someone@example.com"},
            ("orderNumber", "NOT_FOUND", "No order with this number and email."),
        ),
        ({"orderNumber": "999999"}, ("orderNumber", "NOT_FOUND", "No order with this number and email.")),
        (
            {"email": ""},
            (
                "email",
                "PERMISSION_DENIED",
                "Sign in, or give the order number and the email used for the order.",
            ),
        ),
        (
            {"linkedType": "RETURN_REQUEST", "linkedId": "1"},
            ("linkedId", "INVALID_LINK", "A guest's case is about the order given by number and email."),
        ),
    ],
)
def test_guest_create_with_bad_proof_is_typed_and_writes_nothing(installation, gql, proof, expected):
    order = guest_order(installation)
    variables = {
        "input": {
            "subject": "Hello",
            "body": "Question",
            "orderNumber": order.number,
            "email": GUEST_EMAIL,
            **proof,
        }
    }
    payload = gql(CREATE, variables, api_url=TEST_API_URL)["data"]["serviceCaseCreate"]
    assert [(e["field"], e["code"], e["message"]) for e in payload["errors"]] == [expected]
    assert payload["serviceCase"] is None
    assert ServiceCase.objects.count() == 0
    assert Notification.objects.count() == 0


def test_guest_reads_public_replies_and_answers(installation, gql):
    order = guest_order(installation)
    case_id = _create(gql, order)["serviceCase"]["id"]
    case = ServiceCase.objects.get()
    actions.add_message(case=case, actor=staff(), body="VIP, be nice", internal=True)
    actions.add_message(case=case, actor=staff(), body="Your refund is on its way.", wait_on_customer=True)
    proof = {"n": order.number, "e": GUEST_EMAIL}
    seen = gql(CASE, {"id": case_id, **proof}, api_url=TEST_API_URL)["data"]["serviceCase"]
    assert seen["status"] == "WAITING_ON_CUSTOMER"
    assert [(m["kind"], m["body"]) for m in seen["messages"]] == [
        ("CUSTOMER", "I returned the shoes two weeks ago, no refund yet"),
        ("REPLY", "Your refund is on its way."),
    ]
    assert seen["lastMessage"] == {"kind": "REPLY", "body": "Your refund is on its way."}
    # An internal note is staff's: refused to a guest, nothing written.
    refused = gql(REPLY, {"id": case_id, "body": "x", "internal": True, **proof}, api_url=TEST_API_URL)
    assert [e["code"] for e in refused["data"]["serviceCaseReply"]["errors"]] == ["PERMISSION_DENIED"]
    reply = gql(REPLY, {"id": case_id, "body": "Thanks!", **proof}, api_url=TEST_API_URL)["data"][
        "serviceCaseReply"
    ]
    assert reply["errors"] == []
    assert reply["message"]["kind"] == "CUSTOMER"
    assert reply["serviceCase"]["status"] == "OPEN"
    last = ServiceMessage.objects.filter(case=case).order_by("-id").first()
    assert (last.author_type, last.body) == ("guest", "Thanks!")
    assert ServiceMessage.objects.filter(case=case).count() == 4


def test_guest_never_sees_or_answers_another_orders_case(installation, gql):
    order = guest_order(installation)
    other = guest_order(installation)  # the same email, another order
    _create(gql, order)
    other_id = _create(gql, other)["serviceCase"]["id"]
    customers_case = actions.open_case(
        installation=installation,
        customer_email=GUEST_EMAIL,
        subject="s",
        body="b",
        actor=staff(),
        channel="phone",
        triage=False,
    )
    attempts = [
        (other_id, order.number, GUEST_EMAIL),  # proof of A, case of B
        (other_id, other.number, "someone@example.com"),  # wrong email
        (other_id, "999999", GUEST_EMAIL),  # wrong number
        (
            to_global_id("ServiceCase", customers_case.pk),
            order.number,
            GUEST_EMAIL,
        ),  # not linked to the order
        (to_global_id("ServiceCase", 987654), order.number, GUEST_EMAIL),  # does not exist
    ]
    for case_id, number, email in attempts:
        ratelimit.reset()  # 10 guesses a minute per client: each attempt here is one
        body = gql(CASE, {"id": case_id, "n": number, "e": email}, api_url=TEST_API_URL)
        assert body["data"]["serviceCase"] is None
        assert body["errors"][0]["message"] == "Unknown service case."
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        reply = gql(REPLY, {"id": case_id, "body": "mine", "n": number, "e": email}, api_url=TEST_API_URL)
        assert reply["data"]["serviceCaseReply"]["errors"] == [
            {"field": "id", "code": "NOT_FOUND", "message": "Unknown service case."}
        ]
    assert ServiceMessage.objects.filter(body="mine").count() == 0
    # Without any proof: a typed refusal, as before.
    body = gql(REPLY, {"id": other_id, "body": "mine"}, api_url=TEST_API_URL)
    assert body["data"]["serviceCaseReply"]["errors"][0]["code"] == "PERMISSION_DENIED"


def test_guest_case_lookups_are_rate_limited(installation, gql):
    order = guest_order(installation)
    case_id = _create(gql, order)["serviceCase"]["id"]  # 1 hit
    for _ in range(9):
        body = gql(CASE, {"id": case_id, "n": order.number, "e": GUEST_EMAIL}, api_url=TEST_API_URL)
        assert body["data"]["serviceCase"]["status"] == "NEW"
    body = gql(CASE, {"id": case_id, "n": order.number, "e": GUEST_EMAIL}, api_url=TEST_API_URL)
    assert body["errors"][0]["message"] == "Too many attempts. Please try again later."
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


def test_guest_actor_touches_only_cases_of_its_order(installation):
    from saleor_aftersales.core.errors import NotFoundError
    from saleor_aftersales.graphql.core.guests import guest_actor

    order = guest_order(installation)
    other = guest_order(installation)
    case = actions.open_case(
        installation=installation,
        customer_email=GUEST_EMAIL,
        subject="s",
        body="b",
        linked_type="order",
        linked_id=other.saleor_id,
        actor=staff(),
        triage=False,
    )
    with pytest.raises(NotFoundError):
        actions.add_message(case=case, actor=guest_actor(order), body="hi")
    assert actions.add_message(case=case, actor=guest_actor(other), body="hi").kind == "customer"
    assert case.status == CaseStatus.NEW
