"""End to end against the Saleor stand-in (real HTTP both ways): an order fulfilled in Saleor -> warranties exist
-> the customer files a claim with a photo -> staff choose repair at a service center -> the repair order goes
through its states -> shipped back -> completed (order notes in Saleor); a second claim decided as replacement
creates a zero-price draft order in the stand-in, exactly once."""

from __future__ import annotations

import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

pytest.importorskip("tests.saleor_standin.fixtures")

from saleor_aftersales.installations.models import Installation  # noqa: E402
from saleor_aftersales.outbox import actions as outbox_actions  # noqa: E402
from saleor_aftersales.outbox.models import OutboxMessage, OutboxStatus  # noqa: E402
from saleor_aftersales.warranty.models import (  # noqa: E402
    RepairEvent,
    Warranty,
    WarrantyClaim,
    WarrantySettlement,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
APP_PERMISSIONS = [
    "MANAGE_ORDERS",
    "MANAGE_USERS",
    "MANAGE_GIFT_CARD",
    "MANAGE_DISCOUNTS",
    "HANDLE_PAYMENTS",
    "MANAGE_PRODUCTS",
]
ERR = "errors { field code message }"


@pytest.fixture
def app(request, transactional_db):
    try:
        return request.getfixturevalue("installed_app")
    except pytest.FixtureLookupError:
        saleor = request.getfixturevalue("saleor")
        live_server = request.getfixturevalue("live_server")
        request.getfixturevalue("settings").PUBLIC_URL = live_server.url
        installed = saleor.install_app(f"{live_server.url}/api/manifest", APP_PERMISSIONS)
        installation = Installation.objects.get(saleor_api_url=saleor.api_url)
        return SimpleNamespace(installation=installation, saleor=saleor, app_id=installed.id)


def _drain_outbox(rounds=6):
    for _ in range(rounds):
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING).update(next_attempt_at=timezone.now())
        if not outbox_actions.dispatch_due():
            break


def _ok(gql, name, query, variables, token, files=None):
    body = gql(query, variables, token=token, files=files)
    assert "errors" not in body, body
    payload = body["data"][name]
    assert payload["errors"] == [], payload
    return payload


