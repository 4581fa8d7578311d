"""Foundation unit tests: manifest, documents vs Saleor's schema, signature verification on the real samples,
webhook view rejections, health/metrics, token at rest."""

import json
from pathlib import Path

import jwt
import pytest
from django.db import connection
from graphql import build_schema, parse, validate

from saleor_aftersales.core.documents import saleor_operation, saleor_operation_names, subscription_documents
from saleor_aftersales.installations.signatures import InvalidSignature, verify_with_jwks
from saleor_aftersales.webhooks.models import WebhookDelivery

from ..conftest import TEST_API_URL

REPO = Path(__file__).resolve().parents[2]
SHARED_SALEOR = REPO.parent / "shared" / "saleor"
SAMPLES = SHARED_SALEOR / "samples"


def sign_like_saleor(body: bytes, key, kid="test-key", **extra_headers) -> str:
    headers = {"kid": kid, "b64": False, "crit": ["b64"], **extra_headers}
    return jwt.api_jws.encode(body, key, algorithm="RS256", headers=headers, is_payload_detached=True)


def _sample_requests():
    for path in sorted((SAMPLES / "events").glob("*.json")):
        data = json.loads(path.read_text())
        yield path.name, data["headers"], data["body"]
    for i, data in enumerate(json.loads((SAMPLES / "captured-requests.json").read_text())):
        headers = data.get("headers") or {}
        if any(k.lower() == "saleor-signature" for k in headers):
            yield f"captured-{i}", headers, data["body"]


def _header(headers, name):
    return next(v for k, v in headers.items() if k.lower() == name.lower())


def _body_bytes(body) -> bytes:
    return body.encode() if isinstance(body, str) else json.dumps(body).encode()


# --- manifest ---------------------------------------------------------------------------------------------


def test_manifest_is_served_without_redirect_with_absolute_urls(client, settings):
    settings.PUBLIC_URL = "https://aftersales.example.com"
    response = client.get("/api/manifest")
    assert response.status_code == 200
    data = response.json()
    assert data["requiredSaleorVersion"].startswith(">=3.2")
    assert data["tokenTargetUrl"] == "https://aftersales.example.com/api/register"
    assert data["appUrl"].startswith("https://aftersales.example.com/")
    assert {
        "MANAGE_ORDERS",
        "MANAGE_USERS",
        "MANAGE_GIFT_CARD",
        "MANAGE_DISCOUNTS",
        "HANDLE_PAYMENTS",
    } <= set(data["permissions"])
    for webhook in data["webhooks"]:
        assert webhook["targetUrl"].startswith("https://aftersales.example.com/api/webhooks/")
        assert webhook["query"].lstrip().startswith("subscription")


def test_manifest_webhooks_come_from_webhook_documents(client):
    data = client.get("/api/manifest").json()
    events = {e for w in data["webhooks"] for e in w["asyncEvents"]}
    required = {
        "ORDER_CREATED",
        "ORDER_FULLY_PAID",
        "ORDER_FULFILLED",
        "FULFILLMENT_CREATED",
        "ORDER_REFUNDED",
        "ORDER_FULLY_REFUNDED",
        "ORDER_CANCELLED",
        "ORDER_UPDATED",
        "CUSTOMER_CREATED",
    }
    assert required <= events
    assert len(subscription_documents()) >= len(required)


# --- documents against Saleor's schema ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def saleor_schema():
    return build_schema((SHARED_SALEOR / "schema.graphql").read_text())


def test_every_saleor_operation_validates_against_saleor_schema(saleor_schema):
    names = saleor_operation_names()
    assert names, "no documents in graphql/saleor/"
    problems = {}
    for name in names:
        errors = validate(saleor_schema, parse(saleor_operation(name)))
        if errors:
            problems[name] = [e.message for e in errors]
    assert problems == {}


def test_every_subscription_document_validates_against_saleor_schema(saleor_schema):
    problems = {}
    for name, source in subscription_documents().items():
        errors = validate(saleor_schema, parse(source))
        if errors:
            problems[name] = [e.message for e in errors]
    assert problems == {}


# --- signatures on the real samples -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_jwks():
    return json.loads((SAMPLES / "jwks.json").read_text())


def test_verifier_accepts_every_real_sample(sample_jwks):
    checked = 0
    for name, headers, body in _sample_requests():
        verify_with_jwks(_header(headers, "Saleor-Signature"), _body_bytes(body), sample_jwks)
        checked += 1
    assert checked >= 14


def test_verifier_rejects_tampered_body_and_truncated_signature(sample_jwks):
    name, headers, body = next(_sample_requests())
    signature = _header(headers, "Saleor-Signature")
    raw = _body_bytes(body)
    with pytest.raises(InvalidSignature):
        verify_with_jwks(signature, raw.replace(b"issuedAt", b"issuedAT"), sample_jwks)
    with pytest.raises(InvalidSignature):
        verify_with_jwks(signature[:-10], raw, sample_jwks)


