"""Outbox exactly-once behaviour, API authentication, query limits and the DataLoader error-path shim."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import graphene
import pytest
from django.test import override_settings
from graphql import parse, validate
from promise import Promise

from saleor_aftersales.graphql.core.dataloaders import DataLoader
from saleor_aftersales.graphql.core.execution import ExecutionContext
from saleor_aftersales.graphql.core.validation import validation_rules
from saleor_aftersales.installations.manifest import build_manifest
from saleor_aftersales.installations.models import Installation
from saleor_aftersales.outbox import actions as outbox
from saleor_aftersales.outbox.models import OutboxMessage, OutboxStatus
from saleor_aftersales.outbox.registry import outbox_callback, outbox_reconciler

from ..conftest import TEST_API_URL

CALLBACK_RUNS: list[tuple[str, dict]] = []


@outbox_callback("tests.note_added")
def _note_added(message, result):
    CALLBACK_RUNS.append((message.idempotency_key, result))


@outbox_callback("tests.note_failed")
def _note_failed(message, result):
    CALLBACK_RUNS.append(("failed:" + message.idempotency_key, result))


class FakeSaleor:
    """A loopback HTTP server answering GraphQL with scripted replies (status, body) in order."""

    def __init__(self, replies):
        self.replies = list(replies)
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"body": body, "auth": self.headers.get("Authorization")})
                status, reply = outer.replies.pop(0) if outer.replies else (200, {"data": {}})
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/graphql/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def fake_saleor():
    servers = []

    def make(replies):
        server = FakeSaleor(replies)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


@pytest.fixture
def saleor_installation(db, jwks, fake_saleor):
    def make(replies):
        server = fake_saleor(replies)
        installation = Installation.objects.create(
            saleor_api_url=server.url, app_id="QXBwOjE=", auth_token="app-token", jwks=jwks
        )
        return installation, server

    return make


NOTE_OK = {"data": {"orderNoteAdd": {"event": {"id": "RXZlbnQ6MQ=="}, "errors": []}}}


def _enqueue(installation, key="note-1", **kwargs):
    return outbox.enqueue(
        installation=installation,
        idempotency_key=key,
        operation="OrderNoteAdd",
        variables={"order": "T3JkZXI6MQ==", "message": "hello"},
        **kwargs,
    )


def test_same_key_is_one_row_and_success_callback_runs_once(
    saleor_installation, django_capture_on_commit_callbacks
):
    CALLBACK_RUNS.clear()
    installation, server = saleor_installation([(200, NOTE_OK)])
    with django_capture_on_commit_callbacks(execute=True):
        first = _enqueue(installation, on_success="tests.note_added")
        second = _enqueue(installation, on_success="tests.note_added")
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.SUCCEEDED and message.attempts == 1
    assert len(server.requests) == 1 and server.requests[0]["auth"] == "Bearer app-token"
    assert outbox.dispatch(message.pk) is None  # a second dispatch does nothing
    assert len(server.requests) == 1
    assert CALLBACK_RUNS == [("note-1", NOTE_OK["data"])]


def test_ambiguous_5xx_is_reconciled_before_any_resend(saleor_installation):
    installation, server = saleor_installation([(502, {"errors": [{"message": "bad gateway"}]})])
    seen = []

    @outbox_reconciler("OrderNoteAdd")
    def reconcile(client, message):
        seen.append(message.idempotency_key)
        return {"orderNoteAdd": {"event": {"id": "found"}, "errors": []}}

    try:
        message = _enqueue(installation)
        outbox.dispatch(message.pk)
        message.refresh_from_db()
        assert message.status == OutboxStatus.PENDING and message.outcome_unknown
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
        outbox.dispatch(message.pk)
        message.refresh_from_db()
    finally:
        from saleor_aftersales.outbox import registry

        registry._reconcilers.pop("OrderNoteAdd", None)
    assert seen == ["note-1"]
    assert message.status == OutboxStatus.SUCCEEDED
    assert len(server.requests) == 1  # the mutation was sent once, never resent


def test_mutation_errors_fail_for_good_and_are_retryable_by_staff(
    saleor_installation, gql, make_token, django_capture_on_commit_callbacks
):
    CALLBACK_RUNS.clear()
    errors = {
        "data": {
            "orderNoteAdd": {
                "event": None,
                "errors": [{"field": "order", "code": "NOT_FOUND", "message": "x"}],
            }
        }
    }
    installation, server = saleor_installation([(200, errors), (200, NOTE_OK)])
    message = _enqueue(installation, on_failure="tests.note_failed")
    outbox.dispatch(message.pk)
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    assert CALLBACK_RUNS[0][0] == "failed:note-1"
    token = make_token(kind="dashboard", permissions=["MANAGE_ORDERS"], issuer=installation.saleor_api_url)
    listed = gql('{ outboxMessages(status: "failed") { id status lastError } }', token=token)
    assert [m["status"] for m in listed["data"]["outboxMessages"]] == ["failed"]
    assert "NOT_FOUND" in listed["data"]["outboxMessages"][0]["lastError"]
    with django_capture_on_commit_callbacks(execute=True):
        retried = gql(
            "mutation($id: ID!) { outboxMessageRetry(id: $id) { message { status } errors { code } } }",
            {"id": listed["data"]["outboxMessages"][0]["id"]},
            token=token,
        )
    assert retried["data"]["outboxMessageRetry"]["errors"] == []
    message.refresh_from_db()
    assert message.status == OutboxStatus.SUCCEEDED  # the retry ran (eager) and Saleor accepted it this time
    assert len(server.requests) == 2


def test_backoff_keeps_a_failed_attempt_pending(saleor_installation):
    installation, server = saleor_installation([(503, {}), (503, {}), (503, {})])
    message = _enqueue(installation)
    outbox.dispatch(message.pk)
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and message.attempts == 1
    assert message.next_attempt_at > message.created_at
    assert outbox.dispatch(message.pk) is None  # not due yet


def test_installations_do_not_see_each_others_outbox(saleor_installation, jwks, gql, make_token):
    installation, _server = saleor_installation([])
    _enqueue(installation, key="mine")
    other = Installation.objects.create(
        saleor_api_url=TEST_API_URL, app_id="QXBwOjE=", auth_token="t", jwks=jwks
    )
    token = make_token(kind="dashboard", permissions=["MANAGE_ORDERS"])
    data = gql("{ outboxMessages { id } }", token=token)
    assert data["data"]["outboxMessages"] == []
    assert other.pk != installation.pk


# --- authentication ---------------------------------------------------------------------------------------


def test_customer_token_identifies_the_customer(installation, gql, make_token):
    token = make_token(kind="customer", email="a@example.com")
    data = gql("{ appInfo { saleorApiUrl } }", token=token)
    assert data["data"]["appInfo"]["saleorApiUrl"] == TEST_API_URL


@pytest.mark.parametrize(
    "variant",
    ["expired", "wrong_issuer", "foreign_key", "other_app", "header_mismatch"],
)
def test_bad_tokens_are_refused_with_401(installation, client, make_token, variant):
    from cryptography.hazmat.primitives.asymmetric import rsa

    kwargs = {"kind": "dashboard", "permissions": ["MANAGE_ORDERS"]}
    headers = {}
    if variant == "expired":
        kwargs["ttl"] = -10
    elif variant == "wrong_issuer":
        kwargs["issuer"] = "http://127.0.0.1:1/graphql/"
    elif variant == "foreign_key":
        kwargs["key"] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif variant == "other_app":
        kwargs["app"] = "QXBwOjk5"
    elif variant == "header_mismatch":
        headers["HTTP_SALEOR_API_URL"] = "http://127.0.0.1:2/graphql/"
    token = make_token(**kwargs)
    response = client.post(
        "/graphql/",
        json.dumps({"query": "{ appInfo { version } }"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **headers,
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"


def test_hs256_token_is_refused(installation, client):
    import jwt as pyjwt

    token = pyjwt.encode(
        {"iss": TEST_API_URL, "exp": 9999999999, "type": "access"},
        "a-secret-long-enough-for-hmac-sha256-keys",
        algorithm="HS256",
    )
    response = client.post(
        "/graphql/",
        json.dumps({"query": "{ appInfo { version } }"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 401


def test_staff_token_without_permissions_claim_asks_saleor_me_once(db, jwks, fake_saleor, make_token, gql):
    me = {
        "data": {
            "me": {
                "id": "VXNlcjo5MDA=",
                "email": "s@example.com",
                "isStaff": True,
                "userPermissions": [{"code": "MANAGE_ORDERS"}],
            }
        }
    }
    server = fake_saleor([(200, me)])
    Installation.objects.create(saleor_api_url=server.url, app_id="QXBwOjE=", auth_token="t", jwks=jwks)
    token = make_token(kind="staff", issuer=server.url, user_id="VXNlcjo5MDA=")
    for _ in range(2):
        data = gql("{ outboxMessages { id } }", token=token)
        assert data["data"]["outboxMessages"] == []
    assert len(server.requests) == 1  # cached for the token's lifetime
    assert server.requests[0]["auth"] == f"Bearer {token}"


def test_staff_token_revoked_in_saleor_is_refused(db, jwks, fake_saleor, make_token, client):
    server = fake_saleor([(200, {"data": {"me": None}})])
    Installation.objects.create(saleor_api_url=server.url, app_id="QXBwOjE=", auth_token="t", jwks=jwks)
    token = make_token(kind="staff", issuer=server.url)
    response = client.post(
        "/graphql/",
        json.dumps({"query": "{ appInfo { version } }"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 401


def test_customer_cannot_use_staff_queries(installation, gql, make_token):
    data = gql("{ outboxMessages { id } }", token=make_token(kind="customer"))
    assert data["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


# --- manifest by Saleor version ---------------------------------------------------------------------------


def test_app_deleted_is_subscribed_only_from_saleor_3_23():
    def events(version):
        return {e for w in build_manifest(version)["webhooks"] for e in w["asyncEvents"]}

    assert "APP_DELETED" in events("3.24")
    assert "APP_DELETED" not in events("3.20")
    assert "APP_DELETED" not in events(None)


# --- query limits and the DataLoader shim -----------------------------------------------------------------


def test_depth_and_cost_limits_keep_standard_validation(gql, installation):
    from saleor_aftersales.graphql.api import schema

    graphql_schema = schema.graphql_schema
    with override_settings(GRAPHQL_MAX_DEPTH=0):
        errors = validate(graphql_schema, parse("{ appInfo { version } }"), validation_rules())
        assert any("exceeds maximum operation depth" in e.message for e in errors)
    errors = validate(
        graphql_schema, parse("{ appInfo { nope } } fragment F on AppInfo { version }"), validation_rules()
    )
    messages = " ".join(e.message for e in errors)
    assert "Cannot query field 'nope'" in messages and "never used" in messages
    with override_settings(GRAPHQL_MAX_COMPLEXITY=3):
        errors = validate(
            graphql_schema, parse("{ outboxMessages(first: 50) { id status attempts } }"), validation_rules()
        )
        assert any("exceeds the limit" in e.message for e in errors)


def test_a_loader_failing_for_three_items_reports_three_errors():
    class FailingLoader(DataLoader):
        def batch_load_fn(self, keys):
            return Promise.resolve([ValueError(f"broken {k}") for k in keys])

    class Item(graphene.ObjectType):
        value = graphene.String()

        def resolve_value(root, info):
            return info.context.loader.load(root)

    class Query(graphene.ObjectType):
        items = graphene.List(Item)

        def resolve_items(root, info):
            return [1, 2, 3]

    class Context:
        pass

    context = Context()
    context.loader = FailingLoader(context)
    result = graphene.Schema(query=Query).execute(
        "{ items { value } }", context_value=context, execution_context_class=ExecutionContext
    )
    assert len(result.errors) == 3
    assert sorted(e.path[1] for e in result.errors) == [0, 1, 2]