def test_fulfilled_order_to_completed_repair_and_a_zero_price_replacement(app, gql):
    saleor = app.saleor
    shoes = saleor.create_product_type("Leather shoes")
    category = saleor.create_category("Shoes")
    oxford = saleor.create_product(
        "Oxford",
        product_type=shoes,
        category=category,
        variants=[{"sku": "OX-42", "price": Decimal("180.00")}],
    )
    customer = saleor.create_customer("walker@example.com", "Ada", "Walker")
    order = saleor.create_order(customer, lines=[(oxford, 2)], shipping=Decimal("10.00"))
    saleor.pay_order(order)
    saleor.fulfill_order(order)

    # Warranties exist: one per fulfilled unit, with the leather-shoe care guide.
    assert Warranty.objects.filter(installation=app.installation).count() == 2
    customer_token = saleor.issue_customer_token(customer)
    staff_user = saleor.create_staff("repairs@example.com", permissions=["MANAGE_ORDERS"])
    staff_token = saleor.issue_dashboard_token(staff_user, app=app.app_id, permissions=["MANAGE_ORDERS"])
    mine = gql(
        "{ myWarranties { id orderId daysLeft productName careGuide { code } } }", token=customer_token
    )
    warranties = mine["data"]["myWarranties"]
    assert len(warranties) == 2
    assert {w["orderId"] for w in warranties} == {order["id"]}
    assert all(w["careGuide"]["code"] == "leather-shoes" and w["daysLeft"] >= 364 for w in warranties)

    # The customer files a claim with a photo.
    claim = _ok(
        gql,
        "warrantyClaimCreate",
        f"""mutation($input: WarrantyClaimCreateInput!) {{ warrantyClaimCreate(input: $input) {{
            claim {{ id number coverage photos {{ id }} }} {ERR} }} }}""",
        {
            "input": {
                "warrantyId": warranties[0]["id"],
                "symptom": "sole-detachment",
                "description": "Sole loose",
                "photos": [None],
            }
        },
        customer_token,
        files={"map": json.dumps({"0": ["variables.input.photos.0"]}), "0": SimpleUploadedFile("s.png", PNG)},
    )["claim"]
    assert claim["coverage"] == "COVERED" and len(claim["photos"]) == 1

    # Staff set up a service center and decide: repair there.
    center = _ok(
        gql,
        "serviceCenterSave",
        f"""mutation {{ serviceCenterSave(input: {{name: "Shanghai cobbler", capacity: 5, latitude: 31.23,
            longitude: 121.47, address: "{{\\"city\\": \\"Shanghai\\"}}", openingHours: "{{\\"mon\\": \\"09-18\\"}}"}})
            {{ serviceCenter {{ id }} {ERR} }} }}""",
        {},
        staff_token,
    )["serviceCenter"]
    decided = _ok(
        gql,
        "warrantyClaimDecide",
        f"""mutation($id: ID!, $c: ID!) {{ warrantyClaimDecide(id: $id, decision: REPAIR, note: "We resole it",
            centerId: $c) {{ claim {{ status repairOrders {{ id number status promisedAt center {{ name }} }} }}
            {ERR} }} }}""",
        {"id": claim["id"], "c": center["id"]},
        staff_token,
    )["claim"]
    assert decided["status"] == "IN_REPAIR"
    [repair] = decided["repairOrders"]
    assert repair["status"] == "AWAITING_ITEM" and repair["center"]["name"] == "Shanghai cobbler"
    assert repair["promisedAt"]
    rid = repair["id"]

    tracking = f"""mutation($id: ID!, $d: RepairTrackingDirectionEnum!, $n: String!) {{
        repairOrderSetTracking(id: $id, direction: $d, carrier: "SF", trackingNumber: $n) {{ {ERR} }} }}"""
    _ok(gql, "repairOrderSetTracking", tracking, {"id": rid, "d": "INBOUND", "n": "SF-IN-1"}, customer_token)
    move = f"""mutation($id: ID!, $t: RepairOrderTransitionEnum!) {{ repairOrderTransition(id: $id, transition: $t) {{
        repairOrder {{ status }} {ERR} }} }}"""
    for transition in ("RECEIVE", "DIAGNOSE", "START_REPAIR", "QUALITY_CHECK"):
        _ok(gql, "repairOrderTransition", move, {"id": rid, "t": transition}, staff_token)
    _ok(
        gql,
        "repairOrderLineAdd",
        f"""mutation($id: ID!) {{ repairOrderLineAdd(id: $id, kind: PART, description: "Leather sole",
            quantity: "1", unitCost: "32.50") {{ {ERR} }} }}""",
        {"id": rid},
        staff_token,
    )
    _ok(gql, "repairOrderSetTracking", tracking, {"id": rid, "d": "OUTBOUND", "n": "SF-OUT-1"}, staff_token)
    _ok(gql, "repairOrderTransition", move, {"id": rid, "t": "SHIP_BACK"}, staff_token)
    _ok(gql, "repairOrderTransition", move, {"id": rid, "t": "COMPLETE"}, staff_token)
    _drain_outbox()
    saleor.deliver_pending()

    followed = gql(
        "query($id: ID!) { repairOrder(id: $id) { status timeline { type toStatus } } }",
        {"id": rid},
        token=customer_token,
    )["data"]["repairOrder"]
    assert followed["status"] == "COMPLETED"
    assert [e["toStatus"] for e in followed["timeline"] if e["toStatus"]] == [
        "awaiting_item",
        "received",
        "diagnosing",
        "repairing",
        "quality_check",
        "shipped_back",
        "completed",
    ]
    status = gql(
        "query($id: ID!) { warrantyClaim(id: $id) { status } }", {"id": claim["id"]}, token=customer_token
    )["data"]["warrantyClaim"]["status"]
    assert status == "RESOLVED"
    notes = [e for e in order["events"] if e["type"] == "NOTE_ADDED"]
    assert len(notes) == 4  # decision, received, shipped back, completed
    assert claim["number"] in notes[0]["message"]

    # A second claim, decided as replacement: a zero-price draft order in Saleor, exactly once.
    second = _ok(
        gql,
        "warrantyClaimCreate",
        f"""mutation($input: WarrantyClaimCreateInput!) {{ warrantyClaimCreate(input: $input) {{
            claim {{ id }} {ERR} }} }}""",
        {"input": {"warrantyId": warranties[1]["id"], "symptom": "upper-crack"}},
        customer_token,
    )["claim"]
    saleor.faults.add("draftOrderCreate", kind="http502", times=1, when="after")
    _ok(
        gql,
        "warrantyClaimDecide",
        f'mutation($id: ID!) {{ warrantyClaimDecide(id: $id, decision: REPLACE, note: "New pair") {{ {ERR} }} }}',
        {"id": second["id"]},
        staff_token,
    )
    _drain_outbox()
    saleor.deliver_pending()
    drafts = [o for o in saleor.state.orders if o["status"] == "DRAFT"]
    assert len(drafts) == 1  # the 502 came after Saleor created it: the reconciler found it, no second draft
    assert len(saleor.calls_to("draftOrderCreate")) == 1
    assert len(saleor.calls_to("WarrantyDraftOrdersByKey")) >= 1
    [draft] = drafts
    [line] = draft["lines"]
    assert line["variant"]["sku"] == "OX-42"
    assert Decimal(str(line["unitPrice"]["gross"]["amount"])) == Decimal("0")
    assert draft["userEmail"] == "walker@example.com"
    row = WarrantySettlement.objects.get(claim__pk__isnull=False, kind="replacement")
    assert (row.status, row.saleor_draft_order_id) == ("succeeded", draft["id"])
    assert WarrantyClaim.objects.get(pk=row.claim_id).status == "resolved"
    assert len([e for e in order["events"] if e["type"] == "NOTE_ADDED"]) == 5
    saleor.assert_no_invalid_documents()


