"""The after-sales API as a federation subgraph: `_service { sdl }` and `_entities` for Saleor's Order/User."""

from __future__ import annotations

import pytest
import time_machine

from saleor_aftersales.core.actors import Actor, ActorType
from saleor_aftersales.returns import actions
from saleor_aftersales.returns.actions import LineInput
from tests.conftest import user_global_id
from tests.returns.factories import in_window, make_order

ADA_ID = user_global_id(701)
ADA_EMAIL = "ada@example.com"
BOB_ID = user_global_id(702)
BOB_EMAIL = "bob@example.com"

ORDER_ENTITIES = """
query OrderEntities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Order { id returnRequests { number status lines { quantity } } }
  }
}
"""

USER_ENTITIES = """
query UserEntities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on User { returnRequests { number orderId } }
  }
}
"""


def _return(order, *, user_id: str, email: str, quantity: int = 1):
    actor = Actor(type=ActorType.CUSTOMER, user_id=user_id, email=email)
    line = order.lines.first()
    return actions.create_return_request(
        order=order,
        actor=actor,
        lines=[LineInput(order_line_id=line.pk, quantity=quantity, reason_code="wrong-size")],
        resolution="refund",
        now=in_window(),
    )


def _order_refs(*orders):
    return {"representations": [{"__typename": "Order", "id": order.saleor_id} for order in orders]}


def test_service_sdl_is_a_federation_v2_subgraph_with_saleor_entities(gql):
    sdl = gql("{ _service { sdl } }")["data"]["_service"]["sdl"]

    assert '@link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])' in sdl
    assert 'type Order @key(fields: "id") {' in sdl
    assert 'type User @key(fields: "email") @key(fields: "id") {' in sdl
    assert "returnRequests: [ReturnRequest!]!" in sdl
    # Saleor's graph owns "Money" (Float amount); ours must not collide with it in the supergraph.
    assert "type Money " not in sdl
    assert "type AftersalesMoney " in sdl


def test_order_entity_gives_the_owner_their_return_requests(gql, installation, make_token):
    order = make_order(installation, user_id=ADA_ID, email=ADA_EMAIL)
    request = _return(order, user_id=ADA_ID, email=ADA_EMAIL, quantity=2)
    token = make_token(user_id=ADA_ID, email=ADA_EMAIL)

    result = gql(ORDER_ENTITIES, _order_refs(order), token=token)

    assert "errors" not in result
    assert result["data"]["_entities"] == [
        {
            "__typename": "Order",
            "id": order.saleor_id,
            "returnRequests": [
                {"number": request.number, "status": "REQUESTED", "lines": [{"quantity": 2}]},
            ],
        }
    ]


def test_another_customers_order_yields_no_after_sales_data(gql, installation, make_token):
    adas_order = make_order(installation, user_id=ADA_ID, email=ADA_EMAIL)
    _return(adas_order, user_id=ADA_ID, email=ADA_EMAIL)
    bobs_token = make_token(user_id=BOB_ID, email=BOB_EMAIL)

    result = gql(ORDER_ENTITIES, _order_refs(adas_order), token=bobs_token)

    assert result["data"]["_entities"] == [
        {"__typename": "Order", "id": adas_order.saleor_id, "returnRequests": []}
    ]


def test_anonymous_and_unknown_orders_yield_no_after_sales_data(gql, installation, make_token):
    order = make_order(installation, user_id=ADA_ID, email=ADA_EMAIL)
    _return(order, user_id=ADA_ID, email=ADA_EMAIL)

    anonymous = gql(ORDER_ENTITIES, _order_refs(order))
    unknown = gql(
        ORDER_ENTITIES,
        {"representations": [{"__typename": "Order", "id": "T3JkZXI6OTk5OTk="}]},
        token=make_token(user_id=ADA_ID, email=ADA_EMAIL),
    )

    assert anonymous["data"]["_entities"][0]["returnRequests"] == []
    assert unknown["data"]["_entities"][0]["returnRequests"] == []


def test_staff_needs_manage_orders_for_order_entities(gql, installation, staff_token):
    order = make_order(installation, user_id=ADA_ID, email=ADA_EMAIL)
    request = _return(order, user_id=ADA_ID, email=ADA_EMAIL)

    with_perm = gql(ORDER_ENTITIES, _order_refs(order), token=staff_token("MANAGE_ORDERS"))
    without = gql(ORDER_ENTITIES, _order_refs(order), token=staff_token("MANAGE_USERS"))

    assert [r["number"] for r in with_perm["data"]["_entities"][0]["returnRequests"]] == [request.number]
    assert without["data"]["_entities"][0]["returnRequests"] == []


