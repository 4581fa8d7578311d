"""Surveys: one per resolved subject, a signed one-time link, one answer, loyalty points once, low-score follow-up."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from hypothesis import given
from hypothesis import strategies as st

from saleor_aftersales.core.actors import Actor, ActorType
from saleor_aftersales.core.errors import DomainError
from saleor_aftersales.core.time import now
from saleor_aftersales.loyalty.models import LedgerEntry
from saleor_aftersales.notifications import actions as notifications
from saleor_aftersales.notifications.models import Notification
from saleor_aftersales.surveys import actions, policies, registry, tokens
from saleor_aftersales.surveys.models import Survey, SurveyEvent, SurveyResponse
from tests.loyalty.factories import make_programme

SYSTEM = Actor.system("test")
EMAIL = "buyer@example.com"
CUSTOMER = Actor(type=ActorType.CUSTOMER, email=EMAIL, user_id="VXNlcjo3MDE=")


def _request(installation, subject_type="service_case", subject_id="41", language="en", **kwargs):
    return actions.request_survey(
        installation=installation,
        subject_type=subject_type,
        subject_id=subject_id,
        customer_email=EMAIL,
        language=language,
        actor=SYSTEM,
        reference=kwargs.pop("reference", "CASE-41"),
        **kwargs,
    )


def _token_from_mail(message) -> str:
    match = re.search(r"/s/([^\s]+)", message.body)
    assert match, message.body
    return match.group(1)


def test_request_survey_is_one_per_subject_and_emails_a_signed_link(
    installation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = _request(installation)
        again = _request(installation)
    assert first.pk == again.pk
    assert Survey.objects.count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "How did we do with support case CASE-41?"
    token = _token_from_mail(message)
    assert actions.survey_for_token(token).pk == first.pk
    assert list(first.events.values_list("type", flat=True)) == ["requested"]


def test_the_survey_email_is_in_chinese_for_a_chinese_customer(
    installation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _request(
            installation, subject_type="return_request", subject_id="5", language="zh-Hans", reference="RMA-5"
        )
    message = mail.outbox[0]
    assert message.subject == "您对退货申请 RMA-5 的服务满意吗？"
    assert "该链接仅可使用一次" in message.body


def test_a_resolved_return_asks_for_feedback_through_the_notification_registry(installation):
    notifications.notify(
        installation=installation,
        event="return_refunded",
        recipient_email=EMAIL,
        dedupe_key="rma:9:return_refunded",
        language="zh-hans",
        context={"reference": "RMA-000009", "order_number": "12", "amount": "5.00", "currency": "USD"},
        subject_type="return_request",
        subject_id=9,
    )
    survey = Survey.objects.get()
    assert (survey.subject_type, survey.subject_id, survey.reference, survey.language) == (
        "return_request",
        "9",
        "RMA-000009",
        "zh-hans",
    )
    assert Notification.objects.filter(event="survey_requested", recipient_email=EMAIL).count() == 1


def test_repair_status_asks_only_when_final(installation):
    for n, status in enumerate(["received", "diagnosing", "completed"]):
        notifications.notify(
            installation=installation,
            event="repair_status_changed",
            recipient_email=EMAIL,
            dedupe_key=f"repair:3:{n}",
            context={"reference": "RO-3", "status": status},
            subject_type="repair_order",
            subject_id=3,
        )
    assert list(Survey.objects.values_list("subject_type", "subject_id")) == [("repair_order", "3")]


def test_unknown_subject_type_is_refused(installation):
    with pytest.raises(DomainError) as exc:
        _request(installation, subject_type="order")
    assert exc.value.code == "UNKNOWN_SUBJECT_TYPE"
    assert Survey.objects.count() == 0


def test_answer_through_the_link_awards_points_once(installation, django_capture_on_commit_callbacks):
    make_programme(installation, survey_completed_points=50)
    survey = _request(installation)
    token = tokens.make_token(survey.pk, survey.token_nonce)
    response = actions.submit_with_token(token=token, csat=5, nps=10, comment="Quick and kind")
    assert (response.csat, response.nps, response.channel, response.points_awarded) == (5, 10, "link", 50)
    survey.refresh_from_db()
    assert survey.status == "completed" and survey.completed_at is not None
    with pytest.raises(DomainError) as exc:
        actions.submit_with_token(token=token, csat=1)
    assert exc.value.code == "ALREADY_ANSWERED"
    with pytest.raises(DomainError) as exc:
        actions.submit_as_customer(
            installation=installation, actor=CUSTOMER, subject_type="service_case", subject_id="41", csat=1
        )
    assert exc.value.code == "ALREADY_ANSWERED"
    assert SurveyResponse.objects.count() == 1
    assert SurveyResponse.objects.get().csat == 5
    entries = LedgerEntry.objects.filter(idempotency_key=f"action:survey_completed:survey:{survey.pk}")
    assert entries.count() == 1
    assert entries.get().available_delta == 50
    assert list(survey.events.values_list("type", flat=True)) == ["requested", "complete", "points_awarded"]


@pytest.mark.parametrize(
    ("csat", "nps", "comment", "fields"),
    [
        (0, None, "", [("csat", "OUT_OF_RANGE")]),
        (6, None, "", [("csat", "OUT_OF_RANGE")]),
        (3, 11, "", [("nps", "OUT_OF_RANGE")]),
        (3, -1, "", [("nps", "OUT_OF_RANGE")]),
        (9, 12, "x" * 2001, [("csat", "OUT_OF_RANGE"), ("nps", "OUT_OF_RANGE"), ("comment", "TOO_LONG")]),
    ],
)
def test_scores_out_of_range_are_typed_errors_and_nothing_changes(installation, csat, nps, comment, fields):
    survey = _request(installation)
    with pytest.raises(DomainError) as exc:
        actions.submit_response(survey=survey, actor=CUSTOMER, csat=csat, nps=nps, comment=comment)
    assert [(d.field, d.code) for d in exc.value.details] == fields
    survey.refresh_from_db()
    assert survey.status == "requested"
    assert SurveyResponse.objects.count() == 0
    assert SurveyEvent.objects.filter(survey=survey).count() == 1


def test_forged_altered_voided_and_expired_links_are_refused(installation):
    survey = _request(installation)
    good = tokens.make_token(survey.pk, survey.token_nonce)
    forged = signing.dumps({"s": survey.pk, "n": survey.token_nonce}, salt="another-salt")
    altered = good[:-3] + ("abc" if not good.endswith("abc") else "xyz")
    other_nonce = tokens.make_token(survey.pk, "guessed")
    for token in (forged, altered, other_nonce, "", "not-a-token"):
        with pytest.raises(DomainError) as exc:
            actions.submit_with_token(token=token, csat=4)
        assert exc.value.code == "INVALID_TOKEN", token
    with pytest.raises(DomainError) as exc:
        actions.submit_with_token(token=good, csat=4, now=survey.expires_at + timedelta(seconds=1))
    assert exc.value.code == "EXPIRED"
    assert SurveyResponse.objects.count() == 0
    # Re-sending voids the old link.
    actions.resend_survey(survey=survey, actor=SYSTEM)
    survey.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        actions.submit_with_token(token=good, csat=4)
    assert exc.value.code == "INVALID_TOKEN"
    assert actions.submit_with_token(token=tokens.make_token(survey.pk, survey.token_nonce), csat=4).csat == 4


def test_expiry_sweep_then_resend_reopens(installation):
    survey = _request(installation)
    assert actions.expire_surveys(now=survey.expires_at + timedelta(minutes=1)) == 1
    assert actions.expire_surveys(now=survey.expires_at + timedelta(minutes=2)) == 0
    survey.refresh_from_db()
    assert survey.status == "expired"
    with pytest.raises(DomainError) as exc:
        actions.submit_response(survey=survey, actor=CUSTOMER, csat=3)
    assert exc.value.code == "EXPIRED"
    actions.resend_survey(survey=survey, actor=SYSTEM)
    survey.refresh_from_db()
    assert survey.status == "requested"
    assert Notification.objects.filter(event="survey_requested").count() == 2


def test_another_customers_subject_is_not_found(installation):
    _request(installation)
    stranger = Actor(type=ActorType.CUSTOMER, email="other@example.com", user_id="VXNlcjo5OTk=")
    with pytest.raises(DomainError) as exc:
        actions.submit_as_customer(
            installation=installation, actor=stranger, subject_type="service_case", subject_id="41", csat=5
        )
    assert exc.value.code == "NOT_FOUND"
    assert SurveyResponse.objects.count() == 0


def test_a_low_score_opens_a_follow_up_through_the_registry(installation, monkeypatch):
    # Only this test's handler (the service app's real one is tested in tests/service/test_survey_follow_up.py).
    monkeypatch.setattr(registry, "_handlers", [])
    opened = []

    def open_case(low: registry.LowScore) -> str:
        opened.append((low.subject_type, low.subject_id, low.csat, low.comment, low.customer_email))
        return "CASE-900"

    registry.on_low_score(open_case)
    try:
        survey = _request(installation)
        response = actions.submit_response(survey=survey, actor=CUSTOMER, csat=2, comment="Nobody answered")
        high = _request(installation, subject_id="42")
        actions.submit_response(survey=high, actor=CUSTOMER, csat=3)
    finally:
        registry.remove_low_score_handler(open_case)
    assert opened == [("service_case", "41", 2, "Nobody answered", EMAIL)]
    response.refresh_from_db()
    assert (response.is_low_score, response.follow_up_reference) == (True, "CASE-900")
    assert survey.events.filter(type="follow_up_opened").count() == 1


def test_the_threshold_is_configurable_and_a_failing_handler_keeps_the_answer(installation, monkeypatch):
    monkeypatch.setattr(registry, "_handlers", [])
    actions.save_config(installation=installation, actor=SYSTEM, values={"low_csat_threshold": 3})

    def broken(low):
        raise RuntimeError("service down")

    registry.on_low_score(broken)
    try:
        survey = _request(installation)
        response = actions.submit_response(survey=survey, actor=CUSTOMER, csat=3)
    finally:
        registry.remove_low_score_handler(broken)
    assert response.is_low_score is True
    assert SurveyResponse.objects.count() == 1
    assert survey.events.filter(type="follow_up_failed").count() == 1


def test_surveys_can_be_turned_off_per_subject_type(installation):
    actions.save_config(installation=installation, actor=SYSTEM, values={"subject_types": ["return_request"]})
    assert _request(installation) is None
    assert _request(installation, subject_type="return_request") is not None
    with pytest.raises(DomainError) as exc:
        actions.save_config(installation=installation, actor=SYSTEM, values={"low_csat_threshold": 9})
    assert exc.value.code == "OUT_OF_RANGE"


@given(
    st.lists(
        st.tuples(st.integers(1, 5), st.one_of(st.none(), st.integers(0, 10))),
        max_size=60,
    ),
    st.integers(0, 5),
)
def test_aggregates_are_bounded_and_consistent(answers, threshold):
    agg = policies.aggregate_answers(answers, threshold=threshold)
    assert agg.responses == len(answers)
    assert agg.nps_responses == agg.promoters + agg.passives + agg.detractors
    if answers:
        assert 1 <= agg.csat_average <= 5
        assert 0 <= agg.csat_percent <= 100
    else:
        assert agg.csat_average is None and agg.nps_score is None
    if agg.nps_responses:
        assert -100 <= agg.nps_score <= 100
    assert agg.low_scores == sum(1 for c, _ in answers if c <= threshold)


@given(st.integers(-5, 15), st.one_of(st.none(), st.integers(-5, 15)))
def test_check_answer_accepts_exactly_the_ranges(csat, nps):
    valid = 1 <= csat <= 5 and (nps is None or 0 <= nps <= 10)
    try:
        policies.check_answer(csat=csat, nps=nps, comment="")
    except DomainError:
        assert not valid
    else:
        assert valid


def test_completed_events_reach_merchant_webhooks(installation):
    from saleor_aftersales.notifications.models import WebhookDelivery, WebhookEndpoint

    WebhookEndpoint.objects.create(
        installation=installation,
        url="https://hooks.example.com/x",
        events=["survey_completed"],
        secret="s" * 20,
    )
    survey = _request(installation)
    actions.submit_response(survey=survey, actor=CUSTOMER, csat=4, nps=8)
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "survey_completed"
    assert (delivery.payload["data"]["csat"], delivery.payload["data"]["nps"]) == (4, 8)


def test_link_expiry_date_is_in_the_email(installation):
    survey = _request(installation)
    ctx = Notification.objects.get(event="survey_requested").context
    assert ctx["expires_on"] == survey.expires_at.date().isoformat()
    assert survey.expires_at - survey.requested_at == timedelta(days=30)
    assert survey.requested_at <= now()


def test_links_of_an_uninstalled_app_stop_working(installation):
    survey = _request(installation)
    token = tokens.make_token(survey.pk, survey.token_nonce)
    installation.is_active = False
    installation.save(update_fields=["is_active"])
    with pytest.raises(DomainError) as exc:
        actions.submit_with_token(token=token, csat=5)
    assert exc.value.code == "INVALID_TOKEN"
    assert SurveyResponse.objects.count() == 0
