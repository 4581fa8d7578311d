"""The sandbox's own HTTP server (on 127.0.0.1, a different origin from the app on localhost, like a real Dashboard
and storefront): `/` the Dashboard stand-in, `/storefront` the customer page. And the webhook pump: Saleor sends
the events our mutations cause (ORDER_REFUNDED after a refund, ...) from its workers; the stand-in queues them,
so a thread delivers them every half second."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class SandboxHost:
    def __init__(self, port: int = 0) -> None:
        self.pages: dict[str, bytes] = {}
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                path = self.path.split("?", 1)[0].rstrip("/") or "/"
                if path == "/favicon.ico":
                    self.send_response(204)
                    self.end_headers()
                    return
                page = host.pages.get(path)
                self.send_response(200 if page is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(page if page is not None else b"not found")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.dashboard_url = f"{self.origin}/"
        self.storefront_url = f"{self.origin}/storefront"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class WebhookPump:
    """Deliver the stand-in's queued events in the background, like Saleor's Celery workers."""

    def __init__(self, saleor, interval: float = 0.5) -> None:
        self.saleor = saleor
        self.interval = interval
        self.stopped = threading.Event()
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                self.saleor.deliver_pending()
            except Exception as exc:  # keep pumping; a sandbox must survive one bad delivery
                self.errors.append(exc)

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
