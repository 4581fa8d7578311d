"""The asyncio ingest path (saleor_aftersales.asgi.application under uvicorn + uvloop + httptools, as gunicorn's
uvicorn worker runs it), over real HTTP against the test database: the same answers as the Django view, the
same rows, 200 only after commit, dedupe, nothing stored for bad input, the JWKS refetch off the loop, and
everything else served by Django's ASGI handler."""

import asyncio
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.cache import cache

from saleor_aftersales.asgi import application
from saleor_aftersales.core.metrics import WEBHOOKS_DUPLICATE, WEBHOOKS_RECEIVED, WEBHOOKS_REJECTED
from saleor_aftersales.installations.lookup import forget_installations
from saleor_aftersales.webhooks import async_inbox, inbox
from saleor_aftersales.webhooks.models import DeliveryStatus, WebhookDelivery

from ..conftest import TEST_API_URL, TEST_APP_ID
from .test_foundation_ops import ORDER_CREATED, sign_like_saleor
from .test_webhook_fast_path import EXPECTED, _bad_requests, saleor_headers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server:
    """uvicorn serving the app on a loopback port from a thread of this process (its own event loop)."""

    def __init__(self, app=application):
        self.port = _free_port()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            loop="uvloop",
            http="httptools",
            lifespan="on",
            log_level="warning",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        assert self.server.started, "uvicorn did not start"
        self.base = f"http://127.0.0.1:{self.port}"
        self.client = httpx.Client(base_url=self.base, timeout=10)
        return self

    def __exit__(self, *exc):
        self.client.close()
        self.server.should_exit = True
        self.thread.join(10)

    def post(self, body: bytes, headers: dict, path: str = "/api/webhooks/order_created", **kwargs):
        return self.client.post(
            path, content=body, headers={"Content-Type": "application/json", **headers}, **kwargs
        )


@pytest.fixture
def live_installation(transactional_db, jwks):
    # transactional_db: the server's own connections (psycopg on the loop, Django in threads) see committed rows.
    from saleor_aftersales.installations.models import Installation

    cache.delete(inbox.DRAIN_WAKEUP_KEY)
    forget_installations()
    yield Installation.objects.create(
        saleor_api_url=TEST_API_URL,
        saleor_domain="127.0.0.1:9",
        app_id=TEST_APP_ID,
        auth_token="t",
        jwks=jwks,
    )
    forget_installations()


@pytest.fixture
def asgi_server(live_installation):
    with _Server() as server:
        yield server


def _customer_created(n: int) -> bytes:
    return json.dumps(
        {
            "__typename": "CustomerCreated",
            "issuedAt": f"2026-11-22T11:{n // 60:02d}:{n % 60:02d}+00:00",
            "issuingPrincipal": None,
            "user": {"id": f"VXNlcjo{n}", "email": f"asgi{n}@example.com", "languageCode": "EN"},
        }
    ).encode()


def test_accepted_delivery_is_stored_once_processed_and_answers_like_the_view(asgi_server, rsa_key):
    signature = sign_like_saleor(ORDER_CREATED, rsa_key)
    received = WEBHOOKS_RECEIVED.labels("ORDER_CREATED")._value.get()
    duplicates = WEBHOOKS_DUPLICATE.labels("ORDER_CREATED")._value.get()
    response = asgi_server.post(ORDER_CREATED, saleor_headers(signature) | {"X-Request-Id": "req-asgi-0001"})
    assert (response.status_code, response.json()) == (200, {"success": True})
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"] == "req-asgi-0001"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in response.headers  # answered ahead of Django's middleware
    delivery = WebhookDelivery.objects.get()
    assert (delivery.event, delivery.body, delivery.installation_id, delivery.duplicates) == (
        "ORDER_CREATED",
        ORDER_CREATED.decode(),
        asgi_server_installation_id(),
        0,
    )
    # Eager Celery in tests: the drain woken after the commit (off the loop, after the answer) processes it.
    deadline = time.monotonic() + 10
    while WebhookDelivery.objects.get().status != DeliveryStatus.PROCESSED and time.monotonic() < deadline:
        time.sleep(0.02)
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PROCESSED
    # Saleor's retries: the same bytes are counted, not stored again.
    for _ in range(4):
        again = asgi_server.post(ORDER_CREATED, saleor_headers(signature))
        assert (again.status_code, again.json()) == (200, {"success": True, "duplicate": True})
    assert WebhookDelivery.objects.get().duplicates == 4
    assert WEBHOOKS_RECEIVED.labels("ORDER_CREATED")._value.get() == received + 1
    assert WEBHOOKS_DUPLICATE.labels("ORDER_CREATED")._value.get() == duplicates + 4


