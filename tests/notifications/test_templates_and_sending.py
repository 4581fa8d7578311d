"""Notifications: template registry and overrides, localized emails, retried sending with recorded attempts."""

from __future__ import annotations

from smtplib import SMTPException

import pytest
from django.core import mail

from saleor_aftersales.core.actors import Actor, ActorType
from saleor_aftersales.core.errors import DomainError
from saleor_aftersales.notifications import actions, registry, sending, templates
from saleor_aftersales.notifications.models import Notification, NotificationStatus, NotificationTemplate

STAFF = Actor(type=ActorType.STAFF, email="staff@example.com", user_id="VXNlcjo5MDA=")
EVERY_CUSTOMER_EVENT = {
    "return_approved",
    "return_rejected",
    "return_received",
    "return_refunded",
    "return_resolved",
    "loyalty_points_expiring",
    "loyalty_reward_issued",
    "survey_requested",
}


def _notify(installation, event="return_approved", language="en", key="k1", **context):
    return actions.notify(
        installation=installation,
        event=event,
        recipient_email="buyer@example.com",
        dedupe_key=key,
        language=language,
        context={"reference": "RMA-000007", "order_number": "1042", "note": "", **context},
        subject_type="return_request",
        subject_id=7,
    )


def test_registry_merges_every_installed_apps_texts_in_both_languages():
    texts = templates.default_texts()
    assert EVERY_CUSTOMER_EVENT <= set(texts)
    for event in templates.events():
        assert {"en", "zh-hans"} <= set(texts[event]), event
    assert templates.allowed_placeholders("return_refunded") == {
        "reference",
        "order_number",
        "amount",
        "currency",
    }
    assert "link" in templates.allowed_placeholders("survey_requested")


@pytest.mark.parametrize(
    ("language", "subject", "body_part"),
    [
        ("en", "Your return RMA-000007 is approved", "for order #1042 is approved"),
        ("ZH_HANS", "您的退货申请 RMA-000007 已通过", "您的订单 #1042 的退货申请 RMA-000007 已审核通过"),
        ("fr", "Your return RMA-000007 is approved", "for order #1042 is approved"),  # fallback en
    ],
)
def test_email_in_the_customers_language_with_html_alternative(
    installation, django_capture_on_commit_callbacks, language, subject, body_part
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(installation, language=language)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == subject
    assert body_part in message.body
    assert message.to == ["buyer@example.com"]
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and body_part.replace("#", "#") in html
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.rendered_subject) == ("sent", 1, subject)


def test_installation_override_is_used_and_other_installations_keep_the_default(
    installation, django_capture_on_commit_callbacks
):
    from saleor_aftersales.installations.models import Installation

    other = Installation.objects.create(
        saleor_api_url="http://127.0.0.1:9/other/graphql/",
        saleor_domain="x",
        app_id="QXBwOjI=",
        auth_token="t",
    )
    actions.save_template(
        installation=installation,
        event="return_approved",
        language="zh-hans",
        subject="好消息：{reference} 已通过",
        body="订单 #{order_number}：请寄回。",
        actor=STAFF,
    )
    with django_capture_on_commit_callbacks(execute=True):
        _notify(installation, language="zh-hans", key="a")
        _notify(other, language="zh-hans", key="a")
        _notify(installation, language="en", key="b")
    assert [m.subject for m in mail.outbox] == [
        "好消息：RMA-000007 已通过",
        "您的退货申请 RMA-000007 已通过",
        "Your return RMA-000007 is approved",
    ]
    assert mail.outbox[0].body == "订单 #1042：请寄回。"


@pytest.mark.parametrize(
    ("subject", "body", "code", "field"),
    [
        ("Hi {reference}", "Your {coupon_code}", "UNKNOWN_PLACEHOLDER", "body"),
        ("Hi {customer_name}", "ok", "UNKNOWN_PLACEHOLDER", "subject"),
        ("Hi {reference.__class__}", "ok", "INVALID_TEMPLATE", "subject"),
        ("Hi", "Broken {reference", "INVALID_TEMPLATE", "body"),
        ("Hi", "{amount:>10}", "INVALID_TEMPLATE", "body"),
        ("", "ok", "REQUIRED", "subject"),
        ("Two\nlines", "ok", "TOO_LONG", "subject"),
    ],
)
def test_bad_templates_are_typed_errors_and_nothing_is_saved(installation, subject, body, code, field):
    with pytest.raises(DomainError) as exc:
        actions.save_template(
            installation=installation,
            event="return_refunded",
            language="en",
            subject=subject,
            body=body,
            actor=STAFF,
        )
    assert (exc.value.code, exc.value.details[0].field) == (code, field)
    assert NotificationTemplate.objects.count() == 0


def test_unknown_event_and_language_are_refused(installation):
    with pytest.raises(DomainError) as exc:
        actions.save_template(
            installation=installation, event="nope", language="en", subject="a", body="b", actor=STAFF
        )
    assert exc.value.code == "UNKNOWN_EVENT"
    with pytest.raises(DomainError) as exc:
        actions.save_template(
            installation=installation,
            event="return_approved",
            language="de",
            subject="a",
            body="b",
            actor=STAFF,
        )
    assert (exc.value.code, exc.value.details[0].field) == ("INVALID", "language")


def test_preview_renders_drafts_with_sample_values_and_escapes_html(installation):
    rendered = actions.preview_template(
        installation=installation,
        event="return_refunded",
        language="en",
        body="<b>{amount}</b> {currency} for {reference}\n\nhttps://shop.example.com/returns",
    )
    assert rendered.text == "<b>[amount]</b> [currency] for [reference]\n\nhttps://shop.example.com/returns"
    assert "&lt;b&gt;[amount]&lt;/b&gt;" in rendered.html
    assert '<a href="https://shop.example.com/returns"' in rendered.html
    assert rendered.subject == "Your return [reference] is settled"
    assert NotificationTemplate.objects.count() == 0