def test_verifier_rejects_hs256_and_attached_payload(rsa_key, jwks):
    body = b'{"a": 1}'
    hs = jwt.api_jws.encode(
        body,
        "a-shared-secret-that-is-long-enough-for-hs256",
        algorithm="HS256",
        headers={"kid": "test-key", "b64": False, "crit": ["b64"]},
        is_payload_detached=True,
    )
    with pytest.raises(InvalidSignature):
        verify_with_jwks(hs, body, jwks)
    # b64 true (the default): a standard JWS over base64url(payload), made detached by dropping the payload.
    header, _, sig = jwt.api_jws.encode(body, rsa_key, algorithm="RS256", headers={"kid": "test-key"}).split(
        "."
    )
    attached = f"{header}..{sig}"
    with pytest.raises(InvalidSignature):
        verify_with_jwks(attached, body, jwks)


# --- webhook view -----------------------------------------------------------------------------------------

ORDER_CREATED = json.dumps(
    {
        "__typename": "OrderCreated",
        "issuedAt": "2026-11-22T10:00:00+00:00",
        "order": {"id": "T3JkZXI6MQ==", "number": "1", "lines": []},
    }
).encode()


def _post(client, body, signature, event="order_created", path_event=None, api_url=TEST_API_URL):
    headers = {"HTTP_SALEOR_EVENT": event, "HTTP_SALEOR_SIGNATURE": signature}
    if api_url:
        headers["HTTP_SALEOR_API_URL"] = api_url
    return client.post(
        f"/api/webhooks/{path_event or event}", body, content_type="application/json", **headers
    )


def test_forged_signature_is_401_and_nothing_stored(client, installation):
    from cryptography.hazmat.primitives.asymmetric import rsa

    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    response = _post(client, ORDER_CREATED, sign_like_saleor(ORDER_CREATED, other_key))
    assert response.status_code == 401
    assert WebhookDelivery.objects.count() == 0


def test_unknown_installation_is_401(client, installation, rsa_key):
    response = _post(
        client,
        ORDER_CREATED,
        sign_like_saleor(ORDER_CREATED, rsa_key),
        api_url="https://other.example/graphql/",
    )
    assert response.status_code == 401
    assert WebhookDelivery.objects.count() == 0


def test_missing_headers_is_400(client, installation, rsa_key):
    response = client.post("/api/webhooks/order_created", ORDER_CREATED, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["success"] is False
    assert WebhookDelivery.objects.count() == 0


def test_wrong_and_unknown_event_are_400(client, installation, rsa_key):
    signature = sign_like_saleor(ORDER_CREATED, rsa_key)
    assert (
        _post(
            client, ORDER_CREATED, signature, event="order_cancelled", path_event="order_created"
        ).status_code
        == 400
    )
    assert _post(client, ORDER_CREATED, signature, event="no_such_event").status_code == 400
    assert WebhookDelivery.objects.count() == 0


def test_oversized_body_is_413(client, installation, rsa_key, settings):
    body = b'{"pad": "' + b"x" * (settings.WEBHOOK_MAX_BODY_BYTES + 10) + b'"}'
    response = _post(client, body, sign_like_saleor(body, rsa_key))
    assert response.status_code == 413
    assert WebhookDelivery.objects.count() == 0


def test_invalid_json_with_valid_signature_is_400(client, installation, rsa_key):
    body = b"{not json"
    response = _post(client, body, sign_like_saleor(body, rsa_key))
    assert response.status_code == 400
    assert WebhookDelivery.objects.count() == 0


def test_replay_is_stored_once(client, installation, rsa_key):
    signature = sign_like_saleor(ORDER_CREATED, rsa_key)
    responses = [_post(client, ORDER_CREATED, signature) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert [r.json().get("duplicate", False) for r in responses] == [False, True, True]
    assert WebhookDelivery.objects.count() == 1


# --- operations -------------------------------------------------------------------------------------------


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.json()["checks"]["database"] == "ok", response.json()
    # Tests run Celery eagerly, so the broker check says so instead of connecting.
    assert response.json()["checks"]["broker"] == "eager", response.json()
    assert response.status_code == 200


def test_metrics_exposes_webhook_counters(client, installation, rsa_key):
    _post(client, ORDER_CREATED, sign_like_saleor(ORDER_CREATED, rsa_key))
    response = client.get("/metrics")
    assert response.status_code == 200
    assert b"webhook" in response.content


def test_installation_token_is_encrypted_at_rest_and_not_in_manifest(client, installation):
    token = installation.auth_token
    assert token
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT auth_token FROM " + installation._meta.db_table + " WHERE id = %s", [installation.pk]
        )
        raw = cursor.fetchone()[0]
    assert raw != token and token not in raw
    assert token not in client.get("/api/manifest").content.decode()


def test_redact_removes_bearer_tokens():
    from saleor_aftersales.core.logging import redact

    out = redact("Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl")
    assert "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl" not in out