def asgi_server_installation_id():
    from saleor_aftersales.installations.models import Installation

    return Installation.objects.get(saleor_api_url=TEST_API_URL).pk


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_bad_input_gets_the_same_answer_as_the_django_view_and_stores_nothing(
    case, asgi_server, client, rsa_key, settings
):
    body, headers, path_event = _bad_requests(rsa_key, settings.WEBHOOK_MAX_BODY_BYTES)[case]
    path = f"/api/webhooks/{path_event or 'order_created'}"
    code = EXPECTED[case][1]
    rejected = WEBHOOKS_REJECTED.labels(code.lower())._value.get()
    response = asgi_server.post(body, headers, path=path)
    answer = response.json()
    assert (response.status_code, answer["success"], answer["error"]["code"]) == (
        EXPECTED[case][0],
        False,
        code,
    )
    assert WEBHOOKS_REJECTED.labels(code.lower())._value.get() == rejected + 1
    django_headers = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    via_django = client.post(path, body, content_type="application/json", **django_headers)
    assert (via_django.status_code, via_django.json()) == (response.status_code, answer)
    assert WebhookDelivery.objects.count() == 0


def test_chunked_oversized_body_is_413_and_stores_nothing(asgi_server, rsa_key, settings):
    settings.WEBHOOK_MAX_BODY_BYTES = 1000
    body = b'{"pad": "' + b"x" * 5000 + b'"}'

    def chunks():  # no Content-Length: the size is only known by reading
        for i in range(0, len(body), 700):
            yield body[i : i + 700]

    response = asgi_server.client.post(
        "/api/webhooks/order_created",
        content=chunks(),
        headers=saleor_headers(sign_like_saleor(body, rsa_key)) | {"Content-Type": "application/json"},
    )
    assert (response.status_code, response.json()["error"]["code"]) == (413, "BODY_TOO_LARGE")
    assert WebhookDelivery.objects.count() == 0


def test_disallowed_host_is_400_and_stores_nothing(asgi_server, rsa_key, settings):
    settings.ALLOWED_HOSTS = ["aftersales.example.com"]
    signature = sign_like_saleor(ORDER_CREATED, rsa_key)
    response = asgi_server.post(ORDER_CREATED, saleor_headers(signature) | {"Host": "evil.example"})
    assert (response.status_code, response.json()["error"]["code"]) == (400, "DISALLOWED_HOST")
    assert WebhookDelivery.objects.count() == 0
    response = asgi_server.post(ORDER_CREATED, saleor_headers(signature) | {"Host": "aftersales.example.com"})
    assert response.status_code == 200
    assert WebhookDelivery.objects.count() == 1


def test_concurrent_deliveries_are_each_stored_once(asgi_server, rsa_key):
    bodies = [_customer_created(n) for n in range(60)]
    signed = [(b, sign_like_saleor(b, rsa_key)) for b in bodies]
    signed += signed[:20]  # 20 of them re-delivered while the others are in flight

    async def send_all():
        async with httpx.AsyncClient(base_url=asgi_server.base, timeout=20) as http:
            return await asyncio.gather(
                *(
                    http.post(
                        "/api/webhooks/customer_created",
                        content=body,
                        headers=saleor_headers(sig, event="customer_created")
                        | {"Content-Type": "application/json"},
                    )
                    for body, sig in signed
                )
            )

    responses = asyncio.run(send_all())
    assert [r.status_code for r in responses] == [200] * 80
    assert sum(bool(r.json().get("duplicate")) for r in responses) == 20
    assert WebhookDelivery.objects.count() == 60
    assert sum(WebhookDelivery.objects.values_list("duplicates", flat=True)) == 20


