"""The WSGI fast path for POST /api/webhooks/<event> (saleor_aftersales.wsgi.application) answers exactly what
the Django view answers, stores the same rows, and hands everything else to Django."""

import io
import json
from contextlib import contextmanager

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core import signals
from django.db import close_old_connections

from saleor_aftersales.core.metrics import WEBHOOKS_RECEIVED, WEBHOOKS_REJECTED
from saleor_aftersales.webhooks.models import WebhookDelivery
from saleor_aftersales.wsgi import application

from ..conftest import TEST_API_URL
from .test_foundation_ops import ORDER_CREATED, _post, sign_like_saleor


@contextmanager
def _keep_test_connection():
    # As django.test.Client does: a request must not close the connection that holds the test transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def wsgi_call(
    body: bytes,
    headers: dict[str, str],
    path: str = "/api/webhooks/order_created",
    method: str = "POST",
    host: str = "testserver",
):
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    captured = {}

    def start_response(status, response_headers, exc_info=None):
        captured["status"] = int(status.split()[0])
        captured["headers"] = dict(response_headers)

    with _keep_test_connection():
        chunks = application(environ, start_response)
        content = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
    return captured["status"], captured["headers"], content


def saleor_headers(signature: str, event: str = "order_created", api_url: str | None = TEST_API_URL):
    headers = {"Saleor-Event": event, "Saleor-Signature": signature}
    if api_url:
        headers["Saleor-Api-Url"] = api_url
    return headers


def test_accepted_delivery_is_stored_once_and_answers_like_the_view(installation, rsa_key):
    signature = sign_like_saleor(ORDER_CREATED, rsa_key)
    before = WEBHOOKS_RECEIVED.labels("ORDER_CREATED")._value.get()
    status, headers, content = wsgi_call(
        ORDER_CREATED, saleor_headers(signature) | {"X-Request-Id": "req-12345678"}
    )
    assert (status, json.loads(content)) == (200, {"success": True})
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Request-Id"] == "req-12345678"
    assert WEBHOOKS_RECEIVED.labels("ORDER_CREATED")._value.get() == before + 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.event, delivery.body, delivery.installation_id) == (
        "ORDER_CREATED",
        ORDER_CREATED.decode(),
        installation.pk,
    )
    # Saleor's retry: same bytes, counted, not stored again.
    status, _, content = wsgi_call(ORDER_CREATED, saleor_headers(signature))
    assert (status, json.loads(content)) == (200, {"success": True, "duplicate": True})
    assert WebhookDelivery.objects.get().duplicates == 1


def _bad_requests(rsa_key, max_bytes):
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    good = sign_like_saleor(ORDER_CREATED, rsa_key)
    oversized = b'{"pad": "' + b"x" * (max_bytes + 10) + b'"}'
    return {
        "forged signature": (ORDER_CREATED, saleor_headers(sign_like_saleor(ORDER_CREATED, other_key)), None),
        "truncated signature": (ORDER_CREATED, saleor_headers(good[:-12]), None),
        "tampered body": (ORDER_CREATED.replace(b'"1"', b'"2"'), saleor_headers(good), None),
        "unknown installation": (
            ORDER_CREATED,
            saleor_headers(good, api_url="https://other.example/graphql/"),
            None,
        ),
        "missing headers": (ORDER_CREATED, {}, None),
        "wrong event": (ORDER_CREATED, saleor_headers(good, event="order_cancelled"), None),
        "unknown event": (ORDER_CREATED, saleor_headers(good, event="no_such_event"), "no_such_event"),
        "oversized": (oversized, saleor_headers(sign_like_saleor(oversized, rsa_key)), None),
        "invalid json": (b"{not json", saleor_headers(sign_like_saleor(b"{not json", rsa_key)), None),
        "not an object": (b"[1, 2]", saleor_headers(sign_like_saleor(b"[1, 2]", rsa_key)), None),
    }


