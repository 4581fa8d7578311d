"""Registration, claims, decisions, repair orders, quotes and settlement planning (actions over the real DB)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from saleor_aftersales.core.errors import DomainError
from saleor_aftersales.outbox.models import OutboxMessage
from saleor_aftersales.sla.models import SlaClock
from saleor_aftersales.warranty import actions
from saleor_aftersales.warranty.models import (
    ClaimEvent,
    RepairEvent,
    RepairOrder,
    ServiceCenter,
    Warranty,
    WarrantyClaim,
    WarrantyEvent,
    WarrantySettlement,
)

from .factories import CUSTOMER, FULFILLED_AT, NOW, OTHER, SHOES_CATEGORY, STAFF, png, registered, shoe_order


def test_registration_creates_one_warranty_per_fulfilled_unit_with_terms_snapshot(installation):
    actions.save_terms(
        installation=installation,
        actor=STAFF,
        scope="category",
        target_id=SHOES_CATEGORY,
        name="Shoes 24m",
        duration_months=24,
        covered_issues=["sole-detachment", "stitching"],
        excluded_issues=["wear"],
        text_en="Soles and stitching for two years.",
        text_zh_hans="鞋底和缝线保修两年。",
    )
    order = shoe_order(installation, lines=((Decimal("120.00"), 2), (Decimal("80.00"), 1)))
    assert actions.register_order_warranties(order=order) == 3
    assert actions.register_order_warranties(order=order) == 0  # re-delivery: nothing new
    rows = list(Warranty.objects.filter(order=order).order_by("id"))
    assert len(rows) == 3
    assert [w.unit_index for w in rows] == [0, 1, 0]
    first = rows[0]
    assert first.starts_at == FULFILLED_AT
    assert first.expires_at == FULFILLED_AT.replace(year=FULFILLED_AT.year + 2)
    assert first.terms_snapshot["covered_issues"] == ["sole-detachment", "stitching"]
    assert first.terms_snapshot["duration_months"] == 24
    assert first.unit_price == Decimal("120.000")
    assert WarrantyEvent.objects.filter(type="registered").count() == 3
    # The leather-shoe care guide matches the product type: the first reminder is six months after delivery.
    assert first.next_reminder_at == FULFILLED_AT.replace(month=5, year=2027)


def test_duration_read_from_product_metadata_key(installation):
    actions.save_settings(installation=installation, actor=STAFF, duration_metadata_key="warranty_months")
    order = shoe_order(installation)
    order.lines.update(product_metadata={"warranty_months": "36"})
    actions.register_order_warranties(order=order)
    warranty = Warranty.objects.get(order=order)
    assert warranty.expires_at == FULFILLED_AT.replace(year=FULFILLED_AT.year + 3)


def test_claim_repair_flow_through_states_with_events(installation):
    [warranty] = registered(installation)
    claim = actions.create_claim(
        warranty=warranty,
        actor=CUSTOMER,
        symptom="sole-detachment",
        description="Sole loose",
        photos=[png()],
        now=NOW,
    )
    assert claim.number == "WC-000001"
    assert claim.coverage == "covered"
    assert claim.photos.count() == 1
    center = actions.save_service_center(
        installation=installation,
        actor=STAFF,
        name="Shanghai cobbler",
        category_ids=[SHOES_CATEGORY],
        capacity=2,
        latitude=31.23,
        longitude=121.47,
    )
    claim = actions.decide_claim(
        claim=claim, actor=STAFF, decision="repair", note="We fix it", center=center, now=NOW
    )
    assert claim.status == "in_repair"
    repair = RepairOrder.objects.get(claim=claim)
    assert repair.center == center
    assert repair.promised_at == NOW + timedelta(days=10)
    clock = SlaClock.objects.get(subject_type="repair_order", subject_id=str(repair.pk))
    assert clock.metric == "repair_turnaround"
    actions.set_repair_tracking(
        repair=repair, actor=CUSTOMER, direction="inbound", carrier="SF", tracking_number="SF1"
    )
    for name in ("receive", "diagnose", "start_repair", "quality_check"):
        repair = actions.transition_repair(repair=repair, actor=STAFF, transition=name, now=NOW)
    actions.add_repair_line(
        repair=repair, actor=STAFF, kind="part", description="Sole", quantity=1, unit_cost="25.50"
    )
    with pytest.raises(DomainError) as err:
        actions.transition_repair(repair=repair, actor=STAFF, transition="ship_back")
    assert err.value.code == "REQUIRED"
    actions.set_repair_tracking(
        repair=repair, actor=STAFF, direction="outbound", carrier="SF", tracking_number="SF2"
    )
    repair = actions.transition_repair(repair=repair, actor=STAFF, transition="ship_back")
    repair = actions.transition_repair(repair=repair, actor=STAFF, transition="complete", now=NOW)
    assert repair.status == "completed"
    claim.refresh_from_db()
    assert claim.status == "resolved"
    steps = list(
        RepairEvent.objects.filter(repair_order=repair)
        .exclude(to_status="")
        .values_list("to_status", flat=True)
    )
    assert steps == [
        "awaiting_item",
        "received",
        "diagnosing",
        "repairing",
        "quality_check",
        "shipped_back",
        "completed",
    ]
    assert list(ClaimEvent.objects.filter(claim=claim).values_list("type", flat=True)) == [
        "created",
        "decide_repair",
        "complete_repair",
    ]
    # One order note per decision / milestone, through the outbox.
    notes = OutboxMessage.objects.filter(operation="OrderNoteAdd")
    assert notes.count() == 4  # decision, received, shipped back, completed
    clock.refresh_from_db()
    assert clock.status == "met"


def test_illegal_repair_transition_is_a_typed_error_and_changes_nothing(installation):
    [warranty] = registered(installation)
    claim = actions.create_claim(warranty=warranty, actor=CUSTOMER, symptom="stitching", now=NOW)
    actions.decide_claim(claim=claim, actor=STAFF, decision="repair", now=NOW)
    repair = RepairOrder.objects.get()
    with pytest.raises(DomainError) as err:
        actions.transition_repair(repair=repair, actor=STAFF, transition="complete")
    assert err.value.code == "INVALID_TRANSITION"
    repair.refresh_from_db()
    assert repair.status == "awaiting_item"
    assert RepairEvent.objects.filter(repair_order=repair).count() == 1


def test_replacement_decision_enqueues_one_zero_price_draft_and_a_note(installation):
    [warranty] = registered(installation)
    claim = actions.create_claim(warranty=warranty, actor=CUSTOMER, symptom="upper-crack", now=NOW)
    actions.decide_claim(claim=claim, actor=STAFF, decision="replace", note="New pair", now=NOW)
    claim.refresh_from_db()
    assert claim.status == "settling"
    [draft] = OutboxMessage.objects.filter(operation="WarrantyDraftOrderCreate")
    line = draft.variables["input"]["lines"][0]
    assert line == {"variantId": warranty.variant_id, "quantity": 1, "price": "0", "forceNewLine": True}
    assert draft.idempotency_key == f"wc:{claim.pk}:replacement"
    assert OutboxMessage.objects.filter(operation="OrderNoteAdd").count() == 1
    [row] = WarrantySettlement.objects.all()
    assert (row.kind, row.amount) == ("replacement", Decimal("0"))


def test_refund_decision_grants_the_unit_price(installation):
    [warranty] = registered(installation)
    claim = actions.create_claim(warranty=warranty, actor=CUSTOMER, symptom="zipper", now=NOW)
    actions.decide_claim(claim=claim, actor=STAFF, decision="refund", now=NOW)
    [grant] = OutboxMessage.objects.filter(operation="WarrantyGrantRefundCreate")
    assert grant.variables["input"]["amount"] == "120.00"
    assert f"[aftersales:wc:{claim.pk}:refund]" in grant.variables["input"]["reason"]
    assert grant.variables["input"]["lines"] == [
        {"id": warranty.order_line.saleor_id, "quantity": 1, "reason": f"Warranty {claim.number}"}
    ]


def test_paid_repair_quote_accept_enqueues_a_draft_the_customer_pays(installation):
    actions.save_settings(installation=installation, actor=STAFF, repair_service_variant_id="UmVwYWlyOjE=")
    [warranty] = registered(installation)
    late = warranty.expires_at + timedelta(days=1)
    with pytest.raises(DomainError) as err:
        actions.create_claim(warranty=warranty, actor=CUSTOMER, symptom="sole-detachment", now=late)
    assert err.value.code == "WARRANTY_EXPIRED"
    claim = actions.create_claim(
        warranty=warranty, actor=CUSTOMER, symptom="sole-detachment", paid_repair=True, now=late
    )
    assert claim.coverage == "out_of_term"
    with pytest.raises(DomainError) as err:
        actions.decide_claim(claim=claim, actor=STAFF, decision="repair", now=late)
    assert err.value.code == "NOT_COVERED"
    actions.decide_claim(claim=claim, actor=STAFF, decision="paid_repair", now=late)
    repair = RepairOrder.objects.get(claim=claim)
    assert repair.is_paid
    for name in ("receive", "diagnose"):
        repair = actions.transition_repair(repair=repair, actor=STAFF, transition=name)
    actions.add_repair_line(
        repair=repair, actor=STAFF, kind="part", description="Leather sole", quantity=1, unit_cost="35.50"
    )
    actions.add_repair_line(
        repair=repair, actor=STAFF, kind="labour", description="Resole", quantity="1.5", unit_cost="20"
    )
    with pytest.raises(DomainError) as err:
        actions.add_repair_line(
            repair=repair, actor=STAFF, kind="part", description="x", quantity=1, unit_cost="-1"
        )
    assert err.value.code == "NEGATIVE_AMOUNT"
    with pytest.raises(DomainError) as err:
        actions.send_quote(repair=repair, actor=STAFF, amount="-5")
    assert err.value.code == "NEGATIVE_AMOUNT"
    repair = actions.send_quote(repair=repair, actor=STAFF)
    assert repair.quote_amount == Decimal("65.50")
    assert repair.status == "awaiting_approval"
    with pytest.raises(DomainError):
        actions.accept_quote(repair=repair, actor=OTHER)
    repair = actions.accept_quote(repair=repair, actor=CUSTOMER)
    assert repair.status == "repairing"
    [draft] = OutboxMessage.objects.filter(operation="WarrantyDraftOrderCreate")
    assert draft.variables["input"]["lines"][0]["price"] == "65.50"
    assert draft.variables["input"]["lines"][0]["variantId"] == "UmVwYWlyOjE="


def test_quote_declined_closes_claim_and_repair(installation):
    actions.save_settings(installation=installation, actor=STAFF, repair_service_variant_id="UmVwYWlyOjE=")
    [warranty] = registered(installation)
    claim = actions.create_claim(warranty=warranty, actor=CUSTOMER, symptom="wear", paid_repair=True, now=NOW)
    assert claim.coverage == "not_covered"
    actions.decide_claim(claim=claim, actor=STAFF, decision="paid_repair", now=NOW)
    repair = RepairOrder.objects.get()
    for name in ("receive", "diagnose"):
        repair = actions.transition_repair(repair=repair, actor=STAFF, transition=name)
    actions.send_quote(repair=repair, actor=STAFF, amount="40")
    repair = actions.decline_quote(repair=repair, actor=CUSTOMER)
    assert repair.status == "cancelled"
    claim.refresh_from_db()
    assert claim.status == "closed"
    assert not OutboxMessage.objects.filter(operation="WarrantyDraftOrderCreate").exists()


def test_unrepairable_then_replacement(installation):
    [warranty] = registered(installation)
    claim = actions.create_claim(warranty=warranty, actor=CUSTOMER, symptom="upper-crack", now=NOW)
    actions.decide_claim(claim=claim, actor=STAFF, decision="repair", now=NOW)
    repair = RepairOrder.objects.get()
    with pytest.raises(DomainError) as err:
        actions.decide_claim(claim=claim, actor=STAFF, decision="replace", now=NOW)
    assert err.value.code == "INVALID_TRANSITION"
    for name in ("receive", "diagnose", "mark_unrepairable"):
        repair = actions.transition_repair(repair=repair, actor=STAFF, transition=name)
    claim = actions.decide_claim(claim=claim, actor=STAFF, decision="replace", now=NOW)
    assert claim.status == "settling"


def test_assignment_checks_category_and_capacity(installation):
    w1, w2 = registered(installation, lines=((Decimal("120.00"), 2),))
    small = actions.save_service_center(
        installation=installation, actor=STAFF, name="Small", capacity=1, category_ids=[SHOES_CATEGORY]
    )
    bags = actions.save_service_center(
        installation=installation, actor=STAFF, name="Bags", capacity=5, category_ids=["Q2F0ZWdvcnk6YmFncw=="]
    )
    for warranty in (w1, w2):
        claim = actions.create_claim(warranty=warranty, actor=CUSTOMER, symptom="stitching", now=NOW)
        actions.decide_claim(claim=claim, actor=STAFF, decision="repair", now=NOW)
    r1, r2 = RepairOrder.objects.order_by("id")
    actions.assign_repair(repair=r1, actor=STAFF, center=small)
    with pytest.raises(DomainError) as err:
        actions.assign_repair(repair=r2, actor=STAFF, center=small)
    assert err.value.code == "NO_CAPACITY"
    with pytest.raises(DomainError) as err:
        actions.assign_repair(repair=r2, actor=STAFF, center=bags)
    assert err.value.code == "CATEGORY_NOT_HANDLED"
    big = actions.save_service_center(installation=installation, actor=STAFF, name="Big", capacity=5)
    from saleor_aftersales.warranty import selectors

    suggested = [c.name for c, _ in selectors.suggested_centers(installation, category_id=SHOES_CATEGORY)]
    assert suggested == ["Big"]  # Small is full, Bags handles another category
    assert ServiceCenter.objects.count() == 3
    assert big.pk


def test_transfer_offered_and_accepted_by_the_receiver(installation):
    [warranty] = registered(installation)
    with pytest.raises(DomainError) as err:
        actions.offer_transfer(warranty=warranty, actor=CUSTOMER, to_email=CUSTOMER.email.upper())
    assert err.value.code == "TRANSFER_TO_SELF"
    transfer = actions.offer_transfer(warranty=warranty, actor=CUSTOMER, to_email="friend@example.com")
    friend_wrong = OTHER
    with pytest.raises(DomainError) as err:
        actions.accept_transfer(token=transfer.token, actor=friend_wrong, installation=installation)
    assert err.value.code == "NOT_FOUND"
    from saleor_aftersales.core.actors import Actor, ActorType

    friend = Actor(type=ActorType.CUSTOMER, user_id="VXNlcjo4ODg=", email="friend@example.com")
    warranty = actions.accept_transfer(token=transfer.token, actor=friend, installation=installation)
    assert (warranty.customer_email, warranty.customer_user_id) == ("friend@example.com", "VXNlcjo4ODg=")
    with pytest.raises(DomainError):
        actions.create_claim(warranty=warranty, actor=CUSTOMER, symptom="stitching", now=NOW)
    assert actions.create_claim(warranty=warranty, actor=friend, symptom="stitching", now=NOW).pk


def test_reminders_sent_once_per_round(installation, django_capture_on_commit_callbacks):
    from saleor_aftersales.notifications.models import Notification

    [warranty] = registered(installation)
    due = warranty.next_reminder_at
    assert actions.send_due_reminders(now=due - timedelta(minutes=1)) == 0
    assert actions.send_due_reminders(now=due) == 1
    assert actions.send_due_reminders(now=due) == 0
    warranty.refresh_from_db()
    assert warranty.reminders_sent == 1
    assert warranty.next_reminder_at == due.replace(month=11)
    [note] = Notification.objects.filter(event="warranty_care_reminder")
    assert note.dedupe_key == f"warranty:{warranty.pk}:reminder:1"
    assert note.context["guide"] == "Caring for your leather shoes"


def test_return_converted_into_repair(installation):
    from saleor_aftersales.returns import actions as return_actions
    from saleor_aftersales.returns.models import ReturnRequest

    order = shoe_order(installation)
    actions.register_order_warranties(order=order)
    request = return_actions.create_return_request(
        order=order,
        actor=CUSTOMER,
        resolution="refund",
        lines=[
            return_actions.LineInput(
                order_line_id=order.lines.get().pk, quantity=1, reason_code="quality-defect"
            )
        ],
        photos=[png()],
        now=FULFILLED_AT + timedelta(days=3),
    )
    repair = actions.convert_return_to_repair(return_request=request, actor=STAFF, now=NOW)
    assert repair.return_request_id == request.pk
    assert ReturnRequest.objects.get(pk=request.pk).status == "cancelled"
    claim = WarrantyClaim.objects.get()
    assert (claim.status, claim.decision, repair.is_paid) == ("in_repair", "repair", False)
    assert actions.convert_return_to_repair(return_request=request, actor=STAFF, now=NOW).pk == repair.pk


def test_reminders_count_from_delivery_when_it_is_known(installation):
    from saleor_aftersales.returns import actions as return_actions

    [warranty] = registered(installation)
    first_due = warranty.next_reminder_at
    return_actions.record_delivery(
        order=warranty.order, delivered_at=FULFILLED_AT + timedelta(days=5), actor=STAFF, now=NOW
    )
    assert actions.send_due_reminders(now=first_due) == 0  # not yet: six months after delivery
    warranty.refresh_from_db()
    assert warranty.next_reminder_at == first_due + timedelta(days=5)
    assert actions.send_due_reminders(now=warranty.next_reminder_at) == 1


def test_notification_texts_cover_every_event_in_both_languages():
    import re
    from pathlib import Path

    from saleor_aftersales.warranty import actions as module
    from saleor_aftersales.warranty.notification_texts import TEXTS

    used = set(re.findall(r'event="(warranty_[a-z_]+)"', Path(module.__file__).read_text()))
    used |= {"warranty_registration_verified", "warranty_registration_rejected"}
    assert used == set(TEXTS)
    context = {
        "reference": "WC-000001",
        "product": "Oxford",
        "decision": "repair",
        "note": "ok",
        "amount": "10.00",
        "currency": "USD",
        "carrier": "SF",
        "tracking": "SF1",
        "sender": "a@example.com",
        "token": "T",
        "guide": "Care",
        "tips": "Cleaning",
    }
    for event, languages in TEXTS.items():
        assert set(languages) == {"en", "zh-hans"}, event
        for subject, body in languages.values():
            assert subject.format(**context) and body.format(**context)
