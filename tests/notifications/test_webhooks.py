"""Merchant webhooks over real HTTP: signed, retried after a 500, recorded, never delivered twice per event id."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from saleor_aftersales.core.actors import Actor, ActorType
from saleor_aftersales.core.errors import DomainError
from saleor_aftersales.notifications import actions, outgoing
from saleor_aftersales.notifications.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

STAFF = Actor(type=ActorType.STAFF, email="staff@example.com")
SECRET = "whsec_test_secret_0123456789"


class Receiver:
    """A loopback HTTP server that answers with the queued status codes (then 200) and keeps what it got."""

    def __init__(self):
        self.requests: list[tuple[dict, bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server API
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/aftersales"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def _endpoint(installation, url, events=("return_approved",)):
    return actions.create_webhook_endpoint(
        installation=installation, actor=STAFF, url=url, events=list(events), secret=SECRET
    )


def _notify(installation, key="k1"):
    return actions.notify(
        installation=installation,
        event="return_approved",
        recipient_email="buyer@example.com",
        dedupe_key=key,
        language="en",
        context={"reference": "RMA-000009", "order_number": "77", "note": ""},
        subject_type="return_request",
        subject_id=9,
    )


def test_a_notification_event_is_delivered_signed_over_http(
    installation, receiver, django_capture_on_commit_callbacks
):
    _endpoint(installation, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(installation)
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    assert outgoing.verify_signature(SECRET, headers["X-Aftersales-Signature"], body)
    assert not outgoing.verify_signature("whsec_wrong_secret_000000", headers["X-Aftersales-Signature"], body)
    assert not outgoing.verify_signature(SECRET, headers["X-Aftersales-Signature"], body + b" ")
    payload = json.loads(body)
    assert payload["type"] == "return_approved"
    assert payload["id"] == headers["X-Aftersales-Event-Id"]
    assert payload["data"]["context"]["reference"] == "RMA-000009"
    assert payload["data"]["subject_id"] == "9"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


def test_an_old_signature_is_refused_as_a_replay():
    body = b'{"id":"x"}'
    header = outgoing.sign(SECRET, 1_700_000_000, body)
    assert outgoing.verify_signature(SECRET, header, body, now=1_700_000_100)
    assert not outgoing.verify_signature(SECRET, header, body, now=1_700_000_000 + 301)
    assert not outgoing.verify_signature(SECRET, "t=abc,v1=00", body)


def test_a_500_is_retried_and_every_attempt_is_logged(
    installation, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [500, 503]
    _endpoint(installation, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(installation)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("delivered", 3)
    assert list(WebhookAttempt.objects.values_list("status_code", flat=True)) == [500, 503, 200]
    assert WebhookAttempt.objects.filter(error__startswith="HTTP 500").count() == 1
    event_ids = {json.loads(body)["id"] for _, body in receiver.requests}
    assert len(receiver.requests) == 3 and len(event_ids) == 1  # same event id on every retry


def test_a_receiver_that_keeps_failing_ends_failed(
    installation, receiver, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_WEBHOOK_MAX_ATTEMPTS = 2
    receiver.statuses = [500] * 10
    _endpoint(installation, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(installation)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 2, None)
    assert len(receiver.requests) == 2


def test_never_delivered_twice_for_the_same_event(installation, receiver, django_capture_on_commit_callbacks):
    endpoint = _endpoint(installation, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(installation)
        _notify(installation)  # a re-delivered Saleor webhook announces the same step again
        actions.publish_event(
            installation=installation,
            event="return_approved",
            event_id=WebhookDelivery.objects.get().event_id,
            data={},
        )
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert outgoing.deliver(delivery.pk) is None  # a second worker finds nothing pending
    assert len(receiver.requests) == 1


def test_only_active_subscribed_endpoints_of_the_installation_receive(
    installation, receiver, django_capture_on_commit_callbacks
):
    _endpoint(installation, receiver.url, events=["return_refunded"])
    inactive = _endpoint(installation, receiver.url, events=["*"])
    actions.update_webhook_endpoint(
        installation=installation, endpoint_id=inactive.pk, actor=STAFF, is_active=False
    )
    wildcard = _endpoint(installation, receiver.url + "?all", events=["*"])
    with django_capture_on_commit_callbacks(execute=True):
        _notify(installation)
    assert list(WebhookDelivery.objects.values_list("endpoint_id", flat=True)) == [wildcard.pk]
    assert len(receiver.requests) == 1


def test_redeliver_sends_the_same_event_again(installation, receiver, django_capture_on_commit_callbacks):
    _endpoint(installation, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(installation)
    delivery = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        actions.redeliver_webhook(installation=installation, delivery_id=delivery.pk, actor=STAFF)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert [json.loads(b)["id"] for _, b in receiver.requests] == [delivery.event_id] * 2


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://example.com/hook", "INVALID_URL"),
        ("javascript:alert(1)", "INVALID_URL"),
        ("https://user:pw@example.com/hook", "INVALID_URL"),
        ("http://127.0.0.1:8000/hook", "PRIVATE_ADDRESS"),
        ("http://localhost/hook", "PRIVATE_ADDRESS"),
        ("http://10.1.2.3/hook", "PRIVATE_ADDRESS"),
        ("http://169.254.169.254/latest/meta-data", "PRIVATE_ADDRESS"),
        ("http://[::1]/hook", "PRIVATE_ADDRESS"),
    ],
)
def test_bad_or_private_endpoint_urls_are_refused_in_production(installation, settings, url, code):
    settings.NOTIFICATION_WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(DomainError) as exc:
        _endpoint(installation, url)
    assert (exc.value.code, exc.value.details[0].field) == (code, "url")
    assert WebhookEndpoint.objects.count() == 0


def test_private_addresses_are_checked_again_at_delivery(installation, receiver, settings):
    endpoint = _endpoint(installation, receiver.url)  # allowed while registering (tests allow loopback)
    settings.NOTIFICATION_WEBHOOKS_ALLOW_PRIVATE = False
    _notify(installation)
    delivery = outgoing.deliver(WebhookDelivery.objects.get(endpoint=endpoint).pk)
    assert delivery.status == "pending" and delivery.attempts == 1
    assert "Private and loopback" in delivery.last_error
    assert receiver.requests == []


def test_unknown_events_are_refused_and_the_secret_is_encrypted(installation):
    with pytest.raises(DomainError) as exc:
        _endpoint(installation, "https://example.com/h", events=["return_teleported"])
    assert exc.value.code == "UNKNOWN_EVENT"
    endpoint = _endpoint(
        installation, "https://example.com/h", events=["survey_completed", "return_approved"]
    )
    raw = WebhookEndpoint.objects.filter(pk=endpoint.pk).values_list("secret", flat=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT secret FROM {WebhookEndpoint._meta.db_table} WHERE id = %s", [endpoint.pk])
        stored = cursor.fetchone()[0]
    assert SECRET not in stored
    assert list(raw) == [SECRET]
