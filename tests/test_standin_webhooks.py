"""The stand-in sends webhooks the way Saleor 3.24 does: compared with the real requests in shared/saleor/samples."""

from __future__ import annotations

import json
from decimal import Decimal

import jwt
import pytest
from jwt import api_jws

from tests.saleor_standin import SALEOR_VERSION, decode_protected_header, verify_detached
from tests.saleor_standin.schema_exec import SHARED_DIR

SAMPLES = SHARED_DIR / "saleor" / "samples"
# Headers the HTTP client library sets by itself (Saleor's `requests` vs our httpx).
CLIENT_HEADERS = {"content-length", "host", "accept", "accept-encoding", "connection"}

# A subscription selecting exactly the fields of samples/events/order_fully_paid.json.
ORDER_FIELDS = """order { id number status created origin chargeStatus channel { slug currencyCode }
  user { id email } userEmail languageCode total { gross { amount currency } }
  shippingPrice { gross { amount } } totalCharged { amount } totalRefunded { amount }
  lines { id productSku variant { id product { id productType { id name } category { id name } } }
          quantity quantityFulfilled unitPrice { gross { amount currency } } totalPrice { gross { amount } } }
  fulfillments { id status created lines { id quantity orderLine { id } } }
  transactions { id pspReference chargedAmount { amount } refundedAmount { amount } }
  grantedRefunds { id status amount { amount } lines { orderLine { id } quantity } } }"""
EVENT_META = "__typename issuedAt version issuingPrincipal { __typename ... on App { id name } ... on User { id email } } recipient { id }"


def subscription(type_name: str, fields: str = ORDER_FIELDS) -> str:
    return f"subscription {{ event {{ {EVENT_META} ... on {type_name} {{ {fields} }} }} }}"


def sample(name: str) -> dict:
    return json.loads((SAMPLES / "events" / f"{name}.json").read_text())