def test_refund_and_paid_repair_settle_in_saleor_exactly_once(app, gql):
    saleor = app.saleor
    shoes = saleor.create_product_type("Leather shoes")
    boots = saleor.create_product(
        "Chelsea boot", product_type=shoes, variants=[{"sku": "CB-41", "price": Decimal("220.00")}]
    )
    service = saleor.create_product("Repair service", variants=[{"sku": "REPAIR", "price": Decimal("1.00")}])
    customer = saleor.create_customer("hiker@example.com", "Lin", "Hiker")
    order = saleor.create_order(customer, lines=[(boots, 2)])
    saleor.pay_order(order)
    saleor.fulfill_order(order)
    customer_token = saleor.issue_customer_token(customer)
    staff_user = saleor.create_staff("desk@example.com", permissions=["MANAGE_ORDERS"])
    staff_token = saleor.issue_dashboard_token(staff_user, app=app.app_id, permissions=["MANAGE_ORDERS"])
    _ok(
        gql,
        "warrantySettingsUpdate",
        f"mutation($v: ID!) {{ warrantySettingsUpdate(input: {{repairServiceVariantId: $v}}) {{ {ERR} }} }}",
        {"v": service["variants"][0]["id"]},
        staff_token,
    )
    first, second = gql("{ myWarranties { id } }", token=customer_token)["data"]["myWarranties"]
    create = f"""mutation($input: WarrantyClaimCreateInput!) {{ warrantyClaimCreate(input: $input) {{
        claim {{ id coverage }} {ERR} }} }}"""
    decide = f"""mutation($id: ID!, $d: WarrantyClaimDecisionEnum!) {{ warrantyClaimDecide(id: $id, decision: $d,
        note: "ok") {{ claim {{ repairOrders {{ id }} }} {ERR} }} }}"""

    # Refund: a granted refund of the unit, then the money requested back, each once.
    refund_claim = _ok(
        gql,
        "warrantyClaimCreate",
        create,
        {"input": {"warrantyId": first["id"], "symptom": "zipper"}},
        customer_token,
    )["claim"]
    _ok(gql, "warrantyClaimDecide", decide, {"id": refund_claim["id"], "d": "REFUND"}, staff_token)
    _drain_outbox()
    saleor.deliver_pending()
    assert len(saleor.calls_to("orderGrantRefundCreate")) == 1
    assert len(saleor.calls_to("transactionRequestRefundForGrantedRefund")) == 1
    [grant] = order["grantedRefunds"]
    assert Decimal(str(grant["amount"]["amount"])) == Decimal("220.00")
    status = gql(
        "query($id: ID!) { warrantyClaim(id: $id) { status refundAmount { amount } } }",
        {"id": refund_claim["id"]},
        token=customer_token,
    )["data"]["warrantyClaim"]
    assert status["status"] == "RESOLVED"

    # Paid repair: wear is not covered; the customer asks for a paid repair and accepts the quote.
    paid = _ok(
        gql,
        "warrantyClaimCreate",
        create,
        {"input": {"warrantyId": second["id"], "symptom": "wear", "paidRepair": True}},
        customer_token,
    )["claim"]
    assert paid["coverage"] == "NOT_COVERED"
    [repair] = _ok(gql, "warrantyClaimDecide", decide, {"id": paid["id"], "d": "PAID_REPAIR"}, staff_token)[
        "claim"
    ]["repairOrders"]
    move = f"""mutation($id: ID!, $t: RepairOrderTransitionEnum!) {{ repairOrderTransition(id: $id, transition: $t) {{
        {ERR} }} }}"""
    for transition in ("RECEIVE", "DIAGNOSE"):
        _ok(gql, "repairOrderTransition", move, {"id": repair["id"], "t": transition}, staff_token)
    for kind, description, qty, cost in (
        ("PART", "Heel block", "1", "18.50"),
        ("LABOUR", "Re-heel", "0.5", "40"),
    ):
        _ok(
            gql,
            "repairOrderLineAdd",
            f"""mutation($id: ID!, $k: RepairLineKindEnum!, $d: String!, $q: Decimal!, $c: Decimal!) {{
                repairOrderLineAdd(id: $id, kind: $k, description: $d, quantity: $q, unitCost: $c) {{ {ERR} }} }}""",
            {"id": repair["id"], "k": kind, "d": description, "q": qty, "c": cost},
            staff_token,
        )
    quoted = _ok(
        gql,
        "repairOrderQuoteSend",
        f"mutation($id: ID!) {{ repairOrderQuoteSend(id: $id) {{ repairOrder {{ status quote {{ amount }} }} {ERR} }} }}",
        {"id": repair["id"]},
        staff_token,
    )["repairOrder"]
    assert quoted["status"] == "AWAITING_APPROVAL" and Decimal(str(quoted["quote"]["amount"])) == Decimal(
        "38.50"
    )
    accept = f"mutation($id: ID!) {{ repairOrderQuoteAccept(id: $id) {{ repairOrder {{ status }} {ERR} }} }}"
    assert _ok(gql, "repairOrderQuoteAccept", accept, {"id": repair["id"]}, customer_token)[
        "repairOrder"
    ] == {"status": "REPAIRING"}
    body = gql(accept, {"id": repair["id"]}, token=customer_token)
    assert body["data"]["repairOrderQuoteAccept"]["errors"][0]["code"] == "INVALID_TRANSITION"
    _drain_outbox()
    saleor.deliver_pending()
    [draft] = [o for o in saleor.state.orders if o["status"] == "DRAFT"]
    [line] = draft["lines"]
    assert line["variant"]["sku"] == "REPAIR"
    assert Decimal(str(line["unitPrice"]["gross"]["amount"])) == Decimal("38.50")
    assert WarrantySettlement.objects.get(kind="paid_repair").status == "succeeded"

    # The shop completes the draft and the customer pays it: ORDER_FULLY_PAID of that order records the payment on
    # the repair, once, however often Saleor delivers it.
    saleor.complete_draft(draft)
    saleor.pay_order(draft)
    [paid_delivery] = [d for d in saleor.deliveries_for("ORDER_FULLY_PAID") if draft["id"] in d.body.decode()]
    saleor.redeliver(paid_delivery)
    billed = WarrantySettlement.objects.get(kind="paid_repair")
    assert billed.saleor_draft_order_id == draft["id"] and billed.paid_at is not None
    assert RepairEvent.objects.filter(type="payment_received").count() == 1
    seen = gql(
        "query($id: ID!) { repairOrder(id: $id) { settlements { kind paidAt } timeline { type message } } }",
        {"id": repair["id"]},
        token=customer_token,
    )["data"]["repairOrder"]
    assert [s["kind"] for s in seen["settlements"] if s["paidAt"]] == ["paid_repair"]
    assert {"type": "payment_received", "message": "Repair paid"} in seen["timeline"]
    saleor.assert_no_invalid_documents()


