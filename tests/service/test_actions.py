"""Cases: the state machine, the thread, SLA clocks on transitions, escalation, bad input leaving nothing written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from saleor_aftersales.core.errors import DomainError
from saleor_aftersales.notifications.models import Notification
from saleor_aftersales.service import actions
from saleor_aftersales.service.models import (
    CaseStatus,
    EscalationRule,
    MessageKind,
    ServiceAttachment,
    ServiceCase,
    ServiceCaseEvent,
    ServiceMessage,
)
from saleor_aftersales.sla import escalation
from saleor_aftersales.sla.models import ClockStatus, SlaClock, SlaPolicy

from .factories import CUSTOMER_EMAIL, customer, open_case, staff

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def clocks(case) -> dict[str, SlaClock]:
    return {
        c.metric: c for c in SlaClock.objects.filter(subject_type="service_case", subject_id=str(case.pk))
    }


def test_open_case_starts_first_response_and_resolution_clocks(installation):
    with time_machine.travel(T0, tick=False):
        case = open_case(installation)
    assert case.number == "C-000001"
    assert case.status == CaseStatus.NEW
    running = clocks(case)
    assert set(running) == {"first_response", "resolution"}
    assert running["first_response"].due_at == T0 + timedelta(minutes=30)
    assert running["resolution"].due_at == T0 + timedelta(hours=24)
    assert case.messages.get().kind == MessageKind.CUSTOMER
    assert list(case.events.values_list("type", flat=True)) == ["created"]


def test_policy_by_priority_and_channel_sets_the_targets(installation):
    SlaPolicy.objects.create(
        installation=installation,
        subject_type="service_case",
        metric="first_response",
        priority="urgent",
        channel="chat",
        target_minutes=5,
    )
    with time_machine.travel(T0, tick=False):
        case = open_case(installation, priority="urgent", channel="chat")
    assert clocks(case)["first_response"].due_at == T0 + timedelta(minutes=5)


def test_staff_reply_meets_first_response_then_waiting_pauses_and_customer_resumes(installation):
    with time_machine.travel(T0, tick=False):
        case = open_case(installation)
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        actions.add_message(case=case, actor=staff(), body="Sorry! Send a photo?", wait_on_customer=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_ON_CUSTOMER
    state = clocks(case)
    assert state["first_response"].status == ClockStatus.MET
    assert state["resolution"].status == ClockStatus.PAUSED
    with time_machine.travel(T0 + timedelta(hours=5, minutes=10), tick=False):
        actions.add_message(case=case, actor=customer(), body="Here it is")
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    state = clocks(case)
    # Five hours of waiting on the customer do not count against the resolution target.
    assert state["resolution"].status == ClockStatus.RUNNING
    assert state["resolution"].due_at == T0 + timedelta(hours=29)
    assert state["next_response"].status == ClockStatus.RUNNING
    assert state["next_response"].due_at == T0 + timedelta(hours=9, minutes=10)
    with time_machine.travel(T0 + timedelta(hours=6), tick=False):
        actions.add_message(case=case, actor=staff(), body="A new pair is on its way.")
        actions.transition_case(case=case, actor=staff(), transition="resolve")
    case.refresh_from_db()
    state = clocks(case)
    assert case.status == CaseStatus.RESOLVED
    assert state["next_response"].status == ClockStatus.MET
    assert state["resolution"].status == ClockStatus.MET
    assert [e.type for e in case.events.all()] == [
        "created",
        "open",
        "wait_on_customer",
        "customer_replied",
        "resolve",
    ]
    assert Notification.objects.filter(event="case_replied", recipient_email=CUSTOMER_EMAIL).count() == 2
    assert Notification.objects.filter(event="case_resolved").count() == 1


def test_late_first_reply_is_breached(installation):
    with time_machine.travel(T0, tick=False):
        case = open_case(installation)
    with time_machine.travel(T0 + timedelta(minutes=45), tick=False):
        actions.add_message(case=case, actor=staff(), body="Hello")
    assert clocks(case)["first_response"].status == ClockStatus.BREACHED


def test_internal_note_is_not_a_response_and_not_sent(installation):
    case = open_case(installation)
    actions.add_message(case=case, actor=staff(), body="Customer is a VIP", internal=True)
    case.refresh_from_db()
    assert case.first_response_at is None
    assert clocks(case)["first_response"].status == ClockStatus.RUNNING
    assert case.last_message.kind == MessageKind.NOTE
    assert case.last_public_message.kind == MessageKind.CUSTOMER
    assert list(Notification.objects.values_list("event", flat=True)) == ["case_opened"]


def test_message_bodies_and_contact_data_are_encrypted_at_rest(installation):
    case = open_case(installation, customer_phone="+86 138 0000 0000", customer_name="Ada")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT customer_email, customer_phone, customer_name FROM {ServiceCase._meta.db_table} WHERE id = %s",
            [case.pk],
        )
        stored = cursor.fetchone()
        cursor.execute(f"SELECT body FROM {ServiceMessage._meta.db_table} WHERE case_id = %s", [case.pk])
        body = cursor.fetchone()[0]
    assert CUSTOMER_EMAIL not in stored[0] and stored[0].startswith("gAAAA")
    assert "138" not in stored[1] and "Ada" not in stored[2]
    assert "sole" not in body and body.startswith("gAAAA")
    reread = ServiceCase.objects.get(pk=case.pk)
    assert reread.customer_email == CUSTOMER_EMAIL and reread.customer_phone == "+86 138 0000 0000"


def test_reply_to_closed_case_is_refused_and_writes_nothing(installation):
    case = open_case(installation)
    actions.transition_case(case=case, actor=staff(), transition="close")
    before = (ServiceMessage.objects.count(), ServiceCaseEvent.objects.count())
    for actor in (customer(), staff()):
        with pytest.raises(DomainError) as error:
            actions.add_message(case=case, actor=actor, body="Anyone?")
        assert error.value.code == "CASE_CLOSED"
    assert (ServiceMessage.objects.count(), ServiceCaseEvent.objects.count()) == before
    with pytest.raises(DomainError) as error:
        actions.reopen_case(case=case, actor=customer())
    assert error.value.code == "CASE_CLOSED"
    actions.reopen_case(case=case, actor=staff())
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.reopen_count == 1


def test_customer_reply_reopens_a_resolved_case_within_the_window(installation):
    with time_machine.travel(T0, tick=False):
        case = open_case(installation)
        actions.add_message(case=case, actor=staff(), body="Done")
        actions.transition_case(case=case, actor=staff(), transition="resolve")
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        actions.add_message(case=case, actor=customer(), body="Still broken")
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert clocks(case)["next_response"].status == ClockStatus.RUNNING
    reopened = clocks(case)["resolution:2"]
    assert reopened.status == ClockStatus.RUNNING
    assert reopened.due_at == T0 + timedelta(days=3)
    with time_machine.travel(T0 + timedelta(days=2, hours=1), tick=False):
        actions.transition_case(case=case, actor=staff(), transition="resolve")
    assert clocks(case)["resolution:2"].status == ClockStatus.MET
    with time_machine.travel(T0 + timedelta(days=40), tick=False), pytest.raises(DomainError) as error:
        actions.add_message(case=case, actor=customer(), body="Again")
    assert error.value.code == "REOPEN_WINDOW_PASSED"


def test_another_customers_case_is_not_found(installation):
    case = open_case(installation)
    stranger = customer(user_id="VXNlcjo3Nzc=", email="other@example.com")
    with pytest.raises(DomainError) as error:
        actions.add_message(case=case, actor=stranger, body="Let me in")
    assert error.value.code == "NOT_FOUND"
    assert ServiceMessage.objects.filter(case=case).count() == 1


def test_customer_cannot_write_internal_notes(installation):
    case = open_case(installation)
    with pytest.raises(DomainError) as error:
        actions.add_message(case=case, actor=customer(), body="psst", internal=True)
    assert error.value.code == "PERMISSION_DENIED"


def test_attachments_are_checked_by_content_and_size(installation, settings):
    case = open_case(installation)
    actions.add_message(
        case=case, actor=customer(), body="Photo", attachments=[SimpleUploadedFile("a.png", PNG)]
    )
    assert ServiceAttachment.objects.get().content_type == "image/png"
    settings.UPLOAD_MAX_BYTES = 32
    with pytest.raises(DomainError) as error:
        actions.add_message(
            case=case, actor=customer(), body="Big", attachments=[SimpleUploadedFile("b.png", PNG)]
        )
    assert error.value.code == "FILE_TOO_LARGE"
    with pytest.raises(DomainError) as error:
        actions.add_message(
            case=case, actor=customer(), body="Fake", attachments=[SimpleUploadedFile("c.png", b"MZ\x90")]
        )
    assert error.value.code == "INVALID_FILE_TYPE"
    assert ServiceMessage.objects.filter(case=case).count() == 2
    assert ServiceAttachment.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("priority", "sky-high", "INVALID"),
        ("channel", "pigeon", "INVALID"),
        ("kind", "rant", "INVALID"),
        ("subject", "", "REQUIRED"),
        ("body", "x" * 10_001, "TOO_LONG"),
        ("customer_email", "nope", "INVALID"),
        ("linked_type", "order", "REQUIRED"),
    ],
)
def test_bad_case_input_is_typed_and_writes_nothing(installation, field, value, code):
    with pytest.raises(DomainError) as error:
        open_case(installation, **{field: value})
    assert error.value.code == code
    assert ServiceCase.objects.count() == 0 and SlaClock.objects.count() == 0


def test_link_to_someone_elses_order_is_not_found(installation):
    from tests.returns.factories import make_order

    order = make_order(installation, email="other@example.com", user_id="VXNlcjo3Nzc=")
    with pytest.raises(DomainError) as error:
        open_case(installation, linked_type="order", linked_id=order.saleor_id)
    assert error.value.code == "NOT_FOUND"
    mine = make_order(installation)
    case = open_case(installation, linked_type="order", linked_id=mine.saleor_id)
    assert case.order_id == mine.pk


def test_assign_priority_tags_and_escalation_on_breach(installation):
    EscalationRule.objects.create(
        installation=installation,
        metric="first_response",
        raise_priority=True,
        reassign_to_user_id="VXNlcjo5MDE=",
        reassign_to_email="lead@example.com",
    )
    with time_machine.travel(T0, tick=False):
        case = open_case(installation)
        actions.assign_case(
            case=case, actor=staff(), assignee_user_id="VXNlcjo5MDA=", assignee_email="a@example.com"
        )
        actions.set_tags(case=case, actor=staff(), tags=["Shoes", "defect", "shoes"])
    assert sorted(case.tags.values_list("tag", flat=True)) == ["defect", "shoes"]
    result = escalation.sweep(now=T0 + timedelta(minutes=31))
    assert result["breached"] == 1
    case.refresh_from_db()
    assert case.priority == "high"
    assert case.assignee_user_id == "VXNlcjo5MDE=" and case.assignee_email == "lead@example.com"
    types = list(case.events.values_list("type", flat=True))
    assert types.count("sla_breached") == 1 and types.count("escalated") == 1
    assert (
        Notification.objects.filter(event="case_sla_breached", recipient_email="lead@example.com").count()
        == 1
    )
    # The sweep marks each clock once: a second run escalates nothing.
    assert escalation.sweep(now=T0 + timedelta(minutes=40))["breached"] == 0
    assert case.events.filter(type="escalated").count() == 1


def test_priority_change_retargets_running_clocks(installation):
    SlaPolicy.objects.create(
        installation=installation,
        subject_type="service_case",
        metric="resolution",
        priority="urgent",
        target_minutes=120,
    )
    with time_machine.travel(T0, tick=False):
        case = open_case(installation)
        actions.set_priority(case=case, actor=staff(), priority="urgent")
    assert clocks(case)["resolution"].due_at == T0 + timedelta(minutes=120)
    with pytest.raises(DomainError) as error:
        actions.set_priority(case=case, actor=staff(), priority="whenever")
    assert error.value.code == "INVALID"


def test_invalid_transitions_are_typed(installation):
    case = open_case(installation)
    with pytest.raises(DomainError) as error:
        actions.transition_case(case=case, actor=staff(), transition="reopen")
    assert error.value.code == "INVALID_TRANSITION"
    with pytest.raises(DomainError) as error:
        actions.transition_case(case=case, actor=staff(), transition="customer_replied")
    assert error.value.code == "INVALID_TRANSITION"