def shape(value):
    """Keys and JSON types, recursively (the first element stands for a list)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


@pytest.fixture
def shop(saleor):
    saleor.create_channel()
    shoe = saleor.create_product(
        "Darko Polo",
        saleor.create_product_type("Shoe"),
        saleor.create_category("Sneakers"),
        variants=[{"sku": "118223581", "price": Decimal("50")}],
    )
    top = saleor.create_product(
        "Tee",
        saleor.create_product_type("Top"),
        saleor.create_category("T-shirts"),
        variants=[{"sku": "128223580", "price": Decimal("40")}],
    )
    customer = saleor.create_customer("acc@example.com", "Ada", "Acceptance")
    return {"shoe": shoe, "top": top, "customer": customer}


@pytest.fixture
def installed(saleor, app_receiver):
    def install(webhooks: dict[str, str], **manifest):
        app_receiver.make_manifest(webhooks, **manifest)
        return saleor.install_app(app_receiver.url("/manifest"))

    return install


def test_signature_verifies_with_pyjwt_detached_payload_against_the_jwks(
    saleor, shop, installed, app_receiver
):
    installed({"ORDER_FULLY_PAID": subscription("OrderFullyPaid")})
    order = saleor.create_order(shop["customer"], lines=[(shop["shoe"], 2)])
    saleor.pay_order(order)

    (received,) = app_receiver.received("/webhooks/order_fully_paid")
    signature = received.headers["Saleor-Signature"]
    jwks = jwt.PyJWKSet.from_dict(saleor.jwks())
    key = next(k for k in jwks.keys if k.key_id == decode_protected_header(signature)["kid"])
    assert (
        api_jws.PyJWS().decode(signature, key.key, algorithms=["RS256"], detached_payload=received.body)
        == received.body
    )
    assert received.headers["X-Saleor-Signature"] == signature
    with pytest.raises(jwt.InvalidSignatureError):
        api_jws.PyJWS().decode(
            signature, key.key, algorithms=["RS256"], detached_payload=received.body + b" "
        )


def test_protected_header_has_the_layout_of_a_real_saleor_signature(saleor, shop, installed, app_receiver):
    installed({"ORDER_FULLY_PAID": subscription("OrderFullyPaid")})
    saleor.pay_order(saleor.create_order(shop["customer"], lines=[(shop["shoe"], 1)]))

    ours = app_receiver.received("/webhooks/order_fully_paid")[0].headers["Saleor-Signature"]
    theirs = sample("order_fully_paid")["headers"]["Saleor-Signature"]
    ours_header, theirs_header = decode_protected_header(ours), decode_protected_header(theirs)
    assert list(ours_header) == list(theirs_header) == ["alg", "b64", "crit", "kid", "typ"]
    assert {k: v for k, v in ours_header.items() if k != "kid"} == {
        k: v for k, v in theirs_header.items() if k != "kid"
    }
    assert ours_header["kid"] == saleor.jwks()["keys"][0]["kid"]
    assert ours.split(".")[1] == theirs.split(".")[1] == ""  # detached: empty payload part
    # The real sample verifies the same way against the real JWKS (a check of the verification recipe itself).
    real = sample("order_fully_paid")
    assert (
        verify_detached(theirs, real["body"].encode(), json.loads((SAMPLES / "jwks.json").read_text()))["kid"]
        == theirs_header["kid"]
    )


def test_jwks_looks_like_saleors(saleor):
    import httpx

    published = httpx.get(saleor.jwks_url).json()
    real = json.loads((SAMPLES / "jwks.json").read_text())
    assert [list(k) for k in published["keys"]] == [list(k) for k in real["keys"]]
    (key,) = published["keys"]
    assert (key["kty"], key["use"], key["alg"]) == ("RSA", "sig", "RS256")


def test_request_headers_are_the_samples_headers(saleor, shop, installed, app_receiver):
    installed({"ORDER_FULLY_PAID": subscription("OrderFullyPaid")})
    saleor.pay_order(saleor.create_order(shop["customer"], lines=[(shop["shoe"], 1)]))

    received = app_receiver.received("/webhooks/order_fully_paid")[0]
    real = sample("order_fully_paid")["headers"]
    assert {h for h in received.headers if h.lower() not in CLIENT_HEADERS} == {
        h for h in real if h.lower() not in CLIENT_HEADERS
    }
    assert received.headers["User-Agent"] == "Saleor/3.24"
    assert received.headers["Saleor-Event"] == received.headers["X-Saleor-Event"] == "order_fully_paid"
    assert received.headers["Saleor-Domain"] == saleor.domain
    assert received.headers["Saleor-Api-Url"] == saleor.api_url
    assert received.headers["Content-Type"] == "application/json"
    assert "Saleor-Schema-Version" not in received.headers  # only on the manifest GET and the register POST


def test_order_fully_paid_body_has_the_samples_shape_and_serialisation(saleor, shop, installed, app_receiver):
    installed({"ORDER_FULLY_PAID": subscription("OrderFullyPaid")})
    order = saleor.create_order(shop["customer"], lines=[(shop["shoe"], 2), (shop["top"], 1)])
    saleor.pay_order(order)

    raw = app_receiver.received("/webhooks/order_fully_paid")[0].body.decode()
    ours, theirs = json.loads(raw), json.loads(sample("order_fully_paid")["body"])
    assert (
        list(ours)
        == list(theirs)
        == ["__typename", "issuedAt", "version", "issuingPrincipal", "recipient", "order"]
    )
    assert shape(ours) == shape(theirs)
    assert raw == json.dumps(ours)  # Python's default separators, key order of the query
    assert ours["__typename"] == "OrderFullyPaid" and ours["version"] == SALEOR_VERSION
    assert ours["issuedAt"].endswith("+00:00")
    assert ours["issuingPrincipal"] == {
        "__typename": "App",
        "id": saleor.payment_app["id"],
        "name": "Dummy Payments",
    }
    assert ours["order"]["total"]["gross"] == {"amount": 140.0, "currency": "USD"}
    assert ours["order"]["chargeStatus"] == "FULL" and ours["order"]["languageCode"] == "en"


def test_refund_bodies_match_the_samples_shape(saleor, shop, installed, app_receiver):
    installed(
        {
            "ORDER_REFUNDED": subscription("OrderRefunded"),
            "ORDER_FULLY_REFUNDED": subscription("OrderFullyRefunded"),
        }
    )
    order = saleor.create_order(shop["customer"], lines=[(shop["shoe"], 2), (shop["top"], 1)])
    saleor.pay_order(order)
    saleor.fulfill_order(order, warehouses=2)
    saleor.refund_order(order, lines=[(order["lines"][0], 1)])

    (partial,) = app_receiver.received("/webhooks/order_refunded")
    assert shape(partial.json()) == shape(json.loads(sample("order_refunded")["body"]))
    body = partial.json()["order"]
    assert (body["totalCharged"], body["totalRefunded"], body["chargeStatus"], body["status"]) == (
        {"amount": 90.0},
        {"amount": 50.0},
        "FULL",
        "FULFILLED",
    )
    assert partial.json()["issuingPrincipal"] is None
    assert not app_receiver.received("/webhooks/order_fully_refunded")

    saleor.refund_order(order, lines=[(order["lines"][0], 1), (order["lines"][1], 1)])
    (full,) = app_receiver.received("/webhooks/order_fully_refunded")
    assert full.json()["order"]["totalRefunded"] == {"amount": 140.0} and full.json()["order"][
        "totalCharged"
    ] == {"amount": 0.0}


def test_events_fired_by_scenario_helpers_follow_the_samples_readme(saleor, shop, installed, app_receiver):
    events = [
        "CUSTOMER_CREATED",
        "DRAFT_ORDER_CREATED",
        "ORDER_CREATED",
        "ORDER_CONFIRMED",
        "ORDER_PAID",
        "ORDER_FULLY_PAID",
        "ORDER_UPDATED",
        "ORDER_FULFILLED",
        "ORDER_REFUNDED",
        "ORDER_FULLY_REFUNDED",
        "ORDER_CANCELLED",
    ]
    webhooks = {e: subscription("".join(p.capitalize() for p in e.split("_")), "__typename") for e in events}
    webhooks["FULFILLMENT_CREATED"] = subscription("FulfillmentCreated", "notifyCustomer fulfillment { id }")
    installed(webhooks)

    def fired(action):
        before = len(saleor.deliveries)
        action()
        return [d.event for d in saleor.deliveries[before:]]

    assert fired(lambda: saleor.create_customer("new@example.com")) == ["CUSTOMER_CREATED"]
    order = saleor.create_order(shop["customer"], lines=[(shop["shoe"], 1), (shop["top"], 1)])
    assert [d.event for d in saleor.deliveries][-3:] == [
        "DRAFT_ORDER_CREATED",
        "ORDER_CREATED",
        "ORDER_CONFIRMED",
    ]
    assert fired(lambda: saleor.pay_order(order)) == ["ORDER_PAID", "ORDER_FULLY_PAID", "ORDER_UPDATED"]
    assert fired(lambda: saleor.fulfill_order(order, warehouses=2)) == [
        "FULFILLMENT_CREATED",
        "FULFILLMENT_CREATED",
        "ORDER_FULFILLED",
        "ORDER_UPDATED",
    ]
    assert fired(lambda: saleor.add_note(order, "hello")) == ["ORDER_UPDATED"]
    assert fired(lambda: saleor.refund_order(order, amount=Decimal("90"))) == [
        "ORDER_REFUNDED",
        "ORDER_FULLY_REFUNDED",
        "ORDER_UPDATED",
    ]
    other = saleor.create_order(shop["customer"], lines=[(shop["top"], 1)])
    saleor.pay_order(other)
    assert fired(lambda: saleor.cancel_order(other)) == ["ORDER_CANCELLED", "ORDER_UPDATED"]
    principals = {d.event: d.payload["issuingPrincipal"] for d in saleor.deliveries}
    assert principals["CUSTOMER_CREATED"] is None
    assert principals["ORDER_CREATED"]["email"] == "admin@example.com"
    assert principals["ORDER_REFUNDED"] is None


def test_retries_follow_saleors_policy(saleor, shop, installed, app_receiver):
    installed({"ORDER_CREATED": subscription("OrderCreated", "order { id }")})
    app_receiver.respond("/webhooks/order_created", 500, 502, 200)
    saleor.create_order(shop["customer"], lines=[(shop["shoe"], 1)])
    (delivery,) = saleor.deliveries
    assert (delivery.attempts, delivery.status_code, delivery.success) == (3, 200, True)
    bodies = {r.body for r in app_receiver.received("/webhooks/order_created")}
    assert len(bodies) == 1  # retries resend the same bytes

    app_receiver.respond("/webhooks/order_created", *[503] * 6)
    saleor.create_order(shop["customer"], lines=[(shop["shoe"], 1)])
    assert (saleor.deliveries[-1].attempts, saleor.deliveries[-1].success) == (6, False)  # 1 + 5 retries

    for status in (301, 401, 404):
        app_receiver.respond("/webhooks/order_created", status)
        saleor.create_order(shop["customer"], lines=[(shop["shoe"], 1)])
        assert (saleor.deliveries[-1].attempts, saleor.deliveries[-1].status_code) == (1, status)


def test_connection_errors_are_retried(saleor, shop, installed, app_receiver):
    app = installed({"ORDER_CREATED": subscription("OrderCreated", "order { id }")})
    app.webhooks[0]["targetUrl"] = "http://127.0.0.1:9/unreachable"
    saleor.create_order(shop["customer"], lines=[(shop["shoe"], 1)])
    delivery = saleor.deliveries[-1]
    assert (
        delivery.attempts == 6
        and delivery.status_code is None
        and "connection" in delivery.attempt_log[0].error
    )


def test_redeliver_sends_identical_bytes_and_signature(saleor, shop, installed, app_receiver):
    installed({"ORDER_CREATED": subscription("OrderCreated", "order { id number }")})
    saleor.create_order(shop["customer"], lines=[(shop["shoe"], 1)])
    again = saleor.redeliver(saleor.deliveries[-1])
    first, second = app_receiver.received("/webhooks/order_created")
    assert (
        first.body == second.body and first.headers["Saleor-Signature"] == second.headers["Saleor-Signature"]
    )
    assert again.redelivery_of is saleor.deliveries[0]


def test_key_rotation_changes_the_published_key(saleor, shop, installed, app_receiver):
    installed({"ORDER_CREATED": subscription("OrderCreated", "order { id }")})
    old = saleor.jwks()
    saleor.rotate_key()
    new = saleor.jwks()
    assert [k["kid"] for k in new["keys"]] != [k["kid"] for k in old["keys"]] and len(new["keys"]) == 1
    saleor.create_order(shop["customer"], lines=[(shop["shoe"], 1)])
    received = app_receiver.received("/webhooks/order_created")[-1]
    assert decode_protected_header(received.headers["Saleor-Signature"])["kid"] == new["keys"][0]["kid"]
    verify_detached(received.headers["Saleor-Signature"], received.body, new)
    with pytest.raises(jwt.InvalidKeyError):
        verify_detached(received.headers["Saleor-Signature"], received.body, old)


def test_events_need_the_apps_permission_and_payload_uses_it(saleor, shop, installed, app_receiver):
    installed(
        {
            "CUSTOMER_CREATED": subscription("CustomerCreated", "user { id }"),
            "ORDER_CREATED": subscription("OrderCreated", "order { id events { id } }"),
        },
        permissions=["MANAGE_ORDERS"],
    )
    saleor.create_customer("nope@example.com")
    assert not app_receiver.received("/webhooks/customer_created")  # no MANAGE_USERS: not sent
    saleor.create_order(shop["customer"], lines=[(shop["shoe"], 1)])
    assert len(app_receiver.received("/webhooks/order_created")[0].json()["order"]["events"]) == 3


def test_filterable_subscription_root_wraps_in_data_and_filters_channels(
    saleor, shop, installed, app_receiver
):
    installed(
        {"ORDER_CREATED": 'subscription { orderCreated(channels: ["default-channel"]) { order { number } } }'}
    )
    saleor.create_order(shop["customer"], lines=[(shop["shoe"], 1)])
    other = saleor.create_channel("other", "EUR")
    saleor.create_order(shop["customer"], lines=[(shop["shoe"], 1)], channel=other)
    (received,) = app_receiver.received("/webhooks/order_created")
    assert received.json() == {"data": {"orderCreated": {"order": {"number": "1"}}}}
    assert saleor.sender.skipped[-1]["reason"] == "filtered by the subscription"


def test_events_inferred_from_the_subscription_when_none_listed(saleor, app_receiver):
    app_receiver.make_manifest({})
    app_receiver.manifest["webhooks"] = [
        {
            "name": "two",
            "targetUrl": app_receiver.url("/webhooks/x"),
            "query": subscription("OrderCreated", "order { id }").replace(
                "... on OrderCreated", "... on OrderUpdated { order { id } } ... on OrderCreated"
            ),
        }
    ]
    app = saleor.install_app(app_receiver.url("/manifest"))
    assert app.webhooks[0]["_events"] == ["ORDER_UPDATED", "ORDER_CREATED"]


def test_pending_events_wait_for_deliver_pending(saleor, shop, installed, app_receiver):
    installed({"ORDER_CREATED": subscription("OrderCreated", "order { id }")})
    saleor.create_order(shop["customer"], lines=[(shop["shoe"], 1)], deliver=False)
    assert saleor.pending_events() == ["DRAFT_ORDER_CREATED", "ORDER_CREATED", "ORDER_CONFIRMED"]
    assert not app_receiver.received("/webhooks/order_created")
    assert [d.event for d in saleor.deliver_pending()] == ["ORDER_CREATED"]
    assert saleor.pending_events() == []


def test_customer_and_fulfillment_updates(saleor, shop, installed, app_receiver):
    installed(
        {
            "CUSTOMER_UPDATED": subscription("CustomerUpdated", "user { email isConfirmed }"),
            "FULFILLMENT_CANCELED": subscription(
                "FulfillmentCanceled", "fulfillment { status } order { status }"
            ),
            "FULFILLMENT_TRACKING_NUMBER_UPDATED": subscription(
                "FulfillmentTrackingNumberUpdated", "fulfillment { trackingNumber }"
            ),
        }
    )
    saleor.update_customer(shop["customer"], isConfirmed=True)
    assert app_receiver.received("/webhooks/customer_updated")[0].json()["user"] == {
        "email": "acc@example.com",
        "isConfirmed": True,
    }
    order = saleor.create_order(shop["customer"], lines=[(shop["shoe"], 1)])
    saleor.pay_order(order)
    (fulfillment,) = saleor.fulfill_order(order)
    saleor.update_tracking_number(fulfillment, "TRACK-1")
    assert app_receiver.received("/webhooks/fulfillment_tracking_number_updated")[0].json()[
        "fulfillment"
    ] == {"trackingNumber": "TRACK-1"}
    saleor.cancel_fulfillment(fulfillment)
    body = app_receiver.received("/webhooks/fulfillment_canceled")[0].json()
    assert (body["fulfillment"], body["order"]) == ({"status": "CANCELED"}, {"status": "UNFULFILLED"})


def test_prices_with_tax(saleor, shop):
    order = saleor.create_order(
        shop["customer"], lines=[(shop["shoe"], 2)], shipping=Decimal("12.30"), tax_rate=Decimal("0.23")
    )
    answer = saleor.query(
        "query ($id: ID!) { order(id: $id) { total { gross { amount } net { amount } tax { amount } } lines { unitPrice { net { amount } } } } }",
        {"id": order["id"]},
        token=saleor.issue_staff_token(saleor.admin),
    )["data"]["order"]
    assert answer["total"] == {"gross": {"amount": 112.3}, "net": {"amount": 91.3}, "tax": {"amount": 21.0}}
    assert answer["lines"][0]["unitPrice"]["net"]["amount"] == 40.65
