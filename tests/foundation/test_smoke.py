import json

import jwt

from saleor_aftersales.webhooks.models import WebhookDelivery

from ..conftest import TEST_API_URL


def sign_like_saleor(body: bytes, key, kid="test-key") -> str:
    return jwt.api_jws.encode(
        body,
        key,
        algorithm="RS256",
        headers={"kid": kid, "b64": False, "crit": ["b64"]},
        is_payload_detached=True,
    )


def test_manifest_lists_webhooks(client):
    response = client.get("/api/manifest")
    assert response.status_code == 200
    data = response.json()
    events = {e for w in data["webhooks"] for e in w["asyncEvents"]}
    assert {"ORDER_FULLY_PAID", "ORDER_FULFILLED", "CUSTOMER_CREATED"} <= events


def test_webhook_roundtrip_and_duplicate(client, installation, rsa_key):
    body = json.dumps(
        {
            "__typename": "OrderCreated",
            "issuedAt": "2026-11-22T10:00:00+00:00",
            "order": {"id": "T3JkZXI6MQ==", "number": "1", "lines": []},
        }
    ).encode()
    headers = {
        "HTTP_SALEOR_API_URL": TEST_API_URL,
        "HTTP_SALEOR_EVENT": "order_created",
        "HTTP_SALEOR_SIGNATURE": sign_like_saleor(body, rsa_key),
    }
    r1 = client.post("/api/webhooks/order_created", body, content_type="application/json", **headers)
    r2 = client.post("/api/webhooks/order_created", body, content_type="application/json", **headers)
    assert r1.status_code == 200 and r2.status_code == 200, (r1.content, r2.content)
    assert r2.json()["duplicate"] is True
    assert WebhookDelivery.objects.count() == 1


def test_graphql_app_info(gql):
    assert gql("{ appInfo { version } }")["data"]["appInfo"]["version"]