def test_the_same_step_is_announced_once(installation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _notify(installation)
        second = _notify(installation)
    assert first.pk == second.pk
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
    # A task delivered twice does not send twice: only a pending row is sent.
    assert sending.send(first.pk) is None
    assert len(mail.outbox) == 1


class FlakyBackend:
    """An email backend whose first `failures` sends raise like an SMTP server that is down."""

    failures = 0
    calls = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        FlakyBackend.calls += 1
        if FlakyBackend.calls <= FlakyBackend.failures:
            raise SMTPException("421 try again later")
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_templates_and_sending.FlakyBackend"
    FlakyBackend.calls = 0
    mail.outbox = []
    return FlakyBackend


def test_a_failed_attempt_is_recorded_not_rolled_back(installation, flaky):
    flaky.failures = 1
    notification = _notify(installation)  # no on-commit run: call the sender like the task does
    with pytest.raises(sending.SendFailed) as exc:
        sending.send(notification.pk)
    assert (exc.value.attempts, exc.value.final) == (1, False)
    notification.refresh_from_db()
    assert notification.attempts == 1
    assert notification.status == NotificationStatus.PENDING
    assert "421 try again later" in notification.last_error
    assert notification.next_attempt_at is not None and notification.last_attempt_at is not None
    sending.send(notification.pk)
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.last_error) == ("sent", 2, "")
    assert len(mail.outbox) == 1


def test_the_task_retries_with_backoff_until_sent(installation, flaky, django_capture_on_commit_callbacks):
    flaky.failures = 2
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(installation)
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 3)
    assert flaky.calls == 3
    assert len(mail.outbox) == 1


def test_after_the_last_attempt_the_notification_is_failed(
    installation, flaky, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    flaky.failures = 99
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(installation)
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.next_attempt_at) == ("failed", 3, None)
    assert flaky.calls == 3
    assert mail.outbox == []


def test_the_beat_sweep_sends_due_retries_only(installation, flaky):
    from datetime import timedelta

    from saleor_aftersales.core.time import now
    from saleor_aftersales.notifications.tasks import send_due_notifications

    flaky.failures = 1
    notification = _notify(installation)
    with pytest.raises(sending.SendFailed):
        sending.send(notification.pk)
    assert send_due_notifications() == 0  # the retry is not due yet
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=now() - timedelta(seconds=1))
    assert send_due_notifications() == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 2)


def test_registered_handlers_run_once_per_new_notification_and_failures_do_not_undo_it(installation):
    seen: list[tuple[str, str]] = []

    def good(event: registry.NotificationEvent) -> None:
        seen.append((event.event, event.subject_id))

    def bad(event: registry.NotificationEvent) -> None:
        raise RuntimeError("boom")

    registry.on_event("return_received")(bad)
    registry.on_event("return_received", "return_approved")(good)
    try:
        _notify(installation, event="return_received", key="r1")
        _notify(installation, event="return_received", key="r1")  # duplicate: no second call
        _notify(installation, event="return_approved", key="a1")
    finally:
        registry.remove_handler(good)
        registry.remove_handler(bad)
    assert seen == [("return_received", "7"), ("return_approved", "7")]
    assert Notification.objects.count() == 2


def test_a_paid_order_announces_the_points_earned_in_chinese(
    installation, django_capture_on_commit_callbacks
):
    from decimal import Decimal

    from saleor_aftersales.loyalty.actions import earn_for_order
    from tests.loyalty.factories import make_order, make_programme

    make_programme(installation, points_per_unit=Decimal("1"))
    order = make_order(installation, lines=((Decimal("50.00"), 2),))
    order.language_code = "zh-hans"
    order.save(update_fields=["language_code"])
    with django_capture_on_commit_callbacks(execute=True):
        earn_for_order(order=order, actor=Actor.saleor())
        earn_for_order(order=order, actor=Actor.saleor())  # ORDER_PAID and ORDER_FULLY_PAID overlap
    assert [m.subject for m in mail.outbox] == [f"订单 #{order.number} 为您赚取了 100 积分"]


def test_every_customer_event_renders_in_both_languages_with_its_placeholders(installation):
    for event in EVERY_CUSTOMER_EVENT | {"loyalty_points_earned"}:
        values = templates.sample_context(event)
        for language in ("en", "zh-hans"):
            rendered = templates.render(installation, event, language, values)
            assert rendered.subject and rendered.text, (event, language)
            assert "{" not in rendered.subject + rendered.text, (event, language)
            for name in templates.placeholders(templates.default_texts()[event][language][1]):
                assert f"[{name}]" in rendered.text, (event, language, name)


class SlowBackend:
    """Holds the row lock for a while, like a slow SMTP server."""

    sent: list = []

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        import time

        time.sleep(0.5)
        SlowBackend.sent.extend(messages)
        return len(messages)


@pytest.mark.postgres_only
def test_two_workers_sending_at_once_send_one_email(transactional_db, installation, settings):
    import threading

    from django.db import connection

    settings.EMAIL_BACKEND = "tests.notifications.test_templates_and_sending.SlowBackend"
    SlowBackend.sent = []
    notification = Notification.objects.create(  # recorded, its task not run yet
        installation=installation,
        event="return_approved",
        dedupe_key="race",
        recipient_email="buyer@example.com",
        context={"reference": "RMA-1", "order_number": "1"},
    )
    barrier = threading.Barrier(4)
    results: list = []

    def worker():
        try:
            barrier.wait()
            results.append(sending.send(notification.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(SlowBackend.sent) == 1
    assert sum(1 for r in results if r is not None) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 1)
