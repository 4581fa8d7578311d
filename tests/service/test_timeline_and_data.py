"""One timeline per case (return events, points), key rotation, and two staff replying at once (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from saleor_aftersales.core import crypto
from saleor_aftersales.core.actors import Actor, ActorType
from saleor_aftersales.core.ids import to_global_id
from saleor_aftersales.loyalty import actions as loyalty
from saleor_aftersales.loyalty.models import Programme
from saleor_aftersales.returns import actions as returns
from saleor_aftersales.returns.actions import LineInput
from saleor_aftersales.service import actions
from saleor_aftersales.service.models import ServiceCase, ServiceMessage
from saleor_aftersales.service.timeline import build_timeline
from saleor_aftersales.sla.models import ClockStatus, SlaClock
from tests.returns.factories import CUSTOMER_ID, in_window, make_order

from .factories import open_case, staff


def test_timeline_merges_return_events_and_points_of_the_customer(installation, gql, staff_token, make_token):
    order = make_order(installation)
    request = returns.create_return_request(
        order=order,
        actor=Actor(type=ActorType.CUSTOMER, user_id=CUSTOMER_ID, email=order.user_email),
        lines=[LineInput(order_line_id=order.lines.first().pk, quantity=1, reason_code="wrong-size")],
        resolution="refund",
        now=in_window(),
    )
    returns.approve_return_request(request=request, actor=staff())
    Programme.objects.create(installation=installation, channel_slug=order.channel_slug)
    account = loyalty.ensure_account(
        installation=installation,
        channel_slug=order.channel_slug,
        email=order.user_email,
        user_id=CUSTOMER_ID,
    )
    case = open_case(installation, linked_type="return_request", linked_id=str(request.pk))
    loyalty.adjust_points(account=account, points=50, reason="Sorry for the trouble", actor=staff())
    actions.add_message(case=case, actor=staff(), body="Goodwill points added", internal=True)
    entries = build_timeline(case, include_internal=True)
    sources = [(e.source, e.type) for e in entries]
    assert ("return_request", "created") in sources and ("return_request", "approve") in sources
    assert any(source == "loyalty" for source, _ in sources)
    assert [e for e in entries if e.source == "loyalty"][0].data["points"] == 50
    assert ("message", "message_note") in sources
    # Customers see the same story without internal notes.
    public = build_timeline(case, include_internal=False)
    assert ("message", "message_note") not in [(e.source, e.type) for e in public]
    body = gql(
        'query($id: ID!) { serviceCase(id: $id) { timeline(language: "zh-hans") { type message } } }',
        {"id": to_global_id("ServiceCase", case.pk)},
        token=make_token(user_id=CUSTOMER_ID, email=order.user_email),
    )
    timeline = body["data"]["serviceCase"]["timeline"]
    assert {"type": "return_request:approve", "message": f"{request.number}: 审核通过"} in timeline
    assert any(t["message"] == "积分变动：+50" for t in timeline)


def test_rotation_re_encrypts_with_the_new_key(installation, settings):
    old_key = crypto.Fernet.generate_key().decode()
    new_key = crypto.Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    case = open_case(installation, customer_phone="+86 2")
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert actions.rotate_encryption_keys() == 2
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key is retired: everything still reads
    reread = ServiceCase.objects.get(pk=case.pk)
    assert reread.customer_phone == "+86 2"
    assert ServiceMessage.objects.get(case=case).body.startswith("The sole")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT body FROM {ServiceMessage._meta.db_table}")
        token = cursor.fetchone()[0]
    assert crypto.Fernet(new_key.encode()).decrypt(token.encode()).decode().startswith("The sole")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_staff_replying_at_once_both_land_and_first_response_stops_once(installation):
    case = open_case(installation)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def reply(n):
        try:
            barrier.wait()
            actions.add_message(case=case, actor=staff(email=f"s{n}@example.com"), body=f"Reply {n}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reply, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    case.refresh_from_db()
    assert ServiceMessage.objects.filter(case=case, kind="reply").count() == 2
    assert case.status == "open"
    assert case.events.filter(type="open").count() == 1
    clock = SlaClock.objects.get(subject_id=str(case.pk), metric="first_response")
    assert clock.status == ClockStatus.MET


def test_timeline_of_a_case_linked_to_a_warranty_claim_shows_the_claim_and_its_repair(installation):
    from saleor_aftersales.service import actions as service_actions
    from saleor_aftersales.service.timeline import build_timeline
    from saleor_aftersales.warranty import actions as warranty_actions
    from saleor_aftersales.warranty.models import RepairOrder
    from tests.warranty.factories import CUSTOMER, NOW, STAFF, registered

    [warranty] = registered(installation)
    claim = warranty_actions.create_claim(
        warranty=warranty, actor=CUSTOMER, symptom="sole-detachment", description="Sole loose", now=NOW
    )
    warranty_actions.decide_claim(claim=claim, actor=STAFF, decision="repair", note="We fix it", now=NOW)
    repair = RepairOrder.objects.get(claim=claim)
    case = service_actions.open_case(
        installation=installation,
        customer_email=CUSTOMER.email,
        customer_user_id=CUSTOMER.user_id,
        subject="Where is my repair?",
        body="It has been a week.",
        linked_type="warranty_claim",
        linked_id=str(claim.pk),
        actor=CUSTOMER,
    )

    entries = build_timeline(case, include_internal=False)

    sources = {(entry.source, entry.data.get("number")) for entry in entries if entry.source != "case"}
    assert ("warranty_claim", claim.number) in sources
    assert ("repair_order", repair.number) in sources
    decided = [
        e
        for e in entries
        if e.source == "warranty_claim" and e.to_status == claim.__class__.objects.get(pk=claim.pk).status
    ]
    assert decided and decided[0].message("en").startswith(f"{claim.number}: ")
    # Another installation's case linked to the same id sees nothing of this claim.
    from saleor_aftersales.installations.models import Installation

    other = Installation.objects.create(
        saleor_api_url="https://other.example.com/graphql/", app_id="x", auth_token="t"
    )
    foreign = service_actions.open_case(
        installation=other,
        customer_email=CUSTOMER.email,
        subject="?",
        body="?",
        linked_type="warranty_claim",
        linked_id=str(claim.pk),
        actor=STAFF,
    )
    assert [
        e
        for e in build_timeline(foreign, include_internal=True)
        if e.source != "case" and e.source != "message"
    ] == []
