"""The inbox write path in autocommit (as under gunicorn) and the drain wake-up that replaces per-delivery messages."""

import json

import pytest
from django.core.cache import cache

from saleor_aftersales.webhooks import inbox, processing
from saleor_aftersales.webhooks.models import DeliveryStatus, WebhookDelivery

from .test_foundation_ops import _post, sign_like_saleor


def _customer_created(n: int) -> bytes:
    return json.dumps(
        {
            "__typename": "CustomerCreated",
            "issuedAt": f"2026-11-22T10:00:{n:02d}+00:00",
            "issuingPrincipal": None,
            "user": {"id": f"VXNlcjo{n}", "email": f"inbox{n}@example.com", "languageCode": "EN"},
        }
    ).encode()


@pytest.fixture
def autocommit_installation(transactional_db, jwks):
    # transactional_db: requests run in autocommit, the path production takes (one INSERT ... ON CONFLICT).
    from saleor_aftersales.installations.models import Installation

    from ..conftest import TEST_API_URL, TEST_APP_ID

    cache.delete(inbox.DRAIN_WAKEUP_KEY)
    return Installation.objects.create(
        saleor_api_url=TEST_API_URL,
        saleor_domain="127.0.0.1:9",
        app_id=TEST_APP_ID,
        auth_token="t",
        jwks=jwks,
    )


def test_redelivery_in_autocommit_is_one_row_counting_duplicates(client, autocommit_installation, rsa_key):
    body = _customer_created(1)
    signature = sign_like_saleor(body, rsa_key)
    answers = [_post(client, body, signature, event="customer_created").json() for _ in range(5)]
    assert [a.get("duplicate", False) for a in answers] == [False, True, True, True, True]
    delivery = WebhookDelivery.objects.get()
    assert delivery.duplicates == 4
    # Eager Celery: the drain ran right after the first store and processed the delivery exactly once.
    assert delivery.status == DeliveryStatus.PROCESSED
    assert delivery.attempts == 1


def test_delivery_stored_while_a_drain_is_pending_is_processed_by_that_drain(
    client, autocommit_installation, rsa_key
):
    # A drain is already asked for (flag set, its message not yet run): new deliveries publish nothing ...
    cache.add(inbox.DRAIN_WAKEUP_KEY, 1, timeout=60)
    for n in (2, 3, 4):
        body = _customer_created(n)
        assert (
            _post(client, body, sign_like_saleor(body, rsa_key), event="customer_created").status_code == 200
        )
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.RECEIVED).count() == 3
    # ... and the pending drain, when it runs, clears the flag first and then takes all of them.
    assert processing.drain_inbox() == 3
    assert cache.get(inbox.DRAIN_WAKEUP_KEY) is None
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.PROCESSED).count() == 3


def test_drain_leaves_failed_deliveries_to_the_backoff_sweep(autocommit_installation):
    delivery_ok = WebhookDelivery.objects.create(
        installation=autocommit_installation,
        event="CUSTOMER_CREATED",
        body_sha256="a" * 64,
        body=_customer_created(5).decode(),
    )
    failed_once = WebhookDelivery.objects.create(
        installation=autocommit_installation,
        event="CUSTOMER_CREATED",
        body_sha256="b" * 64,
        body=_customer_created(6).decode(),
        attempts=1,
    )
    assert processing.drain_inbox() == 1
    delivery_ok.refresh_from_db()
    failed_once.refresh_from_db()
    assert delivery_ok.status == DeliveryStatus.PROCESSED
    assert (failed_once.status, failed_once.attempts) == (DeliveryStatus.RECEIVED, 1)


def test_installation_lookup_is_cached_per_process_and_cleared_on_deactivation(
    client, autocommit_installation, rsa_key, django_assert_num_queries
):
    from saleor_aftersales.installations.actions import deactivate_installation
    from saleor_aftersales.installations.lookup import active_installation

    from ..conftest import TEST_API_URL

    assert active_installation(TEST_API_URL) == autocommit_installation
    with django_assert_num_queries(0):
        assert active_installation(TEST_API_URL) == autocommit_installation
    deactivate_installation(installation=autocommit_installation)
    body = _customer_created(7)
    response = _post(client, body, sign_like_saleor(body, rsa_key), event="customer_created")
    assert response.status_code == 401
    assert not WebhookDelivery.objects.filter(body_sha256__isnull=False).exists()
