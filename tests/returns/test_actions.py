from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from saleor_aftersales.core.actors import Actor, ActorType
from saleor_aftersales.core.errors import DomainError
from saleor_aftersales.outbox import actions as outbox_actions
from saleor_aftersales.outbox.models import OutboxMessage, OutboxStatus
from saleor_aftersales.returns import actions, selectors
from saleor_aftersales.returns.actions import Inspection, LineInput
from saleor_aftersales.returns.models import (
    ReturnEvent,
    ReturnLine,
    ReturnPhoto,
    ReturnPolicy,
    ReturnRequest,
    ReturnStatus,
    Settlement,
    SettlementStatus,
)
from saleor_aftersales.saleor_client.errors import SaleorMutationError
from saleor_aftersales.sla.models import SlaClock

from .factories import CUSTOMER_EMAIL, CUSTOMER_ID, FULFILLED_AT, in_window, make_order

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
CUSTOMER = Actor(type=ActorType.CUSTOMER, user_id=CUSTOMER_ID, email=CUSTOMER_EMAIL)
STAFF = Actor(
    type=ActorType.STAFF,
    user_id="staff-1",
    email="staff@example.com",
    permissions=frozenset({"MANAGE_ORDERS"}),
)


def photo(content=PNG, name="defect.png"):
    return SimpleUploadedFile(name, content, content_type="image/png")


def create(
    order,
    *,
    quantity=1,
    reason="wrong-size",
    resolution="refund",
    now=None,
    photos=(),
    kind="return",
    actor=CUSTOMER,
    comment="",
):
    line = order.lines.first()
    return actions.create_return_request(
        order=order,
        actor=actor,
        lines=[LineInput(order_line_id=line.pk, quantity=quantity, reason_code=reason)],
        resolution=resolution,
        kind=kind,
        photos=photos,
        comment=comment,
        now=now or in_window(),
    )


def test_create_request_numbers_it_records_the_event_and_starts_the_decision_clock(installation):
    order = make_order(installation)
    first = create(order)
    second = create(order)
    assert (first.number, second.number) == ("RMA-000001", "RMA-000002")
    assert first.status == ReturnStatus.REQUESTED
    assert list(first.events.values_list("type", "actor_type", "to_status")) == [
        ("created", "customer", "requested")
    ]
    clock = SlaClock.objects.get(subject_type="return_request", subject_id=str(first.pk), metric="decision")
    assert clock.due_at == in_window() + timedelta(hours=48)
    assert first.next_step_due_at == in_window() + timedelta(hours=48)


def test_eligibility_subtracts_open_requests_and_reports_deadline(installation):
    order = make_order(installation, lines=((Decimal("50"), 3),))
    create(order, quantity=2)
    [(line, result)] = selectors.order_eligibility(order, now=in_window())
    assert result.returnable_quantity == 1
    assert result.deadline == FULFILLED_AT + timedelta(days=90)
    assert "wrong-size" in result.allowed_reason_codes and "quality-defect" in result.allowed_reason_codes
    assert result.allowed_resolutions == ("refund", "store_credit", "exchange", "replacement")


def _assert_nothing_stored():
    assert ReturnRequest.objects.count() == 0
    assert ReturnLine.objects.count() == 0
    assert ReturnPhoto.objects.count() == 0
    assert ReturnEvent.objects.count() == 0


def _error(excinfo):
    return [(d.code, d.field) for d in excinfo.value.details]


def test_quantity_over_returnable(installation):
    order = make_order(installation, lines=((Decimal("50"), 2),))
    with pytest.raises(DomainError) as excinfo:
        create(order, quantity=3)
    assert _error(excinfo) == [("QUANTITY_EXCEEDS_RETURNABLE", "lines.0.quantity")]
    _assert_nothing_stored()