def test_installation_cache_miss_and_deactivation(asgi_server, live_installation, rsa_key):
    from saleor_aftersales.installations.actions import deactivate_installation

    body = _customer_created(200)
    assert asgi_server.post(body, saleor_headers(sign_like_saleor(body, rsa_key))).status_code != 401
    deactivate_installation(installation=live_installation)  # clears this process's cache: the next is a miss
    body = _customer_created(201)
    response = asgi_server.post(
        body,
        saleor_headers(sign_like_saleor(body, rsa_key), event="customer_created"),
        path="/api/webhooks/customer_created",
    )
    assert (response.status_code, response.json()["error"]["code"]) == (401, "NOT_REGISTERED")
    assert not WebhookDelivery.objects.filter(body=body.decode()).exists()


class _JwksServer:
    """A Saleor's /.well-known/jwks.json on loopback, counting fetches."""

    def __init__(self, jwks: dict):
        self.jwks = jwks
        self.fetches = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.fetches += 1
                data = json.dumps(outer.jwks).encode()
                self.send_response(200 if self.path == "/.well-known/jwks.json" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.api_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/graphql/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_unknown_kid_refetches_the_jwks_once_off_the_loop(transactional_db, jwks, rsa_key):
    from saleor_aftersales.installations.models import Installation

    rotated = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rotated_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rotated.public_key()))
    rotated_jwk.update({"kid": "rotated-key", "use": "sig", "alg": "RS256"})
    saleor = _JwksServer({"keys": [*jwks["keys"], rotated_jwk]})
    forget_installations()
    installation = Installation.objects.create(
        saleor_api_url=saleor.api_url,
        saleor_domain="127.0.0.1",
        app_id=TEST_APP_ID,
        auth_token="t",
        jwks=jwks,
    )
    try:
        with _Server() as server:
            headers = {"Saleor-Event": "customer_created", "Saleor-Api-Url": saleor.api_url}
            path = "/api/webhooks/customer_created"
            first, second, forged = _customer_created(300), _customer_created(301), _customer_created(302)
            response = server.post(
                first,
                headers | {"Saleor-Signature": sign_like_saleor(first, rotated, kid="rotated-key")},
                path,
            )
            assert response.status_code == 200, response.text
            assert saleor.fetches == 1
            response = server.post(
                second,
                headers | {"Saleor-Signature": sign_like_saleor(second, rotated, kid="rotated-key")},
                path,
            )
            assert response.status_code == 200
            assert saleor.fetches == 1  # the refetched key is cached
            # A kid Saleor does not publish: one refetch, then 401 and nothing stored.
            response = server.post(
                forged,
                headers | {"Saleor-Signature": sign_like_saleor(forged, rotated, kid="no-such-key")},
                path,
            )
            assert (response.status_code, response.json()["error"]["code"]) == (
                401,
                "SIGNATURE_VERIFICATION_FAILED",
            )
            assert saleor.fetches == 2
        installation.refresh_from_db()
        assert [k["kid"] for k in installation.jwks["keys"]] == ["test-key", "rotated-key"]
        assert set(WebhookDelivery.objects.values_list("body", flat=True)) == {
            first.decode(),
            second.decode(),
        }
    finally:
        saleor.close()
        forget_installations()


def test_everything_else_goes_to_djangos_asgi_handler(asgi_server, rsa_key, settings):
    response = asgi_server.client.get("/api/webhooks/order_created")
    assert (response.status_code, response.json()["error"]["code"]) == (405, "METHOD_NOT_ALLOWED")
    assert asgi_server.client.post("/api/webhooks/Order_Created", content=b"{}").status_code == 404
    manifest = asgi_server.client.get("/api/manifest")
    assert manifest.status_code == 200 and "tokenTargetUrl" in manifest.json()
    assert asgi_server.client.get("/healthz").json()["checks"]["database"] == "ok"
    graphql = asgi_server.client.post("/graphql/", json={"query": "{ __typename }"})
    assert (graphql.status_code, graphql.json()) == (200, {"data": {"__typename": "Query"}})
    assert "x-request-id" in graphql.headers  # Django's middleware ran
    # With the fast path off, webhooks are served by Django's view (its middleware ran), with the same answer.
    settings.WEBHOOK_FAST_PATH = False
    response = asgi_server.post(ORDER_CREATED, saleor_headers(sign_like_saleor(ORDER_CREATED, rsa_key)))
    assert (response.status_code, response.json()) == (200, {"success": True})
    assert "content-security-policy" in response.headers and "x-request-id" in response.headers
    assert WebhookDelivery.objects.count() == 1


# --- the asyncio group commit (PostgreSQL) ------------------------------------------------------------------


