"""Guests (order number + email, no account) list an order's warranties, file a claim and follow it."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from saleor_aftersales.core import ratelimit
from saleor_aftersales.core.ids import to_global_id
from saleor_aftersales.warranty import actions
from saleor_aftersales.warranty.models import ClaimEvent, WarrantyClaim

from ..conftest import TEST_API_URL
from .factories import NOW, STAFF, registered

GUEST_EMAIL = "guest@example.com"
ERR = "errors { field code message }"
LIST = """query($n: String!, $e: String!) { guestWarranties(orderNumber: $n, email: $e) {
  id status productName orderNumber daysLeft openClaims { id number status } } }"""
CLAIM = f"""mutation($input: WarrantyClaimCreateInput!) {{ warrantyClaimCreate(input: $input) {{
  claim {{ id number status coverage }} {ERR} }} }}"""
FOLLOW = """query($id: ID!, $n: String, $e: String) { warrantyClaim(id: $id, orderNumber: $n, email: $e) {
  number status timeline { type actorType toStatus message } } }"""


@pytest.fixture(autouse=True)
def _clean_rate_limits():
    ratelimit.reset()
    yield
    ratelimit.reset()


@pytest.fixture
def travel():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def wid(w):
    return to_global_id("Warranty", w.pk)


def guest_order(installation, **kwargs):
    warranties = registered(installation, user_id="", email=GUEST_EMAIL, **kwargs)
    return warranties[0].order, warranties


def test_guest_lists_the_orders_warranties_only(travel, installation, gql):
    order, warranties = guest_order(installation, lines=((Decimal("120.00"), 2),))
    other_order, _ = guest_order(installation)  # same email, another order: not listed
    body = gql(LIST, {"n": order.number, "e": "GUEST@Example.com"}, api_url=TEST_API_URL)
    rows = body["data"]["guestWarranties"]
    assert sorted(r["id"] for r in rows) == sorted(wid(w) for w in warranties)
    assert {r["orderNumber"] for r in rows} == {order.number}
    assert rows[0]["daysLeft"] == 335
    assert other_order.number != order.number


@pytest.mark.parametrize("proof", [("wrong", GUEST_EMAIL), (None, "someone@example.com")])
def test_guest_list_with_wrong_proof_is_not_found(travel, installation, gql, proof):
    order, _ = guest_order(installation)
    number = proof[0] if proof[0] is not None else order.number
    body = gql(LIST, {"n": number, "e": proof[1]}, api_url=TEST_API_URL)
    assert body["data"] is None
    assert body["errors"][0]["message"] == "No order with this number and email."
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_guest_list_in_constant_sql(travel, installation, gql, django_assert_max_num_queries):
    order, warranties = guest_order(installation, lines=tuple((Decimal("10.00"), 4) for _ in range(25)))
    assert len(warranties) == 100
    for warranty in warranties[:10]:
        actions.create_claim(warranty=warranty, actor=STAFF, symptom="stitching", now=NOW)
    with django_assert_max_num_queries(8):
        body = gql(LIST, {"n": order.number, "e": GUEST_EMAIL}, api_url=TEST_API_URL)
    rows = body["data"]["guestWarranties"]
    assert len(rows) == 100
    assert sum(len(r["openClaims"]) for r in rows) == 10


def test_guest_list_is_rate_limited_like_returns(travel, installation, gql):
    order, _ = guest_order(installation)
    for _ in range(10):
        assert "errors" not in gql(LIST, {"n": order.number, "e": GUEST_EMAIL}, api_url=TEST_API_URL)
    limited = gql(LIST, {"n": order.number, "e": GUEST_EMAIL}, api_url=TEST_API_URL)
    assert limited["errors"][0]["message"] == "Too many attempts. Please try again later."
    # The same buckets as returns' guests: the returns lookup is limited too now.
    returns = gql(
        "query($n: String, $e: String) { returnEligibility(orderNumber: $n, email: $e) { orderNumber } }",
        {"n": order.number, "e": GUEST_EMAIL},
        api_url=TEST_API_URL,
    )
    assert returns["errors"][0]["message"] == "Too many attempts. Please try again later."


def test_guest_files_a_claim_and_follows_it(travel, installation, gql, staff_token):
    order, [warranty] = guest_order(installation)
    proof = {"orderNumber": order.number, "email": "Guest@Example.com"}
    body = gql(
        CLAIM,
        {"input": {"warrantyId": wid(warranty), "symptom": "sole-detachment", **proof}},
        api_url=TEST_API_URL,
    )
    payload = body["data"]["warrantyClaimCreate"]
    assert payload["errors"] == []
    assert payload["claim"]["status"] == "SUBMITTED"
    assert payload["claim"]["coverage"] == "COVERED"
    claim = WarrantyClaim.objects.get()
    assert claim.customer_email == GUEST_EMAIL
    created = ClaimEvent.objects.get(claim=claim)
    assert (created.actor_type, created.actor_email) == ("guest", GUEST_EMAIL)
    # Staff decide; the guest follows the status and the timeline with the same proof.
    actions.decide_claim(claim=claim, actor=STAFF, decision="repair", now=NOW)
    body = gql(
        FOLLOW, {"id": payload["claim"]["id"], "n": order.number, "e": GUEST_EMAIL}, api_url=TEST_API_URL
    )
    seen = body["data"]["warrantyClaim"]
    assert seen["number"] == claim.number
    assert seen["status"] == "IN_REPAIR"
    assert [t["actorType"] for t in seen["timeline"]][:2] == ["guest", "staff"]
    listed = gql(LIST, {"n": order.number, "e": GUEST_EMAIL}, api_url=TEST_API_URL)["data"]["guestWarranties"]
    assert listed[0]["openClaims"] == [
        {"id": payload["claim"]["id"], "number": claim.number, "status": seen["status"]}
    ]


def test_guest_cannot_claim_or_follow_another_orders_warranty(travel, installation, gql):
    order, [warranty] = guest_order(installation)
    other_order, [other] = guest_order(installation)  # same guest email, another order
    cases = [
        ({"orderNumber": order.number, "email": GUEST_EMAIL}, wid(other)),  # proof of order A, warranty of B
        ({"orderNumber": order.number, "email": "someone@example.com"}, wid(warranty)),  # wrong email
        ({"orderNumber": "999999", "email": GUEST_EMAIL}, wid(warranty)),  # wrong number
        (
            {"orderNumber": order.number, "email": GUEST_EMAIL},
            to_global_id("Warranty", 987654),
        ),  # no such row
    ]
    for proof, warranty_id in cases:
        body = gql(
            CLAIM,
            {"input": {"warrantyId": warranty_id, "symptom": "stitching", **proof}},
            api_url=TEST_API_URL,
        )
        assert body["data"]["warrantyClaimCreate"]["errors"] == [
            {"field": "warrantyId", "code": "NOT_FOUND", "message": "Unknown Warranty."}
        ], proof
    assert WarrantyClaim.objects.count() == 0
    # A claim of order B cannot be followed with the proof of order A.
    claim = actions.create_claim(warranty=other, actor=STAFF, symptom="stitching", now=NOW)
    claim_id = to_global_id("WarrantyClaim", claim.pk)
    body = gql(FOLLOW, {"id": claim_id, "n": order.number, "e": GUEST_EMAIL}, api_url=TEST_API_URL)
    assert body["data"]["warrantyClaim"] is None
    assert body["errors"][0]["message"] == "Unknown WarrantyClaim."
    body = gql(FOLLOW, {"id": claim_id, "n": other_order.number, "e": GUEST_EMAIL}, api_url=TEST_API_URL)
    assert body["data"]["warrantyClaim"]["number"] == claim.number


def test_guest_without_proof_is_refused_with_a_typed_error(travel, installation, gql):
    order, [warranty] = guest_order(installation)
    body = gql(
        CLAIM,
        {"input": {"warrantyId": wid(warranty), "symptom": "stitching", "orderNumber": order.number}},
        api_url=TEST_API_URL,
    )
    assert body["data"]["warrantyClaimCreate"]["errors"] == [
        {
            "field": "email",
            "code": "PERMISSION_DENIED",
            "message": "Sign in, or give the order number and the email used for the order.",
        }
    ]
    body = gql(CLAIM, {"input": {"warrantyId": wid(warranty), "symptom": "stitching"}}, api_url=TEST_API_URL)
    assert [e["code"] for e in body["data"]["warrantyClaimCreate"]["errors"]] == ["PERMISSION_DENIED"]
    assert WarrantyClaim.objects.count() == 0


def test_guest_actor_acts_only_on_the_proven_order(travel, installation):
    from saleor_aftersales.core.errors import NotFoundError
    from saleor_aftersales.graphql.core.guests import guest_actor

    order, [warranty] = guest_order(installation)
    _other_order, [other] = guest_order(installation)
    actor = guest_actor(order)
    with pytest.raises(NotFoundError):
        actions.create_claim(warranty=other, actor=actor, symptom="stitching", now=NOW)
    assert WarrantyClaim.objects.count() == 0
    claim = actions.create_claim(warranty=warranty, actor=actor, symptom="stitching", now=NOW)
    assert claim.warranty_id == warranty.pk
