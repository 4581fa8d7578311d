"""The task path through a real Celery worker (memory broker, no eager mode): a webhook accepted by the view
is processed by the worker after commit, and an outbox message is dispatched by it."""

import json
import time

import jwt
import pytest
from celery.contrib.testing.worker import start_worker

from saleor_aftersales.celery import app as celery_app
from saleor_aftersales.outbox.models import OutboxMessage
from saleor_aftersales.webhooks.models import DeliveryStatus, WebhookDelivery

from ..conftest import TEST_API_URL


@pytest.fixture
def real_worker(transactional_db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "memory://"
    celery_app.conf.result_backend = "cache+memory://"
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        celery_app.conf.task_always_eager = True


def _wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_webhook_delivery_is_processed_by_a_real_worker(real_worker, client, installation, rsa_key):
    for n in range(3):  # one after another: each one either wakes a drain or is taken by the pending one
        _post_customer_created(client, rsa_key, n)
    assert _wait_until(
        lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.PROCESSED).count() == 3
    ), list(WebhookDelivery.objects.values_list("status", "attempts"))


def _post_customer_created(client, rsa_key, n):
    body = json.dumps(
        {
            "__typename": "CustomerCreated",
            "issuedAt": f"2026-11-22T10:00:0{n}+00:00",
            "user": {"id": f"VXNlcjo0M{n}", "email": f"worker{n}@example.com", "languageCode": "EN"},
        }
    ).encode()
    signature = jwt.api_jws.encode(
        body,
        rsa_key,
        algorithm="RS256",
        headers={"kid": "test-key", "b64": False, "crit": ["b64"]},
        is_payload_detached=True,
    )
    response = client.post(
        "/api/webhooks/customer_created",
        body,
        content_type="application/json",
        HTTP_SALEOR_EVENT="customer_created",
        HTTP_SALEOR_API_URL=TEST_API_URL,
        HTTP_SALEOR_SIGNATURE=signature,
    )
    assert response.status_code == 200, response.content


def test_outbox_message_is_dispatched_by_a_real_worker(real_worker, installation):
    from saleor_aftersales.outbox.actions import enqueue
    from saleor_aftersales.outbox.tasks import dispatch_outbox_message

    message = enqueue(
        installation=installation,
        idempotency_key="worker-test-1",
        operation="OrderNoteAdd" if _has_operation("OrderNoteAdd") else _any_operation(),
        variables={"id": "T3JkZXI6MQ==", "input": {"message": "worker test"}},
    )
    # The installation points at a closed loopback port: the worker's attempt fails in transport and is
    # recorded for retry, which proves the task ran in the worker and wrote its outcome.
    # enqueue() scheduled the dispatch on commit (autocommit here): the worker picks it up by itself.
    assert _wait_until(lambda: OutboxMessage.objects.get(pk=message.pk).last_error != "", timeout=15)
    message = OutboxMessage.objects.get(pk=message.pk)
    assert message.attempts == 1
    assert message.status == "pending"
    assert message.last_error.startswith("transport")
    # A second dispatch before the backoff has elapsed is a no-op: the message is not due.
    assert dispatch_outbox_message.delay(message.pk).get(timeout=15) is None
    assert OutboxMessage.objects.get(pk=message.pk).attempts == 1


def _has_operation(name):
    from saleor_aftersales.core.documents import saleor_operation_names

    return name in saleor_operation_names()


def _any_operation():
    from saleor_aftersales.core.documents import saleor_operation_names

    return saleor_operation_names()[0]