def test_failed_replacement_is_retried_by_staff_and_lands_once(app, gql, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    settings.SALEOR_HTTP_RETRIES = 0
    saleor = app.saleor
    product = saleor.create_product("Derby", variants=[{"sku": "DB-40", "price": Decimal("150.00")}])
    customer = saleor.create_customer("derby@example.com", "Bo", "Derby")
    order = saleor.create_order(customer, lines=[(product, 1)])
    saleor.pay_order(order)
    saleor.fulfill_order(order)
    customer_token = saleor.issue_customer_token(customer)
    staff_user = saleor.create_staff("lead@example.com", permissions=["MANAGE_ORDERS"])
    staff_token = saleor.issue_dashboard_token(staff_user, app=app.app_id, permissions=["MANAGE_ORDERS"])
    [warranty] = gql("{ myWarranties { id } }", token=customer_token)["data"]["myWarranties"]
    claim = _ok(
        gql,
        "warrantyClaimCreate",
        f"""mutation($input: WarrantyClaimCreateInput!) {{ warrantyClaimCreate(input: $input) {{
            claim {{ id }} {ERR} }} }}""",
        {"input": {"warrantyId": warranty["id"], "symptom": "sole-detachment"}},
        customer_token,
    )["claim"]
    saleor.faults.add("draftOrderCreate", kind="http500", times=None, when="before")
    _ok(
        gql,
        "warrantyClaimDecide",
        f"mutation($id: ID!) {{ warrantyClaimDecide(id: $id, decision: REPLACE) {{ {ERR} }} }}",
        {"id": claim["id"]},
        staff_token,
    )
    _drain_outbox()
    status = "query($id: ID!) { warrantyClaim(id: $id) { status settlements { status error } } }"
    failed = gql(status, {"id": claim["id"]}, token=staff_token)["data"]["warrantyClaim"]
    assert failed["status"] == "SETTLEMENT_FAILED"
    assert failed["settlements"][0]["status"] == "failed" and failed["settlements"][0]["error"]
    assert not [o for o in saleor.state.orders if o["status"] == "DRAFT"]
    saleor.faults.clear()
    _ok(
        gql,
        "warrantyClaimRetrySettlement",
        f"mutation($id: ID!) {{ warrantyClaimRetrySettlement(id: $id) {{ {ERR} }} }}",
        {"id": claim["id"]},
        staff_token,
    )
    _drain_outbox()
    done = gql(status, {"id": claim["id"]}, token=customer_token)["data"]["warrantyClaim"]
    assert done["status"] == "RESOLVED" and done["settlements"][0]["error"] is None
    assert len([o for o in saleor.state.orders if o["status"] == "DRAFT"]) == 1
