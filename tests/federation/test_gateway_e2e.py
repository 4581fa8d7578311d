"""End to end: Hive Gateway (node subprocess, loopback) over the Saleor stand-in and our app (live_server).

A customer's single query joins Saleor's order/user with our after-sales fields; another customer's order
comes back from Saleor without after-sales data.
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import httpx
import pytest

pytest.importorskip("tests.saleor_standin.fixtures")

from saleor_aftersales.core.actors import Actor, ActorType  # noqa: E402
from saleor_aftersales.installations.models import Installation  # noqa: E402
from saleor_aftersales.loyalty import actions as loyalty_actions  # noqa: E402
from saleor_aftersales.orders.models import Order  # noqa: E402
from saleor_aftersales.returns import actions  # noqa: E402
from saleor_aftersales.returns.actions import LineInput  # noqa: E402

from .gateway import Gateway  # noqa: E402
from .node_tools import require_node_tools  # noqa: E402

APP_PERMISSIONS = ["MANAGE_ORDERS", "MANAGE_USERS", "MANAGE_GIFT_CARD", "MANAGE_DISCOUNTS", "HANDLE_PAYMENTS"]

JOINED = """
query CustomerOrder($id: ID!) {
  order(id: $id) { number returnRequests { status lines { quantity } } }
  me { email returnRequests { number } }
}
"""

LOYALTY = """
query CustomerPoints {
  me { email loyaltyAccount { channel availablePoints pendingPoints tierProgress { qualifying } } }
}
"""

ORDER_ENTITY = (
    "query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { returnRequests { number } } } }"
)


@pytest.fixture
def app(request, transactional_db):
    """The lead's `installed_app` fixture when present; otherwise the same thing built here over real HTTP."""
    try:
        return request.getfixturevalue("installed_app")
    except pytest.FixtureLookupError:
        saleor = request.getfixturevalue("saleor")
        live_server = request.getfixturevalue("live_server")
        request.getfixturevalue("settings").PUBLIC_URL = live_server.url
        installed = saleor.install_app(f"{live_server.url}/api/manifest", APP_PERMISSIONS)
        installation = Installation.objects.get(saleor_api_url=saleor.api_url)
        return SimpleNamespace(
            installation=installation, saleor=saleor, app_id=installed.id, live_url=live_server.url
        )


@pytest.fixture
def gateway(app, live_server):
    node = require_node_tools()
    running = Gateway(node=node, saleor_url=app.saleor.api_url, aftersales_url=f"{live_server.url}/graphql/")
    running.start()
    yield running
    running.stop()


def _customer_with_fulfilled_order(saleor, email: str, product):
    customer = saleor.create_customer(email, "Test", "Customer")
    order = saleor.create_order(customer, lines=[(product, 2)], shipping=Decimal("10.00"))
    saleor.pay_order(order)
    saleor.fulfill_order(order)
    return customer, order


def _return_two(app, saleor_order, customer_email: str):
    """The customer's return request, created through the returns capability's own action."""
    mirrored = Order.objects.get(installation=app.installation, saleor_id=saleor_order["id"])
    actor = Actor(type=ActorType.CUSTOMER, user_id=mirrored.user_id, email=customer_email)
    return actions.create_return_request(
        order=mirrored,
        actor=actor,
        lines=[LineInput(order_line_id=mirrored.lines.get().pk, quantity=2, reason_code="wrong-size")],
        resolution="refund",
    )