def test_user_entity_by_id_or_email_is_only_for_that_customer(gql, installation, make_token):
    order = make_order(installation, user_id=ADA_ID, email=ADA_EMAIL)
    request = _return(order, user_id=ADA_ID, email=ADA_EMAIL)
    refs = {
        "representations": [
            {"__typename": "User", "id": ADA_ID},
            {"__typename": "User", "email": "ADA@example.com"},
            {"__typename": "User", "id": BOB_ID},
        ]
    }

    as_ada = gql(USER_ENTITIES, refs, token=make_token(user_id=ADA_ID, email=ADA_EMAIL))
    as_bob = gql(USER_ENTITIES, refs, token=make_token(user_id=BOB_ID, email=BOB_EMAIL))

    expected = [{"number": request.number, "orderId": order.saleor_id}]
    assert as_ada["data"]["_entities"] == [
        {"returnRequests": expected},
        {"returnRequests": expected},
        {"returnRequests": []},
    ]
    assert as_bob["data"]["_entities"] == [{"returnRequests": []}] * 3


def test_entities_are_scoped_to_the_requestors_installation(gql, installation, make_token):
    from saleor_aftersales.installations.models import Installation

    other = Installation.objects.create(
        saleor_api_url="https://other.example.com/graphql/",
        saleor_domain="other.example.com",
        app_id="QXBwOjk=",
        auth_token="other-token",
        jwks=installation.jwks,
    )
    foreign_order = make_order(other, user_id=ADA_ID, email=ADA_EMAIL)
    _return(foreign_order, user_id=ADA_ID, email=ADA_EMAIL)

    result = gql(
        ORDER_ENTITIES, _order_refs(foreign_order), token=make_token(user_id=ADA_ID, email=ADA_EMAIL)
    )

    assert result["data"]["_entities"][0]["returnRequests"] == []


@pytest.mark.parametrize("count", [5, 100])
def test_order_reference_resolution_runs_constant_queries(
    gql, installation, make_token, count_queries, count
):
    orders = [make_order(installation, user_id=ADA_ID, email=ADA_EMAIL) for _ in range(count)]
    for order in orders:
        _return(order, user_id=ADA_ID, email=ADA_EMAIL)
    token = make_token(user_id=ADA_ID, email=ADA_EMAIL)

    with count_queries(4):
        result = gql(ORDER_ENTITIES, _order_refs(*orders), token=token)

    entities = result["data"]["_entities"]
    assert len(entities) == count
    assert all(len(entity["returnRequests"]) == 1 for entity in entities)
    assert all(entity["returnRequests"][0]["lines"] == [{"quantity": 1}] for entity in entities)


ELIGIBILITY_ENTITIES = """
query OrderEligibility($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Order { id returnEligibility { orderNumber lines { returnableQuantity notReturnableCode } } }
  }
}
"""

RETURN_REQUEST_ENTITIES = """
query ReturnRequestEntities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on ReturnRequest { number status orderNumber }
  }
}
"""


@pytest.mark.parametrize("count", [5, 100])
def test_order_return_eligibility_resolves_in_constant_queries(
    gql, installation, make_token, count_queries, count
):
    orders = [make_order(installation, user_id=ADA_ID, email=ADA_EMAIL) for _ in range(count)]
    _return(orders[0], user_id=ADA_ID, email=ADA_EMAIL, quantity=1)
    with time_machine.travel(in_window(), tick=False):
        token = make_token(user_id=ADA_ID, email=ADA_EMAIL)
        with count_queries(12):
            result = gql(ELIGIBILITY_ENTITIES, _order_refs(*orders), token=token)

    entities = result["data"]["_entities"]
    assert len(entities) == count
    bought = orders[0].lines.first().quantity
    first_line = entities[0]["returnEligibility"]["lines"][0]
    # One unit is held by the open return request; the other orders still have all their units.
    assert first_line["returnableQuantity"] == bought - 1
    assert entities[1]["returnEligibility"]["lines"][0]["returnableQuantity"] == bought
    assert entities[1]["returnEligibility"]["orderNumber"] == orders[1].number


def test_other_customers_order_has_no_return_eligibility(gql, installation, make_token):
    order = make_order(installation, user_id=ADA_ID, email=ADA_EMAIL)
    token = make_token(user_id=BOB_ID, email=BOB_EMAIL)
    result = gql(ELIGIBILITY_ENTITIES, _order_refs(order), token=token)
    assert result["data"]["_entities"] == [{"id": order.saleor_id, "returnEligibility": None}]


def test_return_request_is_an_entity_only_for_its_customer_and_staff(
    gql, installation, make_token, staff_token
):
    from saleor_aftersales.core.ids import to_global_id

    order = make_order(installation, user_id=ADA_ID, email=ADA_EMAIL)
    request = _return(order, user_id=ADA_ID, email=ADA_EMAIL)
    refs = {
        "representations": [{"__typename": "ReturnRequest", "id": to_global_id("ReturnRequest", request.pk)}]
    }

    own = gql(RETURN_REQUEST_ENTITIES, refs, token=make_token(user_id=ADA_ID, email=ADA_EMAIL))
    assert own["data"]["_entities"] == [
        {"number": request.number, "status": "REQUESTED", "orderNumber": order.number}
    ]
    other = gql(RETURN_REQUEST_ENTITIES, refs, token=make_token(user_id=BOB_ID, email=BOB_EMAIL))
    assert other["data"]["_entities"] == [None]
    staff = gql(RETURN_REQUEST_ENTITIES, refs, token=staff_token("MANAGE_ORDERS"))
    assert staff["data"]["_entities"][0]["number"] == request.number