def test_window_closed(installation):
    order = make_order(installation)
    with pytest.raises(DomainError) as excinfo:
        create(order, reason="wrong-size", now=FULFILLED_AT + timedelta(days=8))
    assert _error(excinfo) == [("WINDOW_CLOSED", "lines.0.reason")]
    with pytest.raises(DomainError) as excinfo:
        create(order, reason="quality-defect", photos=[photo()], now=FULFILLED_AT + timedelta(days=91))
    assert _error(excinfo) == [("WINDOW_CLOSED", "lines.0.orderLineId")]
    _assert_nothing_stored()


def test_non_returnable_item(installation):
    order = make_order(installation, product_id="UHJvZHVjdDo5")
    policy = ReturnPolicy.objects.create(installation=installation)
    policy.rules.create(scope="product", target_id="UHJvZHVjdDo5", non_returnable=True)
    with pytest.raises(DomainError) as excinfo:
        create(order)
    assert _error(excinfo) == [("NOT_RETURNABLE", "lines.0.orderLineId")]
    _assert_nothing_stored()


def test_another_customers_order(installation):
    order = make_order(installation)
    stranger = Actor(type=ActorType.CUSTOMER, user_id="VXNlcjo5OTk=", email="other@example.com")
    with pytest.raises(DomainError) as excinfo:
        create(order, actor=stranger)
    assert _error(excinfo) == [("PERMISSION_DENIED", "order")]
    _assert_nothing_stored()


def test_unknown_reason(installation):
    order = make_order(installation)
    with pytest.raises(DomainError) as excinfo:
        create(order, reason="because")
    assert _error(excinfo) == [("UNKNOWN_REASON", "lines.0.reason")]
    _assert_nothing_stored()


def test_wrong_photo_type_and_size(installation, settings):
    order = make_order(installation)
    with pytest.raises(DomainError) as excinfo:
        create(order, photos=[photo(b"GIF89a" + b"\x00" * 40, "x.gif")])
    assert _error(excinfo) == [("INVALID_FILE_TYPE", "photos")]
    settings.UPLOAD_MAX_BYTES = 50
    with pytest.raises(DomainError) as excinfo:
        create(order, photos=[photo()])
    assert _error(excinfo) == [("FILE_TOO_LARGE", "photos")]
    _assert_nothing_stored()


def test_oversized_text(installation):
    order = make_order(installation)
    with pytest.raises(DomainError) as excinfo:
        create(order, comment="x" * 2001)
    assert _error(excinfo) == [("TOO_LONG", "comment")]
    _assert_nothing_stored()


def test_resolution_not_offered(installation):
    order = make_order(installation)
    ReturnPolicy.objects.create(installation=installation, offered_resolutions=["refund"])
    with pytest.raises(DomainError) as excinfo:
        create(order, resolution="store_credit")
    assert _error(excinfo) == [("RESOLUTION_NOT_OFFERED", "resolution")]
    _assert_nothing_stored()


def test_evidence_required_and_abuse_limit(installation):
    order = make_order(installation, lines=((Decimal("50"), 5),))
    with pytest.raises(DomainError) as excinfo:
        create(order, reason="quality-defect")
    assert _error(excinfo) == [("EVIDENCE_REQUIRED", "photos")]
    ReturnPolicy.objects.create(installation=installation, max_requests_per_customer=1)
    create(order)
    with pytest.raises(DomainError) as excinfo:
        create(order)
    assert _error(excinfo) == [("LIMIT_EXCEEDED", "order")]
    assert ReturnRequest.objects.count() == 1


def test_photos_are_stored_with_type_and_size(installation):
    order = make_order(installation)
    request = create(order, reason="quality-defect", photos=[photo()])
    [stored] = request.photos.all()
    assert (stored.content_type, stored.size) == ("image/png", len(PNG))