def _row(installation_id: int, n: int):
    return (installation_id, "CUSTOMER_CREATED", f"{n:064x}", f'{{"n": {n}}}', None, False)


class _HeldAsyncGroupCommit(async_inbox.AsyncGroupCommit):
    """The first batch's statement waits until the test lets it run, so the next callers queue up behind it."""

    def __init__(self):
        super().__init__()
        self.release = asyncio.Event()
        self.batches: list[int] = []

    async def _write(self, rows):
        self.batches.append(len(rows))
        if len(self.batches) == 1:
            await self.release.wait()
        return await super()._write(rows)


@pytest.mark.postgres_only
def test_async_group_commit_shares_one_statement_and_answers_only_after_commit(live_installation):
    pk = live_installation.pk
    rows = [_row(pk, 10)] + [_row(pk, n) for n in range(11, 17)] + [_row(pk, 11)]  # 8 callers, one repeat

    async def scenario():
        group = _HeldAsyncGroupCommit()
        first = asyncio.create_task(group.store(rows[0]))
        await asyncio.sleep(0.01)  # the writer took the first row alone and is held before its statement
        rest = [asyncio.create_task(group.store(row)) for row in rows[1:]]
        await asyncio.sleep(0.05)
        # Nobody has an answer while the statement holding their row has not committed.
        assert not first.done() and not any(t.done() for t in rest)
        visible = await asyncio.to_thread(lambda: WebhookDelivery.objects.count())
        assert visible == 0
        group.release.set()
        results = [await first] + [await t for t in rest]
        await group.close()
        return group.batches, results

    batches, results = asyncio.run(scenario())
    assert batches == [1, 7]  # the held batch alone, then everyone who queued meanwhile: one statement
    assert sorted(created for _, created in results) == [False] + [True] * 7
    stored = dict(WebhookDelivery.objects.values_list("body_sha256", "pk"))
    assert len(stored) == 7
    assert [pk for pk, _ in results] == [stored[row[2]] for row in rows]
    assert WebhookDelivery.objects.get(body_sha256=rows[1][2]).duplicates == 1
    assert WebhookDelivery.objects.values("received_at").distinct().count() == 2  # one per statement


@pytest.mark.postgres_only
def test_a_failed_async_batch_fails_every_caller_in_it_and_stores_none_of_it(live_installation):
    import psycopg

    pk = live_installation.pk
    rows = [_row(pk, 20), _row(pk, 21), _row(pk + 1000, 22), _row(pk, 23)]  # 22: no such installation

    async def scenario():
        group = _HeldAsyncGroupCommit()
        first = asyncio.create_task(group.store(rows[0]))
        await asyncio.sleep(0.01)
        rest = [asyncio.create_task(group.store(row)) for row in rows[1:]]
        await asyncio.sleep(0.01)
        group.release.set()
        outcomes = await asyncio.gather(first, *rest, return_exceptions=True)
        again = await group.store(_row(pk, 21))  # the group and its connection are usable afterwards
        await group.close()
        return group.batches, outcomes, again

    batches, outcomes, again = asyncio.run(scenario())
    assert batches == [1, 3, 1]
    assert isinstance(outcomes[0], tuple) and outcomes[0][1] is True
    assert all(isinstance(o, psycopg.errors.ForeignKeyViolation) for o in outcomes[1:]), outcomes
    assert again[1] is True
    assert sorted(WebhookDelivery.objects.values_list("body_sha256", flat=True)) == sorted(
        [rows[0][2], rows[1][2]]
    )


@pytest.mark.postgres_only
def test_async_inbox_reconnects_after_its_connection_was_cut(asgi_server, rsa_key, monkeypatch):
    from django.db import connection

    monkeypatch.setattr(inbox, "HEALTH_CHECK_AFTER_IDLE_SECONDS", 0.2)
    headers = {"Saleor-Event": "customer_created", "Saleor-Api-Url": TEST_API_URL}
    path = "/api/webhooks/customer_created"
    first, second = _customer_created(400), _customer_created(401)
    assert (
        asgi_server.post(
            first, headers | {"Saleor-Signature": sign_like_saleor(first, rsa_key)}, path
        ).status_code
        == 200
    )
    with connection.cursor() as cursor:  # a server restart / idle timeout: the ingest connection is gone
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = 'saleor-aftersales-ingest' AND datname = current_database()"
        )
        assert cursor.fetchone()[0] == 1
    time.sleep(0.3)  # idle longer than the health-check interval: the next batch pings and reconnects
    response = asgi_server.post(
        second, headers | {"Saleor-Signature": sign_like_saleor(second, rsa_key)}, path
    )
    assert (response.status_code, response.json()) == (200, {"success": True})
    assert WebhookDelivery.objects.count() == 2


