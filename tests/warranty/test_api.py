"""The GraphQL API of warranties, claims, repairs: customers see their own, staff queues, typed errors, SQL."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from saleor_aftersales.core.ids import to_global_id
from saleor_aftersales.outbox.models import OutboxMessage
from saleor_aftersales.warranty import actions
from saleor_aftersales.warranty.models import (
    ClaimPhoto,
    RepairOrder,
    Warranty,
    WarrantyClaim,
    WarrantyEvent,
    WarrantyProof,
    WarrantyTransfer,
)

from .factories import CUSTOMER, CUSTOMER_EMAIL, CUSTOMER_ID, NOW, PNG, STAFF, registered, shoe_order

ERR = "errors { field code message }"


@pytest.fixture
def travel():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def customer_token(make_token):
    return make_token(kind="customer", user_id=CUSTOMER_ID, email=CUSTOMER_EMAIL)


@pytest.fixture
def other_token(make_token):
    return make_token(kind="customer", user_id=to_global_id("User", 4242), email="other@example.com")


@pytest.fixture
def staff(staff_token):
    return staff_token("MANAGE_ORDERS")


def wid(w):
    return to_global_id("Warranty", w.pk)


MY_WARRANTIES = """{ myWarranties(first: 100) {
  id status productName daysLeft isInTerm startsAt expiresAt orderNumber orderLineId serialNumber
  unitPrice { amount currency } proofs { id }
  terms { name durationMonths coveredIssues excludedIssues text(language: "zh-hans") }
  openClaims { id number status coverage symptom { code label } }
  careGuide { code title sections { topic title } }
} }"""


def test_my_warranties_days_left_terms_and_care_guide(travel, installation, gql, customer_token):
    registered(installation, lines=((Decimal("120.00"), 2),))
    body = gql(MY_WARRANTIES, token=customer_token)
    rows = body["data"]["myWarranties"]
    assert len(rows) == 2
    first = rows[0]
    assert first["daysLeft"] == 335  # 12 months from 2026-11-01, asked on 2026-12-01
    assert first["isInTerm"] is True
    assert first["terms"]["durationMonths"] == 12
    assert "sole-detachment" in first["terms"]["coveredIssues"]
    assert first["terms"]["text"] == "保修期内的质量问题均可免费维修。"
    assert first["careGuide"]["code"] == "leather-shoes"
    assert [s["topic"] for s in first["careGuide"]["sections"]] == [
        "cleaning",
        "conditioning",
        "storage",
        "sole_care",
    ]
    assert first["unitPrice"]["currency"] == "USD"
    assert Decimal(str(first["unitPrice"]["amount"])) == Decimal("120")


def test_200_warranties_with_terms_and_open_claims_in_constant_sql(
    travel, installation, gql, customer_token, django_assert_max_num_queries
):
    order = shoe_order(installation, lines=tuple((Decimal("10.00"), 4) for _ in range(50)))
    actions.register_order_warranties(order=order)
    warranties = list(Warranty.objects.filter(order=order))
    assert len(warranties) == 200
    for warranty in warranties[:20]:
        actions.create_claim(warranty=warranty, actor=CUSTOMER, symptom="stitching", now=NOW)
    query = MY_WARRANTIES.replace("first: 100", "first: 200")
    with django_assert_max_num_queries(7):
        body = gql(query, token=customer_token)
    rows = body["data"]["myWarranties"]
    assert len(rows) == 200
    assert sum(len(r["openClaims"]) for r in rows) == 20
    assert all(r["careGuide"]["code"] == "leather-shoes" for r in rows)


def test_customer_sees_only_own_warranties_and_foreign_claim_is_not_found(
    travel, installation, gql, customer_token, other_token
):
    [warranty] = registered(installation)
    assert gql("{ myWarranties { id } }", token=other_token)["data"]["myWarranties"] == []
    body = gql("query($id: ID!) { warranty(id: $id) { id } }", {"id": wid(warranty)}, token=other_token)
    assert body["data"]["warranty"] is None
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND" or "Unknown" in body["errors"][0]["message"]
    body = gql(
        f'mutation($w: ID!) {{ warrantyClaimCreate(input: {{warrantyId: $w, symptom: "stitching"}}) {{ {ERR} }} }}',
        {"w": wid(warranty)},
        token=other_token,
    )
    assert body["data"]["warrantyClaimCreate"]["errors"] == [
        {"field": "warrantyId", "code": "NOT_FOUND", "message": "Unknown Warranty."}
    ]
    assert WarrantyClaim.objects.count() == 0


CLAIM = f"""mutation($input: WarrantyClaimCreateInput!) {{ warrantyClaimCreate(input: $input) {{
  claim {{ id number status coverage photos {{ contentType }} }} {ERR} }} }}"""


def _files(n=1, content=PNG):
    files = {"map": json.dumps({str(i): [f"variables.input.photos.{i}"] for i in range(n)})}
    for i in range(n):
        files[str(i)] = SimpleUploadedFile(f"p{i}.png", content)
    return files


def test_file_claim_with_photos(travel, installation, gql, customer_token):
    [warranty] = registered(installation)
    body = gql(
        CLAIM,
        {
            "input": {
                "warrantyId": wid(warranty),
                "symptom": "sole-detachment",
                "description": "loose",
                "photos": [None, None],
            }
        },
        token=customer_token,
        files=_files(2),
    )
    payload = body["data"]["warrantyClaimCreate"]
    assert payload["errors"] == []
    assert payload["claim"]["status"] == "SUBMITTED"
    assert payload["claim"]["coverage"] == "COVERED"
    assert [p["contentType"] for p in payload["claim"]["photos"]] == ["image/png", "image/png"]


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"symptom": "wear"}, ("NOT_COVERED", "symptom")),
        ({"symptom": "no-such-thing"}, ("UNKNOWN_SYMPTOM", "symptom")),
        ({"symptom": "wear", "override": True}, ("PERMISSION_DENIED", "override")),
    ],
)
def test_claim_bad_input_is_typed_and_writes_nothing(
    travel, installation, gql, customer_token, variables, expected
):
    [warranty] = registered(installation)
    body = gql(CLAIM, {"input": {"warrantyId": wid(warranty), **variables}}, token=customer_token)
    errors = body["data"]["warrantyClaimCreate"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [expected]
    assert WarrantyClaim.objects.count() == 0


def test_claim_on_expired_warranty_is_refused_until_paid_repair_is_asked(installation, gql, make_token):
    [warranty] = registered(installation)
    with time_machine.travel(warranty.expires_at + timedelta(days=2), tick=False):
        customer_token = make_token(kind="customer", user_id=CUSTOMER_ID, email=CUSTOMER_EMAIL)
        body = gql(
            CLAIM, {"input": {"warrantyId": wid(warranty), "symptom": "stitching"}}, token=customer_token
        )
        assert [(e["code"], e["field"]) for e in body["data"]["warrantyClaimCreate"]["errors"]] == [
            ("WARRANTY_EXPIRED", "warrantyId")
        ]
        assert WarrantyClaim.objects.count() == 0
        body = gql(
            CLAIM,
            {"input": {"warrantyId": wid(warranty), "symptom": "stitching", "paidRepair": True}},
            token=customer_token,
        )
        assert body["data"]["warrantyClaimCreate"]["claim"]["coverage"] == "OUT_OF_TERM"


def test_staff_override_covers_an_excluded_symptom(travel, installation, gql, staff):
    [warranty] = registered(installation)
    body = gql(
        CLAIM, {"input": {"warrantyId": wid(warranty), "symptom": "wear", "override": True}}, token=staff
    )
    assert body["data"]["warrantyClaimCreate"]["claim"]["coverage"] == "OVERRIDDEN"


def test_oversized_and_too_many_uploads(travel, installation, gql, customer_token, settings):
    [warranty] = registered(installation)
    settings.UPLOAD_MAX_BYTES = 50
    body = gql(
        CLAIM,
        {"input": {"warrantyId": wid(warranty), "symptom": "stitching", "photos": [None]}},
        token=customer_token,
        files=_files(1),
    )
    assert [(e["code"], e["field"]) for e in body["data"]["warrantyClaimCreate"]["errors"]] == [
        ("FILE_TOO_LARGE", "photos")
    ]
    settings.UPLOAD_MAX_BYTES = 5 * 1024 * 1024
    body = gql(
        CLAIM,
        {"input": {"warrantyId": wid(warranty), "symptom": "stitching", "photos": [None] * 11}},
        token=customer_token,
        files=_files(11),
    )
    assert body["data"]["warrantyClaimCreate"]["errors"][0]["code"] == "TOO_MANY_FILES"
    assert WarrantyClaim.objects.count() == 0 and ClaimPhoto.objects.count() == 0


def test_register_external_purchase_with_proof_then_staff_verify(
    travel, installation, gql, customer_token, staff
):
    query = f"""mutation($input: WarrantyRegisterExternalInput!) {{ warrantyRegisterExternal(input: $input) {{
      warranty {{ id status source expiresAt }} {ERR} }} }}"""
    base = {
        "productName": "Oxford shoe",
        "purchasedAt": "2026-10-01T00:00:00+00:00",
        "storeName": "Dept store",
    }
    body = gql(query, {"input": {**base, "proofs": []}}, token=customer_token)
    assert body["data"]["warrantyRegisterExternal"]["errors"][0]["code"] == "PROOF_REQUIRED"
    files = {
        "map": json.dumps({"0": ["variables.input.proofs.0"]}),
        "0": SimpleUploadedFile("r.pdf", b"%PDF-1.4" + b"\x00" * 40),
    }
    body = gql(query, {"input": {**base, "proofs": [None]}}, token=customer_token, files=files)
    payload = body["data"]["warrantyRegisterExternal"]
    assert payload["errors"] == []
    assert payload["warranty"]["status"] == "PENDING_VERIFICATION"
    assert WarrantyProof.objects.get().content_type == "application/pdf"
    queue = gql("{ warranties(statuses: [PENDING_VERIFICATION]) { id productName } }", token=staff)
    assert [w["productName"] for w in queue["data"]["warranties"]] == ["Oxford shoe"]
    verify = f"""mutation($id: ID!) {{ warrantyRegistrationVerify(id: $id, approve: true, durationMonths: 24) {{
      warranty {{ status expiresAt }} {ERR} }} }}"""
    body = gql(verify, {"id": payload["warranty"]["id"]}, token=staff)
    assert body["data"]["warrantyRegistrationVerify"]["warranty"]["status"] == "ACTIVE"
    assert body["data"]["warrantyRegistrationVerify"]["warranty"]["expiresAt"].startswith("2028-10-01")
    body = gql(verify, {"id": payload["warranty"]["id"]}, token=customer_token)
    assert body["data"]["warrantyRegistrationVerify"]["errors"][0]["code"] == "PERMISSION_DENIED"


def test_transfer_to_self_is_refused_and_receiver_accepts(
    travel, installation, gql, customer_token, make_token
):
    [warranty] = registered(installation)
    query = f"mutation($id: ID!, $e: String!) {{ warrantyTransferCreate(id: $id, email: $e) {{ {ERR} }} }}"
    body = gql(query, {"id": wid(warranty), "e": CUSTOMER_EMAIL}, token=customer_token)
    assert [(e["code"], e["field"]) for e in body["data"]["warrantyTransferCreate"]["errors"]] == [
        ("TRANSFER_TO_SELF", "email")
    ]
    assert WarrantyTransfer.objects.count() == 0
    body = gql(query, {"id": wid(warranty), "e": "Friend@Example.com"}, token=customer_token)
    assert body["data"]["warrantyTransferCreate"]["errors"] == []
    token = WarrantyTransfer.objects.get().token
    friend = make_token(kind="customer", user_id=to_global_id("User", 88), email="friend@example.com")
    accept = f"mutation($t: String!) {{ warrantyTransferAccept(token: $t) {{ warranty {{ customerEmail }} {ERR} }} }}"
    body = gql(accept, {"t": token}, token=friend)
    assert body["data"]["warrantyTransferAccept"]["warranty"]["customerEmail"] == "friend@example.com"
    assert gql("{ myWarranties { id } }", token=customer_token)["data"]["myWarranties"] == []
    assert len(gql("{ myWarranties { id } }", token=friend)["data"]["myWarranties"]) == 1
    assert WarrantyEvent.objects.filter(type="transferred").count() == 1


def _claim_repair(installation):
    [warranty] = registered(installation)
    claim = actions.create_claim(warranty=warranty, actor=CUSTOMER, symptom="stitching", now=NOW)
    actions.decide_claim(claim=claim, actor=STAFF, decision="repair", now=NOW)
    return claim, RepairOrder.objects.get(claim=claim)


def test_illegal_transition_and_negative_quote_are_typed_errors(travel, installation, gql, staff):
    _claim, repair = _claim_repair(installation)
    rid = to_global_id("RepairOrder", repair.pk)
    body = gql(
        f"mutation($id: ID!) {{ repairOrderTransition(id: $id, transition: COMPLETE) {{ {ERR} }} }}",
        {"id": rid},
        token=staff,
    )
    assert [(e["code"], e["field"]) for e in body["data"]["repairOrderTransition"]["errors"]] == [
        ("INVALID_TRANSITION", "status")
    ]
    body = gql(
        f"""mutation($id: ID!) {{ repairOrderLineAdd(id: $id, kind: PART, description: "Sole", quantity: "1",
            unitCost: "-3.00") {{ {ERR} }} }}""",
        {"id": rid},
        token=staff,
    )
    assert [(e["code"], e["field"]) for e in body["data"]["repairOrderLineAdd"]["errors"]] == [
        ("NEGATIVE_AMOUNT", "unitCost")
    ]
    for name in ("RECEIVE", "DIAGNOSE"):
        gql(
            f"mutation($id: ID!) {{ repairOrderTransition(id: $id, transition: {name}) {{ {ERR} }} }}",
            {"id": rid},
            token=staff,
        )
    body = gql(
        f'mutation($id: ID!) {{ repairOrderQuoteSend(id: $id, amount: "-10") {{ {ERR} }} }}',
        {"id": rid},
        token=staff,
    )
    assert body["data"]["repairOrderQuoteSend"]["errors"][0]["code"] == "NEGATIVE_AMOUNT"
    repair.refresh_from_db()
    assert (repair.status, repair.quote_status, repair.lines.count()) == ("diagnosing", "none", 0)


def test_staff_queues_and_board_with_filters_and_sla(
    travel, installation, gql, staff, django_assert_max_num_queries
):
    center = actions.save_service_center(installation=installation, actor=STAFF, name="Cobbler", capacity=50)
    for _ in range(6):
        claim, repair = _claim_repair(installation)
        actions.assign_repair(repair=repair, actor=STAFF, center=center)
    [waiting] = registered(installation)
    actions.create_claim(warranty=waiting, actor=CUSTOMER, symptom="zipper", now=NOW)
    first = RepairOrder.objects.order_by("id").first()
    actions.transition_repair(repair=first, actor=STAFF, transition="receive")
    queue = gql(
        '{ warrantyClaims(filter: {statuses: [SUBMITTED], slaState: "on_track"}) { number status slaState } }',
        token=staff,
    )["data"]["warrantyClaims"]
    assert [(c["status"], c["slaState"]) for c in queue] == [("SUBMITTED", "on_track")]
    cid = to_global_id("ServiceCenter", center.pk)
    with django_assert_max_num_queries(8):
        board = gql(
            "query($c: ID!) { repairBoard(centerId: $c) { status count repairOrders { number slaState promisedAt "
            "center { name } claim { number } } } }",
            {"c": cid},
            token=staff,
        )["data"]["repairBoard"]
    counts = {col["status"]: col["count"] for col in board}
    assert counts["AWAITING_ITEM"] == 5 and counts["RECEIVED"] == 1
    assert board[0]["repairOrders"][0]["slaState"] == "on_track"
    listed = gql(
        "query($c: ID!) { repairOrders(filter: {centerId: $c, statuses: [RECEIVED]}) { number } }",
        {"c": cid},
        token=staff,
    )["data"]["repairOrders"]
    assert [r["number"] for r in listed] == [first.number]


def test_decide_replace_through_api_enqueues_draft_and_note(travel, installation, gql, staff, customer_token):
    [warranty] = registered(installation)
    claim = actions.create_claim(warranty=warranty, actor=CUSTOMER, symptom="upper-crack", now=NOW)
    cid = to_global_id("WarrantyClaim", claim.pk)
    decide = f"mutation($id: ID!) {{ warrantyClaimDecide(id: $id, decision: REJECT) {{ {ERR} }} }}"
    body = gql(decide, {"id": cid}, token=staff)
    assert [(e["code"], e["field"]) for e in body["data"]["warrantyClaimDecide"]["errors"]] == [
        ("REQUIRED", "note")
    ]
    body = gql(decide.replace("REJECT", "REPLACE"), {"id": cid}, token=customer_token)
    assert body["data"]["warrantyClaimDecide"]["errors"][0]["code"] == "PERMISSION_DENIED"
    body = gql(decide.replace("REJECT", "REPLACE"), {"id": cid}, token=staff)
    assert body["data"]["warrantyClaimDecide"]["errors"] == []
    assert OutboxMessage.objects.filter(operation="WarrantyDraftOrderCreate").count() == 1
    assert OutboxMessage.objects.filter(operation="OrderNoteAdd").count() == 1
    body = gql(decide.replace("REJECT", "REPLACE"), {"id": cid}, token=staff)
    assert body["data"]["warrantyClaimDecide"]["errors"][0]["code"] == "INVALID_TRANSITION"
    assert OutboxMessage.objects.filter(operation="WarrantyDraftOrderCreate").count() == 1
    timeline = gql(
        'query($id: ID!) { warrantyClaim(id: $id) { status timeline(language: "zh-hans") { type message } } }',
        {"id": cid},
        token=customer_token,
    )["data"]["warrantyClaim"]
    assert timeline["status"] == "SETTLING"
    assert [t["message"] for t in timeline["timeline"]][:2] == ["已提交", "已同意换新"]


def test_care_guide_served_in_both_languages_and_editable(installation, gql, staff, customer_token):
    body = gql(
        '{ careGuide(productTypeName: "Leather shoes") { title(language: "zh-hans") '
        'sections(language: "zh-hans") { topic title } } }',
        token=customer_token,
    )
    guide = body["data"]["careGuide"]
    assert guide["title"] == "皮鞋保养指南"
    assert [s["title"] for s in guide["sections"]] == ["清洁", "滋养护理", "存放", "鞋底护理"]
    section = {
        "topic": "cleaning",
        "titleEn": "Clean",
        "titleZhHans": "清洁",
        "bodyEn": "Brush.",
        "bodyZhHans": "刷。",
    }
    body = gql(
        f"""mutation($s: [CareGuideSectionInput!]!) {{ careGuideSave(code: "leather-shoes", titleEn: "Shoe care",
            titleZhHans: "鞋履护理", sections: $s, reminderIntervalMonths: 3) {{ careGuide {{ title }} {ERR} }} }}""",
        {"s": [section]},
        token=staff,
    )
    assert body["data"]["careGuideSave"]["careGuide"]["title"] == "Shoe care"
    body = gql('{ careGuide(code: "leather-shoes") { title reminderIntervalMonths } }', token=customer_token)
    assert body["data"]["careGuide"] == {"title": "Shoe care", "reminderIntervalMonths": 3}


def test_care_guide_matched_by_category(installation, gql, staff, customer_token):
    section = {
        "topic": "cleaning",
        "titleEn": "Clean",
        "titleZhHans": "清洁",
        "bodyEn": "Dry.",
        "bodyZhHans": "干。",
    }
    body = gql(
        f"""mutation($s: [CareGuideSectionInput!]!) {{ careGuideSave(code: "bags", titleEn: "Bag care",
            titleZhHans: "包袋护理", sections: $s, categoryIds: ["Q2F0ZWdvcnk6OQ=="]) {{
            careGuide {{ code categoryIds }} {ERR} }} }}""",
        {"s": [section]},
        token=staff,
    )
    assert body["data"]["careGuideSave"]["careGuide"] == {"code": "bags", "categoryIds": ["Q2F0ZWdvcnk6OQ=="]}
    found = gql(
        '{ careGuide(categoryId: "Q2F0ZWdvcnk6OQ==") { code title(language: "zh-hans") } }',
        token=customer_token,
    )
    assert found["data"]["careGuide"] == {"code": "bags", "title": "包袋护理"}
    # An unknown category matches nothing (no keyword given either).
    none = gql('{ careGuide(categoryId: "Q2F0ZWdvcnk6MQ==") { code } }', token=customer_token)
    assert none["data"]["careGuide"] is None


def test_staff_see_the_repair_or_replace_suggestion(travel, installation, gql, staff):
    actions.save_terms(
        installation=installation,
        actor=STAFF,
        scope="default",
        name="Shoes",
        duration_months=24,
        covered_issues=["stitching"],
        remedies=["repair", "replace"],
        max_repairs_before_replace=1,
        text_en="Two years.",
        text_zh_hans="两年。",
    )
    [warranty] = registered(installation)
    claim = actions.create_claim(warranty=warranty, actor=CUSTOMER, symptom="stitching", now=NOW)
    query = "query($id: ID!) { warrantyClaim(id: $id) { suggestedDecision } }"
    cid = to_global_id("WarrantyClaim", claim.pk)
    assert gql(query, {"id": cid}, token=staff)["data"]["warrantyClaim"]["suggestedDecision"] == "REPAIR"
    actions.decide_claim(claim=claim, actor=STAFF, decision="repair", now=NOW)
    repair = RepairOrder.objects.get()
    actions.set_repair_tracking(
        repair=repair, actor=STAFF, direction="outbound", carrier="SF", tracking_number="1"
    )
    for name in ("receive", "diagnose", "start_repair", "quality_check", "ship_back", "complete"):
        actions.transition_repair(repair=repair, actor=STAFF, transition=name)
    again = actions.create_claim(warranty=warranty, actor=CUSTOMER, symptom="stitching", now=NOW)
    cid = to_global_id("WarrantyClaim", again.pk)
    assert gql(query, {"id": cid}, token=staff)["data"]["warrantyClaim"]["suggestedDecision"] == "REPLACE"
    late = actions.create_claim(
        warranty=registered(installation)[0], actor=CUSTOMER, symptom="wear", paid_repair=True, now=NOW
    )
    cid = to_global_id("WarrantyClaim", late.pk)
    assert gql(query, {"id": cid}, token=staff)["data"]["warrantyClaim"]["suggestedDecision"] == "PAID_REPAIR"


def test_claim_queue_and_customer_repairs_in_constant_sql(
    travel, installation, gql, staff, customer_token, django_assert_max_num_queries
):
    order = shoe_order(installation, lines=tuple((Decimal("10.00"), 1) for _ in range(30)))
    actions.register_order_warranties(order=order)
    for index, warranty in enumerate(Warranty.objects.filter(order=order)):
        claim = actions.create_claim(warranty=warranty, actor=CUSTOMER, symptom="stitching", now=NOW)
        if index % 2:
            actions.decide_claim(claim=claim, actor=STAFF, decision="repair", now=NOW)
    queue = """{ warrantyClaims(first: 50) { number status slaState suggestedDecision symptom { label }
      warranty { productName daysLeft } repairOrders { number promisedAt totals { customerPays { amount } } }
      timeline { type } photos { id } settlements { kind } } }"""
    with django_assert_max_num_queries(12):
        rows = gql(queue, token=staff)["data"]["warrantyClaims"]
    assert len(rows) == 30 and sum(len(r["repairOrders"]) for r in rows) == 15
    mine = """{ myRepairOrders { number status promisedAt quote { amount } lines { total { amount } }
      claim { number } warranty { productName } center { name } timeline { message } } }"""
    with django_assert_max_num_queries(9):
        repairs = gql(mine, token=customer_token)["data"]["myRepairOrders"]
    assert len(repairs) == 15 and all(r["status"] == "AWAITING_ITEM" for r in repairs)
