"""Storefront retries of the create mutations: `idempotencyKey` makes a retried returnRequestCreate,
warrantyClaimCreate or serviceCaseCreate answer the first result and create nothing; the key is the requester's
own, so another customer sending the same key creates their own row and never sees the first one."""

from __future__ import annotations

import pytest
import time_machine

from saleor_aftersales.core import ratelimit
from saleor_aftersales.core.ids import to_global_id
from saleor_aftersales.returns.models import ReturnEvent, ReturnRequest
from saleor_aftersales.service.models import ServiceCase, ServiceMessage
from saleor_aftersales.warranty.models import WarrantyClaim
from tests.returns.factories import CUSTOMER_EMAIL, CUSTOMER_ID, in_window, make_order
from tests.warranty.factories import NOW, registered

ERR = "errors { field code message }"
RETURN = (
    "mutation($input: ReturnRequestCreateInput!) { returnRequestCreate(input: $input) {"
    " returnRequest { id number } " + ERR + " } }"
)
CLAIM = (
    "mutation($input: WarrantyClaimCreateInput!) { warrantyClaimCreate(input: $input) { claim { id number } "
    + ERR
    + " } }"
)
CASE = (
    "mutation($input: ServiceCaseCreateInput!) { serviceCaseCreate(input: $input) {"
    " serviceCase { id number } " + ERR + " } }"
)


@pytest.fixture(autouse=True)
def _clean_rate_limits():
    ratelimit.reset()
    yield
    ratelimit.reset()


@pytest.fixture
def customer_token(make_token):
    return make_token(kind="customer", user_id=CUSTOMER_ID, email=CUSTOMER_EMAIL)


def _return_input(order, key):
    line = order.lines.first()
    return {
        "orderId": order.saleor_id,
        "resolution": "REFUND",
        "lines": [{"orderLineId": line.saleor_id, "quantity": 1, "reason": "wrong-size"}],
        "idempotencyKey": key,
    }


def test_a_retried_return_request_answers_the_first_and_creates_nothing(installation, gql, make_token):
    with time_machine.travel(in_window(), tick=False):
        customer_token = make_token(kind="customer", user_id=CUSTOMER_ID, email=CUSTOMER_EMAIL)
        order = make_order(installation)
        first = gql(RETURN, {"input": _return_input(order, "7d0c-retry")}, token=customer_token)
        again = gql(RETURN, {"input": _return_input(order, "7d0c-retry")}, token=customer_token)
        assert ReturnRequest.objects.count() == 1
        # Without the key the same submit is a second request (the line has quantity to spare): the key is what
        # made the retry safe.
        third = gql(RETURN, {"input": _return_input(order, None)}, token=customer_token)
    first, again = first["data"]["returnRequestCreate"], again["data"]["returnRequestCreate"]
    assert first["errors"] == [] and again["errors"] == []
    assert again["returnRequest"] == first["returnRequest"]
    assert third["data"]["returnRequestCreate"]["returnRequest"]["id"] != first["returnRequest"]["id"]
    assert ReturnRequest.objects.count() == 2 and ReturnEvent.objects.filter(type="created").count() == 2


def test_a_retried_warranty_claim_answers_the_first_claim(installation, gql, make_token):
    [warranty] = registered(installation)
    variables = {"input": {"warrantyId": to_global_id("Warranty", warranty.pk), "symptom": "stitching",
                           "idempotencyKey": "claim-1"}}  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        customer_token = make_token(kind="customer", user_id=CUSTOMER_ID, email=CUSTOMER_EMAIL)
        first = gql(CLAIM, variables, token=customer_token)["data"]["warrantyClaimCreate"]
        again = gql(CLAIM, variables, token=customer_token)["data"]["warrantyClaimCreate"]
        fresh = gql(
            CLAIM, {"input": {**variables["input"], "idempotencyKey": "claim-2"}}, token=customer_token
        )
    assert first["errors"] == [] and again == first
    assert WarrantyClaim.objects.count() == 1
    # A new key is a new claim: refused, as one claim is already open for the item.
    assert fresh["data"]["warrantyClaimCreate"]["errors"][0]["code"] == "CLAIM_ALREADY_OPEN"


def test_the_same_key_from_another_customer_is_their_own_case(installation, gql, customer_token, make_token):
    other = make_token(kind="customer", user_id=to_global_id("User", 4242), email="other@example.com")
    case = {"subject": "Size?", "body": "Which size fits a 42?", "idempotencyKey": "same-key"}
    mine = gql(CASE, {"input": case}, token=customer_token)["data"]["serviceCaseCreate"]
    mine_again = gql(CASE, {"input": case}, token=customer_token)["data"]["serviceCaseCreate"]
    theirs = gql(CASE, {"input": case}, token=other)["data"]["serviceCaseCreate"]
    assert mine["errors"] == [] and mine_again == mine
    assert theirs["errors"] == [] and theirs["serviceCase"]["id"] != mine["serviceCase"]["id"]
    assert ServiceCase.objects.count() == 2 and ServiceMessage.objects.count() == 2
    emails = sorted(ServiceCase.objects.values_list("customer_email", flat=True))
    assert emails == sorted([CUSTOMER_EMAIL, "other@example.com"])
    stored = set(ServiceCase.objects.values_list("idempotency_key", flat=True))
    assert len(stored) == 2 and not any("same-key" in key for key in stored)  # digests, not the client's text