LOYALTY_ENTITIES = """
query Loyalty($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Order { loyaltyPointsEarned }
    ... on User { loyaltyAccount { availablePoints pendingPoints } }
  }
}
"""


def test_order_points_and_user_loyalty_account_are_only_for_that_customer(gql, installation, make_token):
    from saleor_aftersales.loyalty.actions import earn_for_order
    from tests.loyalty import factories as loyalty

    loyalty.make_programme(installation)
    order = loyalty.make_order(installation)  # 2 x 50.00 net -> 100 pending points
    earn_for_order(order=order, actor=Actor(type=ActorType.SYSTEM))
    refs = {
        "representations": [
            {"__typename": "Order", "id": order.saleor_id},
            {"__typename": "User", "id": order.user_id},
        ]
    }
    own = gql(LOYALTY_ENTITIES, refs, token=make_token(user_id=order.user_id, email=order.user_email))
    assert own["data"]["_entities"] == [
        {"loyaltyPointsEarned": 100},
        {"loyaltyAccount": {"availablePoints": 0, "pendingPoints": 100}},
    ]
    other = gql(LOYALTY_ENTITIES, refs, token=make_token(user_id=BOB_ID, email=BOB_EMAIL))
    assert other["data"]["_entities"] == [{"loyaltyPointsEarned": None}, {"loyaltyAccount": None}]


def test_user_loyalty_account_by_the_email_key_finds_the_signed_in_customers_account(
    gql, installation, make_token
):
    """The gateway may resolve `User` by `@key(email)`: the account (stored under the user id) is still found."""
    from saleor_aftersales.loyalty.actions import earn_for_order
    from tests.loyalty import factories as loyalty

    loyalty.make_programme(installation)
    order = loyalty.make_order(installation)
    earn_for_order(order=order, actor=Actor(type=ActorType.SYSTEM))
    refs = {"representations": [{"__typename": "User", "email": order.user_email}]}

    own = gql(LOYALTY_ENTITIES, refs, token=make_token(user_id=order.user_id, email=order.user_email))
    other = gql(LOYALTY_ENTITIES, refs, token=make_token(user_id=BOB_ID, email=BOB_EMAIL))

    assert own["data"]["_entities"] == [{"loyaltyAccount": {"availablePoints": 0, "pendingPoints": 100}}]
    assert other["data"]["_entities"] == [{"loyaltyAccount": None}]


LOYALTY_ACCOUNT_ENTITIES = """
query Accounts($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on LoyaltyAccount { email pendingPoints } }
}
"""


def test_loyalty_account_entity_is_only_for_its_member_and_staff_with_manage_users(
    gql, installation, make_token, staff_token, django_assert_max_num_queries
):
    from saleor_aftersales.core.ids import to_global_id
    from saleor_aftersales.loyalty.actions import earn_for_order
    from saleor_aftersales.loyalty.models import Account
    from tests.loyalty import factories as loyalty

    loyalty.make_programme(installation)
    order = loyalty.make_order(installation)
    earn_for_order(order=order, actor=Actor(type=ActorType.SYSTEM))
    account = Account.objects.get(installation=installation)
    refs = {
        "representations": [
            {"__typename": "LoyaltyAccount", "id": to_global_id("LoyaltyAccount", account.pk)}
        ]
    }
    mine = {"email": order.user_email, "pendingPoints": 100}

    with django_assert_max_num_queries(6):
        own = gql(
            LOYALTY_ACCOUNT_ENTITIES, refs, token=make_token(user_id=order.user_id, email=order.user_email)
        )
    other = gql(LOYALTY_ACCOUNT_ENTITIES, refs, token=make_token(user_id=BOB_ID, email=BOB_EMAIL))
    staff = gql(LOYALTY_ACCOUNT_ENTITIES, refs, token=staff_token("MANAGE_USERS"))
    staff_without = gql(LOYALTY_ACCOUNT_ENTITIES, refs, token=staff_token("MANAGE_ORDERS"))
    wrong_type = gql(
        LOYALTY_ACCOUNT_ENTITIES,
        {
            "representations": [
                {"__typename": "LoyaltyAccount", "id": to_global_id("ReturnRequest", account.pk)}
            ]
        },
        token=staff_token("MANAGE_USERS"),
    )

    assert own["data"]["_entities"] == [mine]
    assert other["data"]["_entities"] == [None]
    assert staff["data"]["_entities"] == [mine]
    assert staff_without["data"]["_entities"] == [None]
    assert wrong_type["data"]["_entities"] == [None]