def test_auto_approval_value_under_limit(installation):
    ReturnPolicy.objects.create(installation=installation, auto_approve_max_value=Decimal("60"))
    order = make_order(installation)
    small = create(order, quantity=1)
    assert small.status == ReturnStatus.APPROVED and small.auto_approved
    assert small.events.last().actor_type == "system"
    big = create(order, quantity=1, now=in_window(4))
    assert big.status == ReturnStatus.APPROVED  # 50 <= 60
    order2 = make_order(installation, lines=((Decimal("100"), 1),))
    assert create(order2).status == ReturnStatus.REQUESTED


def test_illegal_transition_is_typed(installation):
    order = make_order(installation)
    request = create(order)
    with pytest.raises(DomainError) as excinfo:
        actions.receive_return_request(request=request, actor=STAFF)
    assert excinfo.value.code == "INVALID_TRANSITION"
    actions.reject_return_request(request=request, actor=STAFF, reason="Worn")
    with pytest.raises(DomainError) as excinfo:
        actions.approve_return_request(request=request, actor=STAFF)
    assert excinfo.value.code == "INVALID_TRANSITION"
    request.refresh_from_db()
    assert request.status == ReturnStatus.REJECTED
    # The rejected units are returnable again.
    [(_, result)] = selectors.order_eligibility(order, now=in_window())
    assert result.returnable_quantity == 2


def test_cancel_only_before_shipment(installation):
    order = make_order(installation)
    request = create(order)
    actions.approve_return_request(request=request, actor=STAFF)
    actions.add_tracking(request=request, actor=CUSTOMER, carrier="SF", tracking_number="SF123")
    with pytest.raises(DomainError) as excinfo:
        actions.cancel_return_request(request=request, actor=CUSTOMER)
    assert excinfo.value.code == "INVALID_TRANSITION"
    other = create(order)
    actions.cancel_return_request(request=other, actor=CUSTOMER)
    other.refresh_from_db()
    assert other.status == ReturnStatus.CANCELLED


def _succeed(message, result):
    outbox_actions._record_success(message, result)


def _full_flow_to_inspected(installation, **create_kw):
    order = make_order(installation, lines=((Decimal("50.00"), 2),))
    request = create(order, quantity=2, **create_kw)
    [line] = request.lines.all()
    actions.approve_return_request(request=request, actor=STAFF, note="OK")
    actions.add_tracking(request=request, actor=CUSTOMER, carrier="SF", tracking_number="SF1")
    actions.receive_return_request(request=request, actor=STAFF, quantities={line.pk: 1})
    request.refresh_from_db()
    assert request.status == ReturnStatus.PARTIALLY_RECEIVED
    actions.receive_return_request(request=request, actor=STAFF, quantities={line.pk: 1})
    actions.inspect_return_request(
        request=request, actor=STAFF, inspections=[Inspection(line.pk, "opened", True, "tags removed")]
    )
    request.refresh_from_db()
    assert request.status == ReturnStatus.INSPECTED
    return order, request


