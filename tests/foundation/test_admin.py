"""Django admin for operations: installations (token never shown), the webhook inbox, the outbox and the
configuration history, each listed and opened by a superuser; others are sent to the login page."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.contrib.auth import get_user_model

from saleor_aftersales.audit.models import ConfigurationChange
from saleor_aftersales.outbox.actions import enqueue
from saleor_aftersales.webhooks.models import WebhookDelivery


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("ops", "ops@example.com", "not-a-real-password")
    client.force_login(user)
    return client


def _rows(installation):
    raw = json.dumps({"issuedAt": "2026-11-02T10:00:00+00:00", "order": {"id": "T3JkZXI6MQ=="}})
    delivery = WebhookDelivery.objects.create(
        installation=installation,
        event="ORDER_CREATED",
        body=raw,
        body_sha256=hashlib.sha256(raw.encode()).hexdigest(),
    )
    message = enqueue(
        installation=installation, operation="OrderNoteAdd", idempotency_key="note:1", variables={"id": "x"}
    )
    change = ConfigurationChange.objects.create(
        installation=installation, type="created", target_type="returns.ReturnReason", target_id="1",
        actor_type="system",
    )  # fmt: skip
    return delivery, message, change


def test_superuser_lists_and_opens_installations_inbox_outbox_and_history(admin_client, installation):
    delivery, message, change = _rows(installation)
    pages = {
        "/admin/installations/installation/": installation.saleor_api_url,
        f"/admin/installations/installation/{installation.pk}/change/": installation.app_id,
        "/admin/webhooks/webhookdelivery/": "ORDER_CREATED",
        f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/": delivery.body_sha256,
        "/admin/outbox/outboxmessage/": "OrderNoteAdd",
        f"/admin/outbox/outboxmessage/{message.pk}/change/": "note:1",
        "/admin/audit/configurationchange/": "returns.ReturnReason",
    }
    for url, expected in pages.items():
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert expected in response.content.decode(), url
    page = admin_client.get(f"/admin/installations/installation/{installation.pk}/change/").content.decode()
    assert installation.auth_token not in page and "auth_token" not in page
    # The history is append-only: no add or change form.
    assert admin_client.get("/admin/audit/configurationchange/add/").status_code == 403


def test_admin_needs_a_staff_login(client, installation):
    response = client.get("/admin/webhooks/webhookdelivery/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