EXPECTED = {
    "forged signature": (401, "SIGNATURE_VERIFICATION_FAILED"),
    "truncated signature": (401, "SIGNATURE_VERIFICATION_FAILED"),
    "tampered body": (401, "SIGNATURE_VERIFICATION_FAILED"),
    "unknown installation": (401, "NOT_REGISTERED"),
    "missing headers": (400, "MISSING_HEADERS"),
    "wrong event": (400, "WRONG_EVENT"),
    "unknown event": (400, "UNKNOWN_EVENT"),
    "oversized": (413, "BODY_TOO_LARGE"),
    "invalid json": (400, "INVALID_JSON"),
    "not an object": (400, "INVALID_PAYLOAD"),
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_bad_input_gets_the_same_answer_as_the_django_view_and_stores_nothing(
    case, client, installation, rsa_key, settings
):
    body, headers, path_event = _bad_requests(rsa_key, settings.WEBHOOK_MAX_BODY_BYTES)[case]
    path = f"/api/webhooks/{path_event or 'order_created'}"
    rejected_before = WEBHOOKS_REJECTED.labels(EXPECTED[case][1].lower())._value.get()
    status, _, content = wsgi_call(body, headers, path=path)
    answer = json.loads(content)
    assert (status, answer["success"], answer["error"]["code"]) == (
        *EXPECTED[case][:1],
        False,
        EXPECTED[case][1],
    )
    assert WEBHOOKS_REJECTED.labels(EXPECTED[case][1].lower())._value.get() == rejected_before + 1
    django_headers = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    via_django = client.post(path, body, content_type="application/json", **django_headers)
    assert (via_django.status_code, via_django.json()) == (status, answer)
    assert WebhookDelivery.objects.count() == 0


def test_same_rows_through_the_fast_path_and_the_view(client, installation, rsa_key):
    bodies = [ORDER_CREATED.replace(b'"1"', f'"{n}"'.encode()) for n in (11, 12)]
    fast = wsgi_call(bodies[0], saleor_headers(sign_like_saleor(bodies[0], rsa_key)))
    slow = _post(client, bodies[1], sign_like_saleor(bodies[1], rsa_key))
    assert (fast[0], json.loads(fast[2])) == (slow.status_code, slow.json())
    rows = list(
        WebhookDelivery.objects.order_by("pk").values_list(
            "event", "issued_at", "issued_by_app", "status", "duplicates", "attempts"
        )
    )
    assert len(rows) == 2 and rows[0] == rows[1]


def test_disallowed_host_is_400_and_stores_nothing(installation, rsa_key, settings):
    settings.ALLOWED_HOSTS = ["aftersales.example.com"]
    signature = sign_like_saleor(ORDER_CREATED, rsa_key)
    status, _, content = wsgi_call(ORDER_CREATED, saleor_headers(signature), host="evil.example")
    assert (status, json.loads(content)["error"]["code"]) == (400, "DISALLOWED_HOST")
    assert WebhookDelivery.objects.count() == 0
    status, _, _ = wsgi_call(ORDER_CREATED, saleor_headers(signature), host="aftersales.example.com")
    assert status == 200


def test_everything_else_goes_to_django(installation, rsa_key, settings):
    # GET on the webhook path: the Django view's 405; another path: Django's URLconf.
    status, _, content = wsgi_call(b"", {}, method="GET")
    assert (status, json.loads(content)["error"]["code"]) == (405, "METHOD_NOT_ALLOWED")
    status, _, _ = wsgi_call(b"", {}, path="/api/webhooks/Order_Created")
    assert status == 404
    status, headers, content = wsgi_call(b"", {}, path="/api/manifest", method="GET")
    assert status == 200 and "tokenTargetUrl" in json.loads(content)
    # The fast path answers without Django's middleware (no CSP header on a JSON answer) ...
    first = ORDER_CREATED.replace(b'"1"', b'"31"')
    status, headers, _ = wsgi_call(first, saleor_headers(sign_like_saleor(first, rsa_key)))
    assert status == 200 and "Content-Security-Policy" not in headers
    # ... and with it off, webhooks are served by Django's view (its middleware ran), with the same answer.
    settings.WEBHOOK_FAST_PATH = False
    signature = sign_like_saleor(ORDER_CREATED, rsa_key)
    status, headers, content = wsgi_call(ORDER_CREATED, saleor_headers(signature))
    assert (status, json.loads(content)) == (200, {"success": True})
    assert "Content-Security-Policy" in headers and "X-Request-Id" in headers
    assert WebhookDelivery.objects.count() == 2