def test_refund_settles_exactly_once_through_the_outbox(installation, django_capture_on_commit_callbacks):
    ReturnPolicy.objects.create(installation=installation, restocking_fee_percent=Decimal("10"))
    order, request = _full_flow_to_inspected(installation)
    actions.resolve_return_request(request=request, actor=STAFF)
    actions.resolve_return_request(request=request, actor=STAFF)  # run twice: nothing new
    request.refresh_from_db()
    assert request.status == ReturnStatus.RESOLVING
    assert request.refund_amount == Decimal("90.00")  # 2 x 50 - 10 % restocking (no-reason return)
    grant = OutboxMessage.objects.get(operation="ReturnGrantRefundCreate")
    assert grant.variables["input"]["amount"] == "90.00"
    assert grant.variables["input"]["grantRefundForShipping"] is False
    assert grant.variables["input"]["transactionId"] == order.transactions[0]["id"]
    assert grant.variables["input"]["lines"] == [
        {"id": order.lines.first().saleor_id, "quantity": 2, "reason": "Wrong size"}
    ]
    assert f"{request.number} [aftersales:rma:{request.pk}:refund]" == grant.variables["input"]["reason"]
    record = OutboxMessage.objects.get(operation="ReturnFulfillmentReturnProducts")
    assert record.variables["input"]["refund"] is False
    assert OutboxMessage.objects.filter(operation="OrderNoteAdd").count() == 2  # approval + resolution
    _succeed(record, {"orderFulfillmentReturnProducts": {"returnFulfillment": {"id": "F"}, "errors": []}})
    _succeed(grant, {"orderGrantRefundCreate": {"grantedRefund": {"id": "R3JhbnQ6MQ=="}, "errors": []}})
    _succeed(grant, {"orderGrantRefundCreate": {"grantedRefund": {"id": "R3JhbnQ6MQ=="}, "errors": []}})
    refund = OutboxMessage.objects.get(operation="ReturnRequestRefundForGrant")
    assert refund.variables == {
        "grantedRefundId": "R3JhbnQ6MQ==",
        "transactionId": order.transactions[0]["id"],
    }
    _succeed(refund, {"transactionRequestRefundForGrantedRefund": {"transaction": {"id": "T"}, "errors": []}})
    request.refresh_from_db()
    assert request.status == ReturnStatus.RESOLVED
    assert OutboxMessage.objects.filter(operation="ReturnRequestRefundForGrant").count() == 1
    assert list(request.events.exclude(to_status="").values_list("to_status", flat=True)) == [
        "requested",
        "approved",
        "in_transit",
        "partially_received",
        "received",
        "inspected",
        "resolving",
        "resolved",
    ]
    assert SlaClock.objects.get(subject_id=str(request.pk), metric="refund").status == "met"
    from saleor_aftersales.notifications.models import Notification

    assert set(Notification.objects.values_list("event", flat=True)) == {
        "return_approved",
        "return_received",
        "return_refunded",
        "survey_requested",  # the resolution asks for feedback (surveys capability)
    }


def test_failed_settlement_is_visible_and_retried(installation):
    order, request = _full_flow_to_inspected(installation, reason="quality-defect", photos=[photo()])
    actions.resolve_return_request(request=request, actor=STAFF)
    grant = OutboxMessage.objects.get(operation="ReturnGrantRefundCreate")
    # quality problem: shipping refunded too
    assert grant.variables["input"]["amount"] == "110.00"
    assert grant.variables["input"]["grantRefundForShipping"] is True
    grant.status = OutboxStatus.IN_FLIGHT
    grant.attempts = 1
    grant.save()
    outbox_actions._record_failure(
        grant, SaleorMutationError(mutation="orderGrantRefundCreate", errors=[{"code": "INVALID"}])
    )
    request.refresh_from_db()
    assert request.status == ReturnStatus.SETTLEMENT_FAILED
    assert Settlement.objects.get(request=request, kind="refund").status == SettlementStatus.FAILED
    actions.retry_settlement(request=request, actor=STAFF)
    request.refresh_from_db()
    grant.refresh_from_db()
    assert (request.status, grant.status) == (ReturnStatus.RESOLVING, OutboxStatus.PENDING)


def test_store_credit_with_bonus(installation):
    ReturnPolicy.objects.create(installation=installation, store_credit_bonus_percent=Decimal("10"))
    _, request = _full_flow_to_inspected(installation, resolution="store_credit")
    actions.resolve_return_request(request=request, actor=STAFF)
    card = OutboxMessage.objects.get(operation="GiftCardCreateStoreCredit")
    assert card.variables["input"]["balance"] == {"amount": "110.00", "currency": "USD"}
    assert card.variables["input"]["userEmail"] == CUSTOMER_EMAIL
    assert f"rma:{request.pk}:store-credit" in card.variables["input"]["addTags"]


