"""Federation: Order.warranties / Order.claims / User.warranties and Warranty / RepairOrder entities, access-checked
and batched in constant SQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from saleor_aftersales.core.ids import to_global_id
from saleor_aftersales.warranty import actions
from saleor_aftersales.warranty.models import RepairOrder

from .factories import CUSTOMER, CUSTOMER_EMAIL, CUSTOMER_ID, NOW, STAFF, registered, shoe_order

ORDERS = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Order { id warranties { id productName daysLeft } claims { number status } } } }"""
USERS = "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { warranties { id } } } }"
ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  __typename ... on Warranty { productName } ... on RepairOrder { number status } } }"""


@pytest.fixture
def travel():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def customer_token(make_token):
    return make_token(kind="customer", user_id=CUSTOMER_ID, email=CUSTOMER_EMAIL)


@pytest.fixture
def other_token(make_token):
    return make_token(kind="customer", user_id=to_global_id("User", 31337), email="mallory@example.com")


def test_order_warranties_and_claims_batched_and_access_checked(
    travel, installation, gql, customer_token, other_token, django_assert_max_num_queries
):
    orders = []
    for _ in range(5):
        order = shoe_order(installation, lines=((Decimal("50.00"), 2),))
        actions.register_order_warranties(order=order)
        orders.append(order)
    first = orders[0].warranties.first()
    actions.create_claim(warranty=first, actor=CUSTOMER, symptom="stitching", now=NOW)
    refs = {"r": [{"__typename": "Order", "id": o.saleor_id} for o in orders]}
    with django_assert_max_num_queries(6):
        body = gql(ORDERS, refs, token=customer_token)
    entities = body["data"]["_entities"]
    assert [len(e["warranties"]) for e in entities] == [2, 2, 2, 2, 2]
    assert [len(e["claims"]) for e in entities] == [1, 0, 0, 0, 0]
    hidden = gql(ORDERS, refs, token=other_token)["data"]["_entities"]
    assert all(e["warranties"] == [] and e["claims"] == [] for e in hidden)


def test_user_warranties_only_for_that_customer_or_staff(
    travel, installation, gql, customer_token, other_token, staff_token
):
    registered(installation, lines=((Decimal("50.00"), 3),))
    refs = {"r": [{"__typename": "User", "id": CUSTOMER_ID}]}
    assert len(gql(USERS, refs, token=customer_token)["data"]["_entities"][0]["warranties"]) == 3
    assert gql(USERS, refs, token=other_token)["data"]["_entities"][0]["warranties"] == []
    staff = staff_token("MANAGE_ORDERS")
    assert len(gql(USERS, refs, token=staff)["data"]["_entities"][0]["warranties"]) == 3


def test_warranty_and_repair_order_entities_resolve_for_the_owner_only(
    travel, installation, gql, customer_token, other_token
):
    [warranty] = registered(installation)
    claim = actions.create_claim(warranty=warranty, actor=CUSTOMER, symptom="stitching", now=NOW)
    actions.decide_claim(claim=claim, actor=STAFF, decision="repair", now=NOW)
    repair = RepairOrder.objects.get()
    refs = {
        "r": [
            {"__typename": "Warranty", "id": to_global_id("Warranty", warranty.pk)},
            {"__typename": "RepairOrder", "id": to_global_id("RepairOrder", repair.pk)},
        ]
    }
    mine = gql(ENTITIES, refs, token=customer_token)["data"]["_entities"]
    assert mine == [
        {"__typename": "Warranty", "productName": "Product 0"},
        {"__typename": "RepairOrder", "number": repair.number, "status": "AWAITING_ITEM"},
    ]
    assert gql(ENTITIES, refs, token=other_token)["data"]["_entities"] == [None, None]
