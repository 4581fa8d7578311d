"""`SaleorStandIn`: a faithful fake Saleor 3.24 on loopback (GraphQL API, JWKS, app installation, webhooks)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import httpx
from graphql import DocumentNode, GraphQLError, parse, validate
from graphql.execution.values import get_variable_values

from . import resolvers  # noqa: F401  (registers every resolver)
from .domain import payments as payments_domain
from .faults import Fault, FaultKind, FaultPlan
from .install import InstalledApp, install_app
from .jws import KeyRing, SigningKey
from .scenarios import ScenarioMixin
from .schema_exec import (
    ExecContext,
    Viewer,
    enum_values,
    format_error,
    operation_of,
    root_field_names,
    run,
    saleor_schema,
)
from .state import Obj, QueuedEvent, QueuedTask, State, now
from .tokens import (
    ACCESS,
    THIRDPARTY,
    AuthError,
    TokenFactory,
    decode_user_token,
    looks_like_jwt,
    new_token_key,
)
from .webhooks import Delivery, WebhookSender

ERROR_PAGES: dict[str, tuple[int, str]] = {
    "http500": (
        500,
        '<!doctype html>\n<html lang="en">\n<head>\n  <title>Server Error (500)</title>\n</head>\n<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n',
    ),
    "http502": (
        502,
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n",
    ),
    "http503": (
        503,
        "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n",
    ),
}
PAYMENT_APP_IDENTIFIER = "standin.dummy.payments"


@dataclass
class _Entry:
    query: Any
    variables: dict[str, Any] | None
    operation_name: str | None
    document: DocumentNode | None = None
    parse_error: GraphQLError | None = None

    @property
    def names(self) -> list[str]:
        names = [self.operation_name] if self.operation_name else []
        if self.document is not None:
            op = operation_of(self.document, self.operation_name)
            if op is not None and op.name is not None and op.name.value not in names:
                names.append(op.name.value)
            names += root_field_names(self.document, self.operation_name)
        return names


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (keep the test output quiet)
        return

    def do_GET(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        if path == "/.well-known/jwks.json":
            standin = self.server.standin
            if self._apply_fault(standin.faults.take(["jwks"], "before"), standin.faults):
                return
            self.send_json(200, standin.keys.jwks())
        elif path.startswith("/graphql"):
            self.send_text(405, "Method Not Allowed", "text/plain")
        else:
            self.send_text(404, "Not Found", "text/plain")

    def do_POST(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if path != "/graphql/":
            self.send_text(404, "Not Found", "text/plain")
            return
        self.server.standin._handle_graphql(self, raw)

    # --- answers ---

    def send_json(self, status: int, payload: Any) -> None:
        self.send_text(status, json.dumps(payload), "application/json")

    def send_text(self, status: int, text: str, content_type: str) -> None:
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _apply_fault(self, fault: Fault | None, plan: FaultPlan) -> bool:
        """Apply a fault; True when the request is answered (or dropped) by it."""
        if fault is None:
            return False
        if fault.kind == "slow":
            time.sleep(plan.slow_seconds)
            return False
        if fault.kind == "timeout":
            time.sleep(plan.timeout_seconds)
            self.close_connection = True
            return True
        if fault.kind == "drop":
            self.close_connection = True
            return True
        status, page = ERROR_PAGES[fault.kind]
        self.send_text(status, page, "text/html; charset=utf-8")
        return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    standin: SaleorStandIn


class SaleorStandIn(ScenarioMixin):
    """Start once (`start()`), `reset()` between tests. See README.md for the whole API."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        saleor_schema()  # build the schema up front: it takes a couple of seconds
        self.host = host
        self.keys = KeyRing()
        self.state = State()
        self.faults = FaultPlan()
        self.sender = WebhookSender(self)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._deliver_lock = threading.Lock()
        self.port = 0
        self._init_records()
        self._seed()

    # --- lifecycle ---

    def start(self) -> SaleorStandIn:
        server = _Server((self.host, 0), _Handler)
        server.standin = self
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="saleor-standin", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def reset(self) -> None:
        """Forget every object, app, call, fault and delivery; keep the keys (and the port)."""
        with self.state.lock:
            self.state.clear()
            self.faults.clear()
            self.faults.timeout_seconds, self.faults.slow_seconds = 3.0, 0.5
            self.sender.reset()
            self._init_records()
            self._seed()

    def _init_records(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.invalid_documents: list[dict[str, Any]] = []
        self.unimplemented: list[str] = []

    def _seed(self) -> None:
        # A payment app owns the transactions (like the samples' "Dummy Payments"), and a superuser acts as staff.
        self.payment_app, self.payment_app_token = self.state.new_app(
            "Dummy Payments", identifier=PAYMENT_APP_IDENTIFIER, permissions=["HANDLE_PAYMENTS"]
        )
        self.admin = self.state.new_user(
            "admin@example.com",
            first_name="Admin",
            is_staff=True,
            permissions=list(enum_values("PermissionEnum")),
        )

    @property
    def api_url(self) -> str:
        return f"http://{self.domain}/graphql/"

    @property
    def domain(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def origin(self) -> str:
        return f"http://{self.domain}"

    @property
    def jwks_url(self) -> str:
        return f"{self.origin}/.well-known/jwks.json"

    # --- keys and tokens ---

    def jwks(self) -> dict[str, Any]:
        return self.keys.jwks()

    def rotate_key(self) -> SigningKey:
        """Switch to a new signing key; the JWKS then publishes only the new one."""
        return self.keys.rotate()

    @property
    def tokens(self) -> TokenFactory:
        return TokenFactory(self.keys, self.api_url)

    def issue_token(
        self,
        user: Obj,
        *,
        token_type: str = ACCESS,
        ttl: int = 300,
        issued_at: int | None = None,
        issuer: str | None = None,
        key: Any = None,
        kid: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """The generic minting behind the issue_* helpers; `key` may be a SigningKey or an RSA private key."""
        claims = self.tokens.claims(user, token_type=token_type, ttl=ttl, issued_at=issued_at, extra=extra)
        if issuer is not None:
            claims["iss"] = issuer
        if key is not None and not isinstance(key, SigningKey):
            key = SigningKey(key)
        return self.tokens.sign(claims, key=key, kid=kid)

    def issue_customer_token(self, user: Obj, ttl: int = 300) -> str:
        return self.issue_token(user, ttl=ttl)

    def issue_staff_token(self, user: Obj, ttl: int = 300) -> str:
        """A plain access token (tokenCreate): is_staff true, no permission claims."""
        return self.issue_token(user, ttl=ttl)

    def dashboard_claims(
        self, user: Obj, app: Obj | InstalledApp | None = None, permissions: Iterable[str] | None = None
    ) -> dict[str, Any]:
        app_obj = self._app(app)
        user_permissions = sorted(user["_permissions"])
        perms = (
            sorted(set(app_obj["_permissions"]) & set(user_permissions))
            if permissions is None
            else list(permissions)
        )
        extra: dict[str, Any] = {
            "app": app_obj["id"],
            "permissions": perms,
            "user_permissions": user_permissions,
        }
        if app_obj.get("_audience"):
            extra["aud"] = app_obj["_audience"]
        return extra

    def issue_dashboard_token(
        self,
        user: Obj,
        app: Obj | InstalledApp | None = None,
        permissions: Iterable[str] | None = None,
        ttl: int = 300,
    ) -> str:
        """What the Dashboard hands to an app's iframe: type "thirdparty" with app, permissions, user_permissions."""
        return self.issue_token(
            user, token_type=THIRDPARTY, ttl=ttl, extra=self.dashboard_claims(user, app, permissions)
        )

    def _negative(self, user: Obj, kind: str, **kwargs: Any) -> str:
        if kind == "dashboard":
            return self.issue_token(
                user,
                token_type=THIRDPARTY,
                extra=self.dashboard_claims(user, kwargs.pop("app", None)),
                **kwargs,
            )
        return self.issue_token(user, **kwargs)

    def issue_expired_token(self, user: Obj, kind: str = "customer", expired_seconds_ago: int = 60) -> str:
        return self._negative(user, kind, issued_at=int(time.time()) - 300 - expired_seconds_ago, ttl=300)

    def issue_wrong_issuer_token(
        self, user: Obj, kind: str = "customer", issuer: str = "https://evil.example.com/graphql/"
    ) -> str:
        return self._negative(user, kind, issuer=issuer)

    def issue_foreign_key_token(self, user: Obj, kind: str = "customer", spoof_kid: bool = True) -> str:
        """Signed with a key the stand-in never published; with spoof_kid its header claims the real kid."""
        foreign = SigningKey.generate()
        return self._negative(user, kind, key=foreign, kid=self.keys.current.kid if spoof_kid else None)

    def revoke_user_tokens(self, user: Obj) -> None:
        """Like a password change / deactivate: every token issued so far stops working against the API."""
        with self.state.lock:
            user["_token_key"] = new_token_key()

    # --- apps ---

    def install_app(
        self, manifest_url: str, permissions: list[str] | None = None, *, reinstall: bool = False
    ) -> InstalledApp:
        return install_app(self, manifest_url, permissions, reinstall=reinstall)

    def installed_apps(self) -> list[Obj]:
        return [a for a in self.state.apps if not a["_removed"] and a["identifier"] != PAYMENT_APP_IDENTIFIER]

    def _app(self, app: Obj | InstalledApp | str | None) -> Obj:
        if isinstance(app, InstalledApp):
            return app.app
        if isinstance(app, str):
            found = self.state.get(app, "App")
            if found is None:
                raise LookupError(f"no app {app}")
            return found
        if app is None:
            apps = self.installed_apps()
            if not apps:
                raise LookupError("no installed app")
            return apps[-1]
        return app

    def discard_app(self, app: Obj) -> None:
        """Drop an app without any event (a failed installation)."""
        with self.state.lock:
            app["_removed"] = True
            if app in self.state.apps:
                self.state.apps.remove(app)
            for token, app_id in list(self.state.app_tokens.items()):
                if app_id == app["id"]:
                    del self.state.app_tokens[token]

    def uninstall_app(self, app: Obj | InstalledApp | str | None = None, *, deliver: bool = True) -> None:
        """appDelete: the token stops working; APP_DELETED goes to the deleted app's own webhooks."""
        app_obj = self._app(app)
        with self.state.lock:
            # Rendered for the app as it was: the event must still reach the app being deleted.
            event = QueuedEvent("APP_DELETED", {"app": app_obj}, None, now(), recipients=[dict(app_obj)])
            self.discard_app(app_obj)
            if not deliver:
                self.state.pending.append(event)
                return
            prepared = self.sender.prepare(event)
        for delivery in prepared:
            self.sender.send(delivery)

    def set_app_active(self, app: Obj | InstalledApp | str | None, active: bool) -> None:
        with self.state.lock:
            self._app(app)["isActive"] = active

    # --- webhooks ---

    @property
    def deliveries(self) -> list[Delivery]:
        return self.sender.deliveries

    @property
    def retry_delays(self) -> list[float]:
        return self.sender.retry_delays

    @retry_delays.setter
    def retry_delays(self, value: list[float]) -> None:
        self.sender.retry_delays = list(value)

    def deliveries_for(self, event: str) -> list[Delivery]:
        return [d for d in self.deliveries if d.event == event.upper()]

    def pending_events(self) -> list[str]:
        with self.state.lock:
            return [
                item.event_type if isinstance(item, QueuedEvent) else f"task: {item.description}"
                for item in self.state.pending
            ]

    def deliver_pending(self, *, max_items: int = 500) -> list[Delivery]:
        """Deliver queued events (and run deferred tasks) in order, from the calling thread, until the queue is
        empty, including events the app's reactions queue meanwhile. More than `max_items` suggests a loop."""
        delivered: list[Delivery] = []
        with self._deliver_lock:
            for _ in range(max_items):
                with self.state.lock:
                    if not self.state.pending:
                        return delivered
                    item = self.state.pending.popleft()
                    if isinstance(item, QueuedTask):
                        item.fn()
                        continue
                    prepared = self.sender.prepare(item)
                for delivery in prepared:  # outside the lock: the app may call the API while handling it
                    delivered.append(self.sender.send(delivery))
        raise RuntimeError(
            f"deliver_pending: more than {max_items} queued items; is the app reacting to its own events? Still queued: {self.pending_events()[:20]}"
        )

    def discard_pending(self) -> None:
        with self.state.lock:
            self.state.pending.clear()

    def redeliver(self, delivery: Delivery) -> Delivery:
        """Send the identical bytes and headers again (as Saleor's retries / eventDeliveryRetry do)."""
        again = Delivery(
            event=delivery.event,
            app_id=delivery.app_id,
            webhook_id=delivery.webhook_id,
            webhook_name=delivery.webhook_name,
            url=delivery.url,
            body=delivery.body,
            headers=dict(delivery.headers),
            issued_at=delivery.issued_at,
            redelivery_of=delivery,
        )
        return self.sender.send(again)

    # --- the payment app ---

    def settle_refund(
        self, grant_or_transaction: Obj, outcome: str = "success", amount: Decimal | None = None
    ) -> None:
        """Answer a refund the payment app left pending (refund_outcome="pending"), like transactionEventReport."""
        with self.state.lock:
            if grant_or_transaction["__typename"] == "OrderGrantedRefund":
                grant, tx = grant_or_transaction, grant_or_transaction["transaction"]
                value = grant["amount"]["amount"]
            else:
                grant, tx = None, grant_or_transaction
                value = tx["refundPendingAmount"]["amount"]
            payments_domain.settle_refund(
                self.state, tx, amount if amount is not None else value, outcome, grant=grant
            )

    # --- faults and records ---

    def fail_all(self, kind: FaultKind | None = "http500") -> None:
        self.faults.fail_all(kind)

    def calls_to(self, root_field: str) -> list[dict[str, Any]]:
        return [c for c in self.calls if root_field in c["root_fields"] or c["operation_name"] == root_field]

    def assert_no_invalid_documents(self) -> None:
        if self.invalid_documents:
            details = "\n\n".join(
                f"{d['operation_name'] or '<anonymous>'}: {d['errors']}\n{d['query']}"
                for d in self.invalid_documents
            )
            raise AssertionError(
                f"The Saleor stand-in received {len(self.invalid_documents)} invalid GraphQL document(s):\n{details}"
            )

    def query(
        self,
        document: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """POST a document to the stand-in over HTTP (handy in tests to look at Saleor's side)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = httpx.post(
            self.api_url,
            json={"query": document, "variables": variables or {}},
            headers=headers,
            timeout=timeout,
        )
        return response.json()

    # --- GraphQL over HTTP ---

    def authenticate(self, headers: Any) -> Viewer:
        auth = headers.get("Authorization") or ""
        token = None
        if auth[:7].lower() == "bearer " or auth[:4].upper() == "JWT ":
            token = auth.split(" ", 1)[1].strip()
        elif headers.get("Authorization-Bearer"):
            token = headers.get("Authorization-Bearer").strip()
        if not token:
            return Viewer.anonymous()
        if not looks_like_jwt(token):
            app = self.state.app_for_token(token)
            return Viewer.for_app(app) if app is not None else Viewer.anonymous()
        try:
            claims = decode_user_token(token, self.keys)
        except AuthError as exc:
            return Viewer.anonymous(exc)
        user = self.state.get(claims.get("user_id"), "User")
        invalid = AuthError(
            "InvalidTokenError", "Invalid token. Create new one by using tokenCreate mutation."
        )
        if (
            user is None
            or claims.get("token") != user["_token_key"]
            or claims.get("type") not in (ACCESS, THIRDPARTY)
        ):
            return Viewer.anonymous(invalid)
        if not user["isActive"]:
            return Viewer.anonymous(AuthError("InvalidTokenError", "User is not active."))
        if claims["type"] == THIRDPARTY:
            # Dashboard app tokens act with the intersection the token carries.
            return Viewer.for_user(
                user, set(claims.get("permissions") or []) & set(user["_permissions"]), claims
            )
        return Viewer.for_user(user, claims=claims)

    def _handle_graphql(self, handler: _Handler, raw: bytes) -> None:
        try:
            payload = json.loads(raw or b"null")
        except ValueError:
            payload = None
        batch = isinstance(payload, list)
        if not (batch or isinstance(payload, dict)):
            handler.send_json(
                400,
                {
                    "errors": [
                        {
                            "message": "Unable to parse query.",
                            "extensions": {"exception": {"code": "GraphQLError"}},
                        }
                    ]
                },
            )
            return
        entries = [self._entry(e if isinstance(e, dict) else {}) for e in (payload if batch else [payload])]
        names = [n for e in entries for n in e.names]
        viewer = self.authenticate(handler.headers)
        auth = viewer.kind if viewer.auth_error is None else "invalid"

        fault = self.faults.take(names, "before")
        if fault is not None and fault.kind != "slow":
            self._record(entries, auth, status=ERROR_PAGES.get(fault.kind, (None, ""))[0], fault=fault)
            handler._apply_fault(fault, self.faults)
            return
        handler._apply_fault(fault, self.faults)  # "slow": sleep, then carry on

        results: list[tuple[dict[str, Any], int]] = []
        after_response: list[Any] = []
        for entry in entries:
            result, status, ctx = self._execute(entry, viewer)
            results.append((result, status))
            if ctx is not None:
                after_response += ctx.after_response
        status = max(code for _, code in results)
        body = [r for r, _ in results] if batch else results[0][0]
        # Saleor answers before Celery calls the payment app; running that work now, after the answer has been
        # computed, keeps the answer faithful (grant PENDING) and later reads deterministic (grant SUCCESS).
        for task in after_response:
            task()

        fault = self.faults.take(names, "after")
        if fault is not None and fault.kind != "slow":
            self._record(
                entries, auth, status=ERROR_PAGES.get(fault.kind, (None, ""))[0], fault=fault, results=results
            )
            handler._apply_fault(fault, self.faults)
            return
        self._record(entries, auth, status=status, fault=fault, results=results)
        handler._apply_fault(fault, self.faults)
        handler.send_json(status, body)

    def _entry(self, data: dict[str, Any]) -> _Entry:
        operation_name = data.get("operationName") or None
        entry = _Entry(
            query=data.get("query"), variables=data.get("variables"), operation_name=operation_name
        )
        if isinstance(entry.query, str) and entry.query:
            try:
                entry.document = parse(entry.query)
            except GraphQLError as exc:
                entry.parse_error = exc
        return entry

    def _execute(self, entry: _Entry, viewer: Viewer) -> tuple[dict[str, Any], int, ExecContext | None]:
        schema = saleor_schema()
        errors: list[GraphQLError] = []
        if entry.document is None:
            errors = [entry.parse_error or GraphQLError("Must provide a query string.")]
        else:
            errors = list(validate(schema, entry.document))
            if not errors:
                op = operation_of(entry.document, entry.operation_name)
                if op is None:
                    errors = [
                        GraphQLError(
                            f"Unknown operation named '{entry.operation_name}'."
                            if entry.operation_name
                            else "Must provide operation name if query contains multiple operations."
                        )
                    ]
                else:
                    coerced = get_variable_values(
                        schema, op.variable_definitions or [], entry.variables or {}
                    )
                    if isinstance(coerced, list):
                        errors = coerced
        if errors:
            formatted = [format_error(e) for e in errors]
            self.invalid_documents.append(
                {
                    "query": entry.query,
                    "operation_name": entry.operation_name,
                    "variables": entry.variables,
                    "errors": [e["message"] for e in formatted],
                }
            )
            return {"errors": formatted}, 400, None
        assert entry.document is not None
        with self.state.lock:
            ctx = ExecContext(state=self.state, viewer=viewer, api_url=self.api_url)
            result = run(entry.document, ctx, variables=entry.variables, operation_name=entry.operation_name)
            self.unimplemented += ctx.unimplemented
            answer: dict[str, Any] = {}
            if result.errors:
                answer["errors"] = [format_error(e) for e in result.errors]
            # Serialise now, under the lock: later changes (the payment app's answer) must not leak into it.
            answer["data"] = json.loads(json.dumps(result.data))
        return answer, 200, ctx

    def _record(
        self,
        entries: list[_Entry],
        auth: str,
        *,
        status: int | None,
        fault: Fault | None,
        results: list[tuple[dict[str, Any], int]] | None = None,
    ) -> None:
        for index, entry in enumerate(entries):
            response = results[index][0] if results else None
            self.calls.append(
                {
                    "operation_name": entry.operation_name or _op_name(entry),
                    "root_fields": root_field_names(entry.document, entry.operation_name)
                    if entry.document is not None
                    else [],
                    "variables": entry.variables or {},
                    "auth": auth,
                    "status": status,
                    "fault": f"{fault.kind}/{fault.when}" if fault is not None else None,
                    "query": entry.query,
                    "response": response,
                    "errors": (response or {}).get("errors"),
                }
            )


def _op_name(entry: _Entry) -> str | None:
    if entry.document is None:
        return None
    op = operation_of(entry.document, None)
    return op.name.value if op is not None and op.name is not None else None