def test_exchange_for_cheaper_variant_refunds_the_difference(installation):
    _, request = _full_flow_to_inspected(installation, resolution="exchange")
    [line] = request.lines.all()
    actions.resolve_return_request(
        request=request, actor=STAFF, exchange_unit_prices={line.pk: Decimal("45.50")}
    )
    request.refresh_from_db()
    assert request.exchange_difference == Decimal("-9.00")
    draft = OutboxMessage.objects.get(operation="ReturnDraftOrderCreate")
    assert draft.variables["input"]["lines"][0]["price"] == "0.00"
    grant = OutboxMessage.objects.get(operation="ReturnGrantRefundCreate")
    assert grant.variables["input"]["amount"] == "9.00"


def test_claim_replacement_without_return(installation):
    order = make_order(installation)
    request = create(
        order, reason="damaged-in-transit", resolution="replacement", kind="claim", photos=[photo()]
    )
    actions.approve_return_request(request=request, actor=STAFF)
    with pytest.raises(DomainError) as excinfo:
        actions.add_tracking(request=request, actor=CUSTOMER, carrier="SF", tracking_number="1")
    assert excinfo.value.code == "INVALID_TRANSITION"
    actions.resolve_return_request(request=request, actor=STAFF)
    draft = OutboxMessage.objects.get(operation="ReturnDraftOrderCreate")
    assert draft.variables["input"]["lines"] == [
        {"variantId": order.lines.first().variant_id, "quantity": 1, "price": "0", "forceNewLine": True}
    ]
    assert not OutboxMessage.objects.filter(operation="ReturnFulfillmentReturnProducts").exists()
    _succeed(draft, {"draftOrderCreate": {"order": {"id": "RHJhZnQ6MQ==", "number": "9"}, "errors": []}})
    request.refresh_from_db()
    assert request.status == ReturnStatus.RESOLVED
    assert request.settlements.get().saleor_draft_order_id == "RHJhZnQ6MQ=="


def test_partial_approval(installation):
    order = make_order(installation, lines=((Decimal("50"), 2),))
    request = create(order, quantity=2)
    [line] = request.lines.all()
    actions.approve_return_request(request=request, actor=STAFF, line_quantities={line.pk: 1})
    request.refresh_from_db()
    line.refresh_from_db()
    assert (request.status, line.approved_quantity) == (ReturnStatus.PARTIALLY_APPROVED, 1)
    [(_, result)] = selectors.order_eligibility(order, now=in_window())
    assert result.returnable_quantity == 1


def test_return_window_closes_at(installation):
    order = make_order(installation)
    assert selectors.return_window_closes_at(order) == FULFILLED_AT + timedelta(days=90)
    ReturnPolicy.objects.create(
        installation=installation, quality_window_days=10, window_days=30, no_reason_days=7
    )
    assert selectors.return_window_closes_at(order) == FULFILLED_AT + timedelta(days=30)
    unfulfilled = make_order(installation, fulfilled_at=None)
    assert selectors.return_window_closes_at(unfulfilled) is None


def test_delivery_starts_the_window_when_the_policy_says_so(installation):
    ReturnPolicy.objects.create(installation=installation, window_starts="delivery", quality_window_days=30)
    order = make_order(installation)
    delivered = FULFILLED_AT + timedelta(days=5)
    assert actions.record_delivery(order=order, delivered_at=delivered, actor=STAFF, now=in_window(6)) == 1
    assert selectors.return_window_closes_at(order) == delivered + timedelta(days=30)
    # 7 no-reason days count from delivery: day 11 after fulfillment is still inside.
    request = create(order, now=FULFILLED_AT + timedelta(days=11))
    assert request.status == ReturnStatus.REQUESTED