def test_rejections_are_json_logs_with_the_request_id(asgi_server, rsa_key):
    import logging

    from saleor_aftersales.core.logging import JsonFormatter

    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):  # formatted on the loop, inside the request: the request id is bound there
            lines.append(JsonFormatter().format(record))

    handler = Collect(level=logging.WARNING)
    logger = logging.getLogger("saleor_aftersales.webhooks.views")
    # Other tests (a Celery worker) may have raised the root level or disabled loggers: pin ours for this one.
    saved = (logger.level, logger.disabled)
    logger.setLevel(logging.WARNING)
    logger.disabled = False
    logger.addHandler(handler)
    try:
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        response = asgi_server.post(
            ORDER_CREATED,
            saleor_headers(sign_like_saleor(ORDER_CREATED, other)) | {"X-Request-Id": "req-asgi-log-42"},
        )
    finally:
        logger.removeHandler(handler)
        logger.level, logger.disabled = saved
    assert response.status_code == 401
    assert response.headers["x-request-id"] == "req-asgi-log-42"
    logged = [json.loads(line) for line in lines]
    assert [(e["request_id"], e["code"], e["status"]) for e in logged] == [
        ("req-asgi-log-42", "SIGNATURE_VERIFICATION_FAILED", 401)
    ]


@pytest.mark.postgres_only
def test_database_unreachable_is_500_for_a_retry_and_stores_nothing(asgi_server, rsa_key, monkeypatch):
    closed_port = _free_port()
    real = async_inbox.connection_kwargs
    monkeypatch.setattr(
        async_inbox, "connection_kwargs", lambda: real() | {"host": "127.0.0.1", "port": str(closed_port)}
    )
    body = _customer_created(500)
    headers = saleor_headers(sign_like_saleor(body, rsa_key), event="customer_created")
    response = asgi_server.post(body, headers, path="/api/webhooks/customer_created")
    assert (response.status_code, response.json()["error"]["code"]) == (500, "INTERNAL_ERROR")
    assert WebhookDelivery.objects.count() == 0
    monkeypatch.setattr(async_inbox, "connection_kwargs", real)  # Saleor's retry, once the database is back
    response = asgi_server.post(body, headers, path="/api/webhooks/customer_created")
    assert (response.status_code, response.json()) == (200, {"success": True})
    assert WebhookDelivery.objects.count() == 1


class _RecordingAsyncGroupCommit(async_inbox.AsyncGroupCommit):
    def __init__(self):
        super().__init__()
        self.batches: list[int] = []

    async def _write(self, rows):
        self.batches.append(len(rows))
        return await super()._write(rows)


@pytest.mark.postgres_only
def test_linger_grows_a_batch_under_load_and_is_off_by_default(live_installation, settings):
    pk = live_installation.pk

    async def scenario(first_n):
        group = _RecordingAsyncGroupCommit()
        group._last_batch, group._last_write = 3, time.monotonic()  # as right after a batch of 3, under load
        started = time.monotonic()
        first = asyncio.create_task(group.store(_row(pk, first_n)))
        await asyncio.sleep(0.005)
        rest = [asyncio.create_task(group.store(_row(pk, first_n + i))) for i in (1, 2, 3)]
        results = await asyncio.gather(first, *rest)
        await group.close()
        assert all(created for _, created in results)
        return group.batches, time.monotonic() - started

    assert settings.WEBHOOK_GROUP_COMMIT_LINGER_MS == 0
    batches, _ = asyncio.run(scenario(600))
    assert batches[0] == 1  # off: the first row is written at once
    settings.WEBHOOK_GROUP_COMMIT_LINGER_MS = 2000
    batches, elapsed = asyncio.run(scenario(610))
    assert batches == [4]  # waited for the last batch's size plus one ...
    assert elapsed < 1.0  # ... and wrote as soon as they were there, not after the 2 s
    assert WebhookDelivery.objects.count() == 8