def test_gateway_joins_saleor_order_and_user_with_after_sales_data(app, gateway):
    saleor = app.saleor
    shoe = saleor.create_product("Running shoe", variants=[{"sku": "SHOE-42", "price": Decimal("50.00")}])
    ada, adas_order = _customer_with_fulfilled_order(saleor, "ada@example.com", shoe)
    request = _return_two(app, adas_order, "ada@example.com")

    result = gateway.query(JOINED, {"id": adas_order["id"]}, token=saleor.issue_customer_token(ada))

    assert result.get("errors") is None, result
    assert result["data"] == {
        "order": {
            "number": str(adas_order["number"]),
            "returnRequests": [{"status": "REQUESTED", "lines": [{"quantity": 2}]}],
        },
        "me": {"email": "ada@example.com", "returnRequests": [{"number": request.number}]},
    }
    # Both subgraphs saw the customer's own JWT (the gateway forwarded Authorization).
    assert [call["auth"] for call in saleor.calls if "order" in call["root_fields"]] == ["user"]


def test_another_customers_order_has_no_after_sales_data_through_the_gateway(app, gateway, live_server):
    saleor = app.saleor
    shoe = saleor.create_product("Running shoe", variants=[{"sku": "SHOE-42", "price": Decimal("50.00")}])
    ada, adas_order = _customer_with_fulfilled_order(saleor, "ada@example.com", shoe)
    _return_two(app, adas_order, "ada@example.com")
    bob = saleor.create_customer("bob@example.com", "Bob", "Builder")
    bobs_token = saleor.issue_customer_token(bob)

    as_bob = gateway.query(JOINED, {"id": adas_order["id"]}, token=bobs_token)
    # What the gateway would send us if Saleor ever handed Ada's order to Bob: our subgraph decides from Bob's JWT.
    direct = httpx.post(
        f"{live_server.url}/graphql/",
        json={"query": ORDER_ENTITY, "variables": {"r": [{"__typename": "Order", "id": adas_order["id"]}]}},
        headers={"Authorization": f"Bearer {bobs_token}"},
        timeout=30,
    ).json()
    # Clients of the gateway cannot call `_entities` themselves.
    through_gateway = gateway.query(ORDER_ENTITY, {"r": [{"__typename": "Order", "id": adas_order["id"]}]})

    assert as_bob == {"data": {"order": None, "me": {"email": "bob@example.com", "returnRequests": []}}}
    assert direct == {"data": {"_entities": [{"returnRequests": []}]}}
    assert through_gateway["errors"][-1]["message"].startswith(
        'Cannot query field "_entities" on type "Query".'
    )


def test_gateway_joins_the_signed_in_user_with_their_loyalty_account(app, gateway):
    """`me { loyaltyAccount }`: Saleor answers `me`, our subgraph adds the points the customer's order earned."""
    saleor = app.saleor
    staff = Actor(type=ActorType.STAFF, user_id="VXNlcjox", email="staff@example.com")
    loyalty_actions.save_programme(
        installation=app.installation,
        channel_slug="default-channel",
        actor=staff,
        values={"points_per_unit": Decimal("2")},
    )
    shoe = saleor.create_product("Running shoe", variants=[{"sku": "SHOE-42", "price": Decimal("50.00")}])
    ada = saleor.create_customer("ada@example.com", "Ada", "Lovelace")
    order = saleor.create_order(ada, lines=[(shoe, 2)], shipping=Decimal("10.00"))
    saleor.pay_order(order)  # ORDER_FULLY_PAID -> 2 x 50.00 net x 2 points = 200 pending
    bob = saleor.create_customer("bob@example.com", "Bob", "Builder")

    as_ada = gateway.query(LOYALTY, token=saleor.issue_customer_token(ada))
    as_bob = gateway.query(LOYALTY, token=saleor.issue_customer_token(bob))

    assert as_ada.get("errors") is None, as_ada
    account = as_ada["data"]["me"]["loyaltyAccount"]
    assert as_ada["data"]["me"]["email"] == "ada@example.com"
    assert (account["channel"], account["availablePoints"], account["pendingPoints"]) == (
        "default-channel",
        0,
        200,
    )
    # Bob has no points of his own, and Ada's account never leaks into his answer.
    assert as_bob.get("errors") is None, as_bob
    assert as_bob["data"]["me"]["email"] == "bob@example.com"
    assert as_bob["data"]["me"]["loyaltyAccount"] is None