def test_claim_approval_starts_the_settlement_clock(installation):
    order = make_order(installation)
    request = create(order, reason="missing-item", resolution="refund", kind="claim")
    actions.approve_return_request(request=request, actor=STAFF, now=in_window(4))
    request.refresh_from_db()
    assert request.next_step_due_at == in_window(4) + timedelta(hours=72)
    assert SlaClock.objects.get(subject_id=str(request.pk), metric="refund").status == "running"
    actions.resolve_return_request(request=request, actor=STAFF)
    grant = OutboxMessage.objects.get(operation="ReturnGrantRefundCreate")
    assert grant.variables["input"]["amount"] == "60.00"  # 50 + shipping 10 (merchant's fault)


def test_pickup_request_validates_address_and_window(installation):
    order = make_order(installation)
    request = create(order)
    actions.approve_return_request(request=request, actor=STAFF)
    address = {
        "firstName": "Li",
        "lastName": "Lei",
        "streetAddress1": "1 Nanjing Rd",
        "city": "Shanghai",
        "postalCode": "200000",
        "country": "CN",
        "phone": "+8613800000000",
    }
    now = in_window(4)
    with pytest.raises(DomainError) as excinfo:
        actions.request_pickup(
            request=request,
            actor=CUSTOMER,
            address={**address, "phone": ""},
            window_start=now + timedelta(hours=2),
            window_end=now + timedelta(hours=4),
            now=now,
        )
    assert _error(excinfo) == [("REQUIRED", "address")]
    with pytest.raises(DomainError) as excinfo:
        actions.request_pickup(
            request=request,
            actor=CUSTOMER,
            address=address,
            window_start=now + timedelta(hours=4),
            window_end=now + timedelta(hours=2),
            now=now,
        )
    assert _error(excinfo) == [("INVALID", "window")]
    request.refresh_from_db()
    assert (request.status, request.pickup_address) == (ReturnStatus.APPROVED, None)
    actions.request_pickup(
        request=request,
        actor=CUSTOMER,
        address=address,
        window_start=now + timedelta(hours=2),
        window_end=now + timedelta(hours=4),
        now=now,
    )
    request.refresh_from_db()
    assert request.status == ReturnStatus.IN_TRANSIT
    assert request.next_step_due_at == now + timedelta(hours=4)
    assert request.pickup_address["city"] == "Shanghai"


def test_notification_texts_cover_both_languages_and_render():
    from saleor_aftersales.returns.notification_texts import TEXTS

    assert set(TEXTS) == {
        "return_approved",
        "return_rejected",
        "return_received",
        "return_refunded",
        "return_resolved",
    }
    context = {
        "reference": "RMA-000001",
        "order_number": "42",
        "note": "ok",
        "amount": "10.00",
        "currency": "USD",
    }
    for event, languages in TEXTS.items():
        assert set(languages) == {"en", "zh-hans"}, event
        for subject, body in languages.values():
            assert "RMA-000001" in subject.format(**context) + body.format(**context)


def test_courier_pickup_fee_is_deducted_when_the_customer_pays_shipping(installation):
    ReturnPolicy.objects.create(installation=installation, return_shipping_fee=Decimal("8.00"))
    order = make_order(installation, lines=((Decimal("50.00"), 1),))
    request = create(order)
    actions.approve_return_request(request=request, actor=STAFF)
    now = in_window(4)
    address = {
        "firstName": "Li",
        "lastName": "Lei",
        "streetAddress1": "1 Rd",
        "city": "Shanghai",
        "postalCode": "200000",
        "country": "CN",
        "phone": "+8613800000000",
    }
    actions.request_pickup(
        request=request,
        actor=CUSTOMER,
        address=address,
        window_start=now + timedelta(hours=1),
        window_end=now + timedelta(hours=3),
        now=now,
    )
    actions.receive_return_request(request=request, actor=STAFF)
    [line] = request.lines.all()
    actions.inspect_return_request(
        request=request, actor=STAFF, inspections=[Inspection(line.pk, "unopened", True)]
    )
    actions.resolve_return_request(request=request, actor=STAFF)
    request.refresh_from_db()
    assert request.refund_amount == Decimal("42.00")  # 50 - 8 courier fee (changed mind: the customer pays)
