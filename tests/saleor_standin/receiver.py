"""A throwaway HTTP "app" for testing the stand-in itself (not our Django app): it serves a manifest, accepts
the register call, and records every request Saleor sends, byte for byte."""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]  # as sent (original case)
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return

    def _reply(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _record(self) -> Received:
        length = int(self.headers.get("Content-Length") or 0)
        received = Received(
            self.command,
            urlsplit(self.path).path,
            dict(self.headers.items()),
            self.rfile.read(length) if length else b"",
        )
        self.server.receiver.requests.append(received)
        return received

    def do_GET(self) -> None:  # noqa: N802
        receiver = self.server.receiver
        received = self._record()
        if received.path == "/manifest":
            if receiver.manifest_redirect:
                self._reply(301, None, {"Location": receiver.manifest_redirect})
            else:
                self._reply(200, receiver.manifest)
        else:
            self._reply(404, {"error": "not found"})

    def do_POST(self) -> None:  # noqa: N802
        receiver = self.server.receiver
        received = self._record()
        if received.path == "/register":
            status, body = receiver.register_response
            if status < 400:
                receiver.tokens.append(received.json()["auth_token"])
            self._reply(status, body)
            return
        queue = receiver.responses[received.path]
        self._reply(queue.popleft() if queue else 200, {"ok": True})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    receiver: AppReceiver


class AppReceiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.tokens: list[str] = []
        self.manifest: dict[str, Any] = {}
        self.manifest_redirect: str | None = None
        self.register_response: tuple[int, Any] = (200, {"success": True})
        self.responses: defaultdict[str, deque[int]] = defaultdict(deque)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.receiver = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> AppReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def respond(self, path: str, *statuses: int) -> None:
        """The next POSTs to `path` answer these statuses, then 200."""
        self.responses[path].extend(statuses)

    def received(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path and r.method == "POST"]

    def make_manifest(
        self, webhooks: dict[str, str], *, permissions: list[str] | None = None, **extra: Any
    ) -> dict[str, Any]:
        """webhooks: {"ORDER_FULLY_PAID": "<subscription>"} -> one webhook each, posting to /webhooks/<event>."""
        self.manifest = {
            "id": "standin.test.app",
            "version": "1.0.0",
            "name": "Stand-in test app",
            "permissions": permissions
            if permissions is not None
            else ["MANAGE_ORDERS", "MANAGE_USERS", "MANAGE_GIFT_CARD", "MANAGE_DISCOUNTS", "HANDLE_PAYMENTS"],
            "appUrl": self.url("/app"),
            "tokenTargetUrl": self.url("/register"),
            "webhooks": [
                {
                    "name": event.lower(),
                    "asyncEvents": [event],
                    "query": query,
                    "targetUrl": self.url(f"/webhooks/{event.lower()}"),
                    "isActive": True,
                }
                for event, query in webhooks.items()
            ],
            **extra,
        }
        return self.manifest
