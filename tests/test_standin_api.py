"""The stand-in's GraphQL API: validation, recording, faults, authorization and the mutations the app uses."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest

from tests.saleor_standin.schema_exec import FEDERATION_SDL_PATH

ALL_PERMISSIONS = [
    "MANAGE_ORDERS",
    "MANAGE_USERS",
    "MANAGE_GIFT_CARD",
    "MANAGE_DISCOUNTS",
    "HANDLE_PAYMENTS",
    "MANAGE_PRODUCTS",
]

NOTE_ADD = """mutation OrderNoteAdd($order: ID!, $message: String!) {
  orderNoteAdd(order: $order, input: {message: $message}) { event { id message } errors { field code message } }
}"""
ORDER = """query Order($id: ID!) { order(id: $id) { id number status chargeStatus totalCharged { amount } totalRefunded { amount }
  events { type message }
  grantedRefunds { id status amount { amount } reason shippingCostsIncluded lines { quantity orderLine { id } } }
  transactions { id chargedAmount { amount } refundedAmount { amount } refundPendingAmount { amount } } } }"""


@pytest.fixture
def make_app(saleor, app_receiver):
    def install(permissions=ALL_PERMISSIONS, identifier="standin.test.app"):
        app_receiver.make_manifest({}, permissions=permissions, id=identifier)
        return saleor.install_app(app_receiver.url("/manifest"))

    return install


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def world(saleor):
    saleor.create_channel()
    product = saleor.create_product(
        "Polo",
        variants=[{"sku": "POLO-M", "price": Decimal("50")}, {"sku": "POLO-L", "price": Decimal("40")}],
    )
    customer = saleor.create_customer("ada@example.com", "Ada", "Lovelace")
    order = saleor.create_order(
        customer, lines=[(product["variants"][0], 2), (product["variants"][1], 1)], shipping=Decimal("10")
    )
    saleor.pay_order(order)
    saleor.fulfill_order(order)
    return {"product": product, "customer": customer, "order": order}


def gql(saleor, query, variables=None, token=None):
    return saleor.query(query, variables, token=token)


# --- documents and recording -----------------------------------------------------------------------------------


def test_invalid_document_is_refused_and_recorded(saleor, app):
    response = httpx.post(
        saleor.api_url,
        json={"query": "query Bad { shop { version unknownField } }"},
        headers={"Authorization": f"Bearer {app.token}"},
    )
    assert response.status_code == 400
    assert "unknownField" in response.json()["errors"][0]["message"] and "data" not in response.json()
    assert (
        saleor.invalid_documents[0]["operation_name"] is None
        and "unknownField" in saleor.invalid_documents[0]["errors"][0]
    )
    with pytest.raises(AssertionError, match="unknownField"):
        saleor.assert_no_invalid_documents()
    # Wrong variables are refused the same way.
    assert gql(saleor, NOTE_ADD, {"order": 1}, token=app.token)["errors"]
    assert len(saleor.invalid_documents) == 2
    saleor.invalid_documents.clear()  # otherwise the `saleor` fixture fails this test at teardown


def test_calls_are_recorded_with_auth_kind(saleor, app, world):
    gql(saleor, "query AppId { app { id } shop { version } }", token=app.token)
    gql(saleor, "{ me { email } }", token=saleor.issue_customer_token(world["customer"]))
    gql(saleor, "{ shop { name } }")
    assert [(c["operation_name"], c["root_fields"], c["auth"], c["status"]) for c in saleor.calls] == [
        ("AppId", ["app", "shop"], "app", 200),
        (None, ["me"], "user", 200),
        (None, ["shop"], "anonymous", 200),
    ]
    assert saleor.calls_to("shop") == [saleor.calls[0], saleor.calls[2]]
    assert gql(saleor, "query AppId { app { id } shop { version } }", token=app.token)["data"] == {
        "app": {"id": app.id},
        "shop": {"version": "3.24.0-a.0"},
    }


def test_unimplemented_root_fields_fail_loudly(saleor, app):
    answer = gql(saleor, "{ menus(first: 1) { edges { node { id } } } }", token=app.token)
    assert answer["errors"][0]["extensions"]["exception"]["code"] == "Unimplemented"
    assert saleor.unimplemented == ["Query.menus"]


# --- faults ------------------------------------------------------------------------------------------------------


def _note_count(order):
    return sum(1 for e in order["events"] if e["type"] == "NOTE_ADDED")


def test_http500_before_does_not_execute(saleor, app, world):
    saleor.faults.add(operation="orderNoteAdd", kind="http500", times=1, when="before")
    response = httpx.post(
        saleor.api_url,
        json={"query": NOTE_ADD, "variables": {"order": world["order"]["id"], "message": "x"}},
        headers={"Authorization": f"Bearer {app.token}"},
    )
    assert response.status_code == 500 and "Server Error (500)" in response.text
    assert _note_count(world["order"]) == 0
    assert saleor.calls[-1]["fault"] == "http500/before" and saleor.calls[-1]["status"] == 500
    # times=1: the next call goes through
    assert (
        gql(saleor, NOTE_ADD, {"order": world["order"]["id"], "message": "x"}, token=app.token)["data"][
            "orderNoteAdd"
        ]["errors"]
        == []
    )
    assert _note_count(world["order"]) == 1


def test_http500_after_executes_the_mutation(saleor, app, world):
    saleor.faults.add(operation="OrderNoteAdd", kind="http500", when="after")
    response = httpx.post(
        saleor.api_url,
        json={"query": NOTE_ADD, "variables": {"order": world["order"]["id"], "message": "x"}},
        headers={"Authorization": f"Bearer {app.token}"},
    )
    assert response.status_code == 500
    assert _note_count(world["order"]) == 1  # the ambiguous outcome: done, but the client saw an error
    assert saleor.pending_events() == ["ORDER_UPDATED"]


def test_timeout_after_execution(saleor, app, world):
    saleor.faults.timeout_seconds = 0.5
    saleor.faults.add(operation="orderNoteAdd", kind="timeout", when="after")
    with pytest.raises(httpx.TimeoutException):
        httpx.post(
            saleor.api_url,
            json={"query": NOTE_ADD, "variables": {"order": world["order"]["id"], "message": "x"}},
            headers={"Authorization": f"Bearer {app.token}"},
            timeout=0.2,
        )
    assert _note_count(world["order"]) == 1


def test_http502_and_fail_all(saleor, app):
    saleor.faults.add(kind="http502", times=2)
    assert httpx.post(saleor.api_url, json={"query": "{ shop { name } }"}).status_code == 502
    assert httpx.post(saleor.api_url, json={"query": "{ shop { name } }"}).status_code == 502
    assert httpx.post(saleor.api_url, json={"query": "{ shop { name } }"}).status_code == 200
    saleor.fail_all("http500")
    assert httpx.post(saleor.api_url, json={"query": "{ shop { name } }"}).status_code == 500
    assert httpx.get(saleor.jwks_url).status_code == 500
    saleor.fail_all(None)
    assert httpx.get(saleor.jwks_url).status_code == 200


# --- authorization -------------------------------------------------------------------------------------------------


def test_order_visibility(saleor, app, world):
    order_id = world["order"]["id"]
    query = "query ($id: ID!) { order(id: $id) { id userEmail } }"
    assert gql(saleor, query, {"id": order_id}, token=app.token)["data"]["order"]["id"] == order_id
    assert (
        gql(saleor, query, {"id": order_id}, token=saleor.issue_customer_token(world["customer"]))["data"][
            "order"
        ]["userEmail"]
        == "ada@example.com"
    )
    stranger = saleor.create_customer("eve@example.com")
    assert (
        gql(saleor, query, {"id": order_id}, token=saleor.issue_customer_token(stranger))["data"]["order"]
        is None
    )
    assert gql(saleor, query, {"id": order_id})["data"]["order"] is None


def test_permissions_are_checked(saleor, make_app, world):
    limited = make_app(permissions=["MANAGE_ORDERS"])
    answer = gql(saleor, "{ customers(first: 5) { edges { node { email } } } }", token=limited.token)
    assert (
        answer["data"]["customers"]["edges"][0]["node"]["email"] == "ada@example.com"
    )  # MANAGE_ORDERS suffices
    denied = gql(
        saleor,
        "mutation ($id: ID!) { transactionRequestRefundForGrantedRefund(grantedRefundId: $id) { errors { code } } }",
        {"id": "T3JkZXJHcmFudGVkUmVmdW5kOjE="},
        token=limited.token,
    )
    assert denied["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"
    assert "HANDLE_PAYMENTS" in denied["errors"][0]["message"]
    field_level = gql(
        saleor,
        "query ($id: ID!) { order(id: $id) { number user { note } } }",
        {"id": world["order"]["id"]},
        token=limited.token,
    )
    assert field_level["data"]["order"]["user"]["note"] is None and field_level["errors"][0]["path"] == [
        "order",
        "user",
        "note",
    ]


def test_federation_entities_and_service(saleor, app, world):
    reps = [
        {"__typename": "Order", "id": world["order"]["id"]},
        {"__typename": "User", "email": "ada@example.com"},
    ]
    query = "query ($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Order { number } ... on User { email } } }"
    assert gql(saleor, query, {"r": reps}, token=app.token)["data"]["_entities"] == [
        {"__typename": "Order", "number": world["order"]["number"]},
        {"__typename": "User", "email": "ada@example.com"},
    ]
    assert gql(saleor, query, {"r": reps})["data"]["_entities"] == [None, None]
    stranger = saleor.create_customer("eve@example.com")
    assert gql(saleor, query, {"r": reps}, token=saleor.issue_customer_token(stranger))["data"][
        "_entities"
    ] == [None, None]
    assert (
        gql(saleor, query, {"r": reps}, token=saleor.issue_customer_token(world["customer"]))["data"][
            "_entities"
        ][0]
        is not None
    )
    too_many = gql(saleor, query, {"r": reps * 51}, token=app.token)
    assert "exceeded entity limit" in too_many["errors"][0]["message"]
    assert gql(saleor, "{ _service { sdl } }")["data"]["_service"]["sdl"] == FEDERATION_SDL_PATH.read_text()


def test_orders_and_customers_lookups(saleor, app, world):
    other = saleor.create_order(world["customer"], lines=[(world["product"], 1)])
    by_number = gql(
        saleor,
        "query ($n: Int!) { orders(first: 10, where: {number: {eq: $n}}) { totalCount edges { node { id } } } }",
        {"n": int(other["number"])},
        token=app.token,
    )
    assert by_number["data"]["orders"]["edges"] == [{"node": {"id": other["id"]}}]
    by_ids = gql(
        saleor,
        "query ($ids: [ID!]) { orders(first: 10, filter: {ids: $ids}) { edges { node { number } } } }",
        {"ids": [world["order"]["id"], other["id"]]},
        token=app.token,
    )
    assert [e["node"]["number"] for e in by_ids["data"]["orders"]["edges"]] == [
        other["number"],
        world["order"]["number"],
    ]  # newest first
    found = gql(
        saleor,
        '{ customers(first: 5, search: "lovelace") { edges { node { email } } } user(email: "ADA@example.com") { id } }',
        token=app.token,
    )
    assert (
        found["data"]["customers"]["edges"] == [{"node": {"email": "ada@example.com"}}]
        and found["data"]["user"]["id"] == world["customer"]["id"]
    )
    assert gql(saleor, "{ orders { totalCount } }", token=app.token)["errors"][0]["message"].startswith(
        "You must provide a `first` or `last`"
    )
    assert (
        gql(saleor, "{ orders(first: 5, where: {isGiftCardUsed: true}) { totalCount } }", token=app.token)[
            "errors"
        ][0]["extensions"]["exception"]["code"]
        == "Unimplemented"
    )


# --- refunds -------------------------------------------------------------------------------------------------------

GRANT = """mutation Grant($id: ID!, $input: OrderGrantRefundCreateInput!) {
  orderGrantRefundCreate(id: $id, input: $input) {
    grantedRefund { id status amount { amount currency } reason shippingCostsIncluded lines { quantity orderLine { id } } }
    errors { field code message lines { lineId code } } } }"""
REQUEST = """mutation Request($grant: ID!) { transactionRequestRefundForGrantedRefund(grantedRefundId: $grant) {
  transaction { id chargedAmount { amount } refundedAmount { amount } } errors { field code message } } }"""


def _grant(saleor, app, order, **input_):
    input_.setdefault("transactionId", order["transactions"][0]["id"])
    return gql(saleor, GRANT, {"id": order["id"], "input": input_}, token=app.token)["data"][
        "orderGrantRefundCreate"
    ]


def test_grant_and_request_refund(saleor, app, world):
    order = world["order"]
    line = order["lines"][0]
    created = _grant(
        saleor,
        app,
        order,
        lines=[{"id": line["id"], "quantity": 1}],
        grantRefundForShipping=True,
        reason="damaged",
    )
    assert created["errors"] == []
    grant = created["grantedRefund"]
    assert (grant["status"], grant["amount"], grant["reason"], grant["shippingCostsIncluded"]) == (
        "NONE",
        {"amount": 60.0, "currency": "USD"},
        "damaged",
        True,
    )
    assert saleor.pending_events() == []  # orderGrantRefundCreate fires nothing

    requested = gql(saleor, REQUEST, {"grant": grant["id"]}, token=app.token)["data"][
        "transactionRequestRefundForGrantedRefund"
    ]
    assert requested["errors"] == [] and requested["transaction"]["refundedAmount"] == {
        "amount": 0.0
    }  # answered before the payment app
    after = gql(saleor, ORDER, {"id": order["id"]}, token=app.token)["data"]["order"]
    assert after["grantedRefunds"][0]["status"] == "SUCCESS"
    assert (after["totalRefunded"], after["totalCharged"], after["chargeStatus"]) == (
        {"amount": 60.0},
        {"amount": 90.0},
        "FULL",
    )
    assert saleor.pending_events() == ["ORDER_REFUNDED", "ORDER_UPDATED"]
    assert saleor.state.payment_requests[-1]["amount"] == Decimal("60.00")

    again = gql(saleor, REQUEST, {"grant": grant["id"]}, token=app.token)["data"][
        "transactionRequestRefundForGrantedRefund"
    ]
    assert again["errors"][0]["code"] == "REFUND_ALREADY_PROCESSED"
    shipping_twice = _grant(saleor, app, order, grantRefundForShipping=True)
    assert shipping_twice["errors"][0]["code"] == "SHIPPING_COSTS_ALREADY_GRANTED"

    rest = _grant(
        saleor,
        app,
        order,
        lines=[{"id": line["id"], "quantity": 1}, {"id": order["lines"][1]["id"], "quantity": 1}],
    )
    gql(saleor, REQUEST, {"grant": rest["grantedRefund"]["id"]}, token=app.token)
    assert saleor.pending_events()[-3:] == ["ORDER_REFUNDED", "ORDER_FULLY_REFUNDED", "ORDER_UPDATED"]
    events = saleor.state.pending
    assert all(e.principal is None for e in events)


def test_grant_validation_errors(saleor, app, world):
    order = world["order"]
    too_many = _grant(saleor, app, order, lines=[{"id": order["lines"][0]["id"], "quantity": 3}])
    assert (
        too_many["errors"][0]["code"] == "INVALID"
        and too_many["errors"][0]["lines"][0]["code"] == "QUANTITY_GREATER_THAN_AVAILABLE"
    )
    assert _grant(saleor, app, order, amount="500")["errors"][0]["code"] == "AMOUNT_GREATER_THAN_AVAILABLE"
    assert _grant(saleor, app, order)["errors"][0]["code"] == "REQUIRED"
    other = saleor.create_order(world["customer"], lines=[(world["product"], 1)])
    saleor.pay_order(other)
    assert (
        _grant(saleor, app, order, amount="1", transactionId=other["transactions"][0]["id"])["errors"][0][
            "code"
        ]
        == "NOT_FOUND"
    )


def test_refund_failure_then_retry(saleor, app, world):
    saleor.state.settings.refund_outcome = "failure"
    grant = _grant(saleor, app, world["order"], amount="20")["grantedRefund"]
    gql(saleor, REQUEST, {"grant": grant["id"]}, token=app.token)
    order = gql(saleor, ORDER, {"id": world["order"]["id"]}, token=app.token)["data"]["order"]
    assert (
        order["grantedRefunds"][0]["status"] == "FAILURE"
        and order["totalRefunded"] == {"amount": 0.0}
        and order["totalCharged"] == {"amount": 150.0}
    )
    assert saleor.pending_events() == []
    saleor.state.settings.refund_outcome = "success"
    assert (
        gql(saleor, REQUEST, {"grant": grant["id"]}, token=app.token)["data"][
            "transactionRequestRefundForGrantedRefund"
        ]["errors"]
        == []
    )
    assert (
        gql(saleor, ORDER, {"id": world["order"]["id"]}, token=app.token)["data"]["order"]["grantedRefunds"][
            0
        ]["status"]
        == "SUCCESS"
    )


def test_refund_pending_until_deliver(saleor, app, world):
    saleor.state.settings.refund_processing = "on_deliver"
    grant = _grant(saleor, app, world["order"], amount="20")["grantedRefund"]
    gql(saleor, REQUEST, {"grant": grant["id"]}, token=app.token)
    order = gql(saleor, ORDER, {"id": world["order"]["id"]}, token=app.token)["data"]["order"]
    assert order["grantedRefunds"][0]["status"] == "PENDING" and order["chargeStatus"] == "FULL"
    assert order["transactions"][0]["refundPendingAmount"] == {"amount": 20.0} and order["transactions"][0][
        "chargedAmount"
    ] == {"amount": 130.0}
    assert (
        gql(saleor, REQUEST, {"grant": grant["id"]}, token=app.token)["data"][
            "transactionRequestRefundForGrantedRefund"
        ]["errors"][0]["code"]
        == "REFUND_IS_PENDING"
    )
    saleor.deliver_pending()
    assert (
        gql(saleor, ORDER, {"id": world["order"]["id"]}, token=app.token)["data"]["order"]["grantedRefunds"][
            0
        ]["status"]
        == "SUCCESS"
    )


def test_grant_update_and_transaction_request_action(saleor, app, world):
    order = world["order"]
    grant = _grant(saleor, app, order, lines=[{"id": order["lines"][0]["id"], "quantity": 1}])[
        "grantedRefund"
    ]
    update = """mutation ($id: ID!, $input: OrderGrantRefundUpdateInput!) { orderGrantRefundUpdate(id: $id, input: $input) {
      grantedRefund { amount { amount } lines { quantity } } errors { code } } }"""
    updated = gql(
        saleor,
        update,
        {"id": grant["id"], "input": {"addLines": [{"id": order["lines"][1]["id"], "quantity": 1}]}},
        token=app.token,
    )
    assert updated["data"]["orderGrantRefundUpdate"]["grantedRefund"]["amount"] == {"amount": 90.0}
    action = """mutation ($id: ID!) { transactionRequestAction(id: $id, actionType: REFUND, amount: 15) { transaction { refundedAmount { amount } } errors { code } } }"""
    assert (
        gql(saleor, action, {"id": order["transactions"][0]["id"]}, token=app.token)["data"][
            "transactionRequestAction"
        ]["errors"]
        == []
    )
    assert gql(saleor, ORDER, {"id": order["id"]}, token=app.token)["data"]["order"]["totalRefunded"] == {
        "amount": 15.0
    }


# --- returns, drafts, gift cards, vouchers, metadata -------------------------------------------------------------------


def test_return_products_with_replacement(saleor, app, world):
    order = world["order"]
    fulfillment_line = order["fulfillments"][0]["lines"][0]
    mutation = """mutation ($order: ID!, $input: OrderReturnProductsInput!) { orderFulfillmentReturnProducts(order: $order, input: $input) {
      returnFulfillment { status lines { quantity } } replaceFulfillment { status lines { quantity } }
      order { status } replaceOrder { status origin original lines { quantity productSku } } errors { field code } } }"""
    result = gql(
        saleor,
        mutation,
        {
            "order": order["id"],
            "input": {
                "fulfillmentLines": [
                    {"fulfillmentLineId": fulfillment_line["id"], "quantity": 2, "replace": True}
                ]
            },
        },
        token=app.token,
    )
    payload = result["data"]["orderFulfillmentReturnProducts"]
    assert payload["errors"] == [] and payload["returnFulfillment"] is None
    assert payload["replaceFulfillment"] == {"status": "REPLACED", "lines": [{"quantity": 2}]}
    assert payload["order"]["status"] == "PARTIALLY_RETURNED"
    assert payload["replaceOrder"] == {
        "status": "DRAFT",
        "origin": "REISSUE",
        "original": order["id"],
        "lines": [{"quantity": 2, "productSku": "POLO-M"}],
    }
    assert saleor.pending_events() == ["DRAFT_ORDER_CREATED", "ORDER_UPDATED"]
    refund = gql(
        saleor,
        mutation,
        {
            "order": order["id"],
            "input": {
                "refund": True,
                "fulfillmentLines": [
                    {"fulfillmentLineId": order["fulfillments"][0]["lines"][0]["id"], "quantity": 1}
                ],
            },
        },
        token=app.token,
    )
    assert refund["data"]["orderFulfillmentReturnProducts"]["errors"][0]["code"] == "CANNOT_REFUND"


def test_draft_order_create_and_complete(saleor, app, world):
    variant = world["product"]["variants"][0]
    create = """mutation ($input: DraftOrderCreateInput!) { draftOrderCreate(input: $input) {
      order { id status total { gross { amount } } lines { quantity isPriceOverridden unitPrice { gross { amount } } } } errors { field code } } }"""
    created = gql(
        saleor,
        create,
        {
            "input": {
                "channelId": saleor.state.channels[0]["id"],
                "user": world["customer"]["id"],
                "lines": [{"variantId": variant["id"], "quantity": 1, "price": 0}],
            }
        },
        token=app.token,
    )["data"]["draftOrderCreate"]
    assert created["errors"] == [] and created["order"]["status"] == "DRAFT"
    assert created["order"]["lines"] == [
        {"quantity": 1, "isPriceOverridden": True, "unitPrice": {"gross": {"amount": 0.0}}}
    ]
    missing_channel = gql(
        saleor, create, {"input": {"lines": [{"variantId": variant["id"], "quantity": 1}]}}, token=app.token
    )["data"]["draftOrderCreate"]
    assert missing_channel["errors"] == [{"field": "channelId", "code": "REQUIRED"}]
    complete = (
        "mutation ($id: ID!) { draftOrderComplete(id: $id) { order { status userEmail } errors { code } } }"
    )
    assert gql(saleor, complete, {"id": created["order"]["id"]}, token=app.token)["data"][
        "draftOrderComplete"
    ]["order"] == {"status": "UNFULFILLED", "userEmail": "ada@example.com"}
    assert saleor.pending_events() == ["DRAFT_ORDER_CREATED", "ORDER_CREATED", "ORDER_CONFIRMED"]
    assert saleor.state.pending[0].principal is app.app


def test_gift_card_create(saleor, app):
    saleor.create_channel()
    mutation = """mutation ($input: GiftCardCreateInput!) { giftCardCreate(input: $input) {
      giftCard { id code last4CodeChars initialBalance { amount currency } currentBalance { amount } expiryDate createdByEmail
                 app { id } tags { name } metadata { key value } privateMetadata { key value } }
      errors { field code message } } }"""
    expiry = (date.today() + timedelta(days=365)).isoformat()
    result = gql(
        saleor,
        mutation,
        {
            "input": {
                "balance": {"amount": 25, "currency": "USD"},
                "isActive": True,
                "userEmail": "ada@example.com",
                "channel": "default-channel",
                "expiryDate": expiry,
                "addTags": ["loyalty"],
                "note": "reward",
                "metadata": [{"key": "source", "value": "aftersales"}],
                "privateMetadata": [{"key": "rma", "value": "R-1"}],
            }
        },
        token=app.token,
    )
    card = result["data"]["giftCardCreate"]["giftCard"]
    assert card["code"].endswith(card["last4CodeChars"]) and card["initialBalance"] == {
        "amount": 25.0,
        "currency": "USD",
    }
    assert (card["expiryDate"], card["createdByEmail"], card["app"], card["tags"]) == (
        expiry,
        None,
        {"id": app.id},
        [{"name": "loyalty"}],
    )
    assert card["privateMetadata"] == [{"key": "rma", "value": "R-1"}]
    assert saleor.pending_events() == ["GIFT_CARD_CREATED", "GIFT_CARD_SENT"]
    past = gql(
        saleor,
        mutation,
        {
            "input": {
                "balance": {"amount": 5, "currency": "USD"},
                "isActive": True,
                "expiryDate": "2000-01-01",
            }
        },
        token=app.token,
    )
    assert past["data"]["giftCardCreate"]["errors"][0]["code"] == "INVALID"


def test_voucher_create_and_channel_listing(saleor, app):
    channel = saleor.create_channel()
    create = """mutation ($input: VoucherInput!) { voucherCreate(input: $input) { voucher { id code name singleUse usageLimit codes(first: 5) { edges { node { code } } } } errors { field code voucherCodes } } }"""
    created = gql(
        saleor,
        create,
        {
            "input": {
                "name": "Reward",
                "type": "ENTIRE_ORDER",
                "discountValueType": "FIXED",
                "addCodes": ["REWARD-1"],
                "singleUse": True,
                "usageLimit": 1,
            }
        },
        token=app.token,
    )["data"]["voucherCreate"]
    assert (
        created["errors"] == []
        and created["voucher"]["code"] == "REWARD-1"
        and created["voucher"]["codes"]["edges"] == [{"node": {"code": "REWARD-1"}}]
    )
    duplicate = gql(saleor, create, {"input": {"name": "Again", "addCodes": ["REWARD-1"]}}, token=app.token)[
        "data"
    ]["voucherCreate"]
    assert duplicate["errors"][0]["code"] == "ALREADY_EXISTS" and duplicate["errors"][0]["voucherCodes"] == [
        "REWARD-1"
    ]
    listing = """mutation ($id: ID!, $input: VoucherChannelListingInput!) { voucherChannelListingUpdate(id: $id, input: $input) {
      voucher { discountValue currency channelListings { channel { slug } discountValue } } errors { code } } }"""
    updated = gql(
        saleor,
        listing,
        {
            "id": created["voucher"]["id"],
            "input": {"addChannels": [{"channelId": channel["id"], "discountValue": 15}]},
        },
        token=app.token,
    )
    assert updated["data"]["voucherChannelListingUpdate"]["voucher"] == {
        "discountValue": 15.0,
        "currency": "USD",
        "channelListings": [{"channel": {"slug": "default-channel"}, "discountValue": 15.0}],
    }
    assert saleor.pending_events() == ["VOUCHER_CREATED", "VOUCHER_CODES_CREATED", "VOUCHER_UPDATED"]


def test_update_metadata(saleor, app, make_app, world):
    mutation = """mutation ($id: ID!, $input: [MetadataInput!]!) { updatePrivateMetadata(id: $id, input: $input) {
      item { privateMetafield(key: "rma") ... on Order { number } } errors { field code } } }"""
    result = gql(
        saleor,
        mutation,
        {"id": world["order"]["id"], "input": [{"key": "rma", "value": "R-7"}]},
        token=app.token,
    )
    assert result["data"]["updatePrivateMetadata"]["item"] == {
        "privateMetafield": "R-7",
        "number": world["order"]["number"],
    }
    assert saleor.pending_events() == ["ORDER_METADATA_UPDATED"]
    gift_only = make_app(permissions=["MANAGE_GIFT_CARD"], identifier="other.app")
    denied = gql(
        saleor,
        mutation,
        {"id": world["order"]["id"], "input": [{"key": "x", "value": "y"}]},
        token=gift_only.token,
    )
    assert denied["errors"][0]["extensions"]["exception"]["code"] == "PermissionDenied"


def test_draft_lines_discount_and_tracking(saleor, app, world):
    variant = world["product"]["variants"][1]
    create = "mutation ($input: DraftOrderCreateInput!) { draftOrderCreate(input: $input) { order { id } errors { code } } }"
    draft = gql(
        saleor,
        create,
        {"input": {"channelId": saleor.state.channels[0]["id"], "userEmail": "guest@example.com"}},
        token=app.token,
    )["data"]["draftOrderCreate"]["order"]
    lines = "mutation ($id: ID!, $input: [OrderLineCreateInput!]!) { orderLinesCreate(id: $id, input: $input) { order { lines { quantity } } errors { code } } }"
    assert gql(
        saleor,
        lines,
        {"id": draft["id"], "input": [{"variantId": variant["id"], "quantity": 2}]},
        token=app.token,
    )["data"]["orderLinesCreate"]["order"]["lines"] == [{"quantity": 2}]
    discount = """mutation ($id: ID!) { orderDiscountAdd(orderId: $id, input: {valueType: PERCENTAGE, value: 25, reason: "goodwill"}) {
      order { total { gross { amount } } discounts { valueType value reason } } errors { code } } }"""
    order = gql(saleor, discount, {"id": draft["id"]}, token=app.token)["data"]["orderDiscountAdd"]["order"]
    assert order == {
        "total": {"gross": {"amount": 60.0}},
        "discounts": [{"valueType": "PERCENTAGE", "value": 25, "reason": "goodwill"}],
    }
    assert saleor.pending_events() == ["DRAFT_ORDER_CREATED", "DRAFT_ORDER_UPDATED", "DRAFT_ORDER_UPDATED"]
    tracking = """mutation ($id: ID!) { orderFulfillmentUpdateTracking(id: $id, input: {trackingNumber: "T-9"}) {
      fulfillment { trackingNumber } errors { code } } }"""
    fulfillment_id = world["order"]["fulfillments"][0]["id"]
    assert gql(saleor, tracking, {"id": fulfillment_id}, token=app.token)["data"][
        "orderFulfillmentUpdateTracking"
    ]["fulfillment"] == {"trackingNumber": "T-9"}
    assert saleor.pending_events()[-1] == "FULFILLMENT_TRACKING_NUMBER_UPDATED"


def test_refund_left_pending_by_the_payment_app_until_settled(saleor, app, world):
    saleor.state.settings.refund_outcome = "pending"
    grant = _grant(saleor, app, world["order"], amount="30")["grantedRefund"]
    gql(saleor, REQUEST, {"grant": grant["id"]}, token=app.token)
    saleor.deliver_pending()
    assert saleor.state.objects[grant["id"]]["status"] == "PENDING" and saleor.deliveries == []
    saleor.settle_refund(saleor.state.objects[grant["id"]], "success")
    assert saleor.pending_events() == ["ORDER_REFUNDED", "ORDER_UPDATED"]
    order = gql(saleor, ORDER, {"id": world["order"]["id"]}, token=app.token)["data"]["order"]
    assert (order["grantedRefunds"][0]["status"], order["totalRefunded"]) == ("SUCCESS", {"amount": 30.0})


def test_metadata_filters(saleor, app, world):
    create = "mutation ($input: DraftOrderCreateInput!) { draftOrderCreate(input: $input) { order { id } } }"
    variables = {
        "input": {
            "channelId": saleor.state.channels[0]["id"],
            "userEmail": "g@example.com",
            "metadata": [{"key": "idem", "value": "k1"}],
        }
    }
    draft = gql(saleor, create, variables, token=app.token)["data"]["draftOrderCreate"]["order"]
    by_key = 'query ($v: String) { draftOrders(first: 5, filter: {metadata: [{key: "idem", value: $v}]}) { edges { node { id } } } }'
    assert gql(saleor, by_key, {"v": "k1"}, token=app.token)["data"]["draftOrders"]["edges"] == [
        {"node": {"id": draft["id"]}}
    ]
    assert gql(saleor, by_key, {"v": None}, token=app.token)["data"]["draftOrders"]["edges"] == [
        {"node": {"id": draft["id"]}}
    ]
    assert gql(saleor, by_key, {"v": "k2"}, token=app.token)["data"]["draftOrders"]["edges"] == []
    where = '{ draftOrders(first: 5, where: {metadata: {key: "idem", value: {oneOf: ["k0", "k1"]}}}) { totalCount } }'
    assert gql(saleor, where, token=app.token)["data"]["draftOrders"]["totalCount"] == 1
