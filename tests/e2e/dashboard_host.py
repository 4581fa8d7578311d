"""A page that plays the Saleor Dashboard: it frames our page with the Dashboard's sandbox and query params, posts
`handshake` with a Saleor-signed JWT to the app's origin, records every action the app dispatches and answers each
with `response` — like AppFrame/appActionsHandler.ts. Served from a different origin than our app (127.0.0.1 vs
localhost) so the origin checks in bridge.js are real."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

HOST_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Dashboard stand-in</title></head>
<body style="margin:0">
<iframe id="app" sandbox="allow-same-origin allow-forms allow-scripts allow-downloads allow-popups"
  style="width:100%%;height:700px;border:0" src="%(src)s"></iframe>
<script>
  var config = %(config)s;
  window.received = [];
  var frame = document.getElementById("app");
  frame.addEventListener("load", function () {
    frame.contentWindow.postMessage(
      {type: "handshake", payload: {token: config.token, version: 1, saleorVersion: "3.24", dashboardVersion: "3.24"}},
      config.appOrigin);
  });
  window.addEventListener("message", function (event) {
    if (event.origin !== config.appOrigin) return;
    window.received.push(event.data);
    if (event.data.type === "widgetResize") frame.style.height = event.data.payload.height + "px";
    frame.contentWindow.postMessage({type: "response", payload: {actionId: event.data.payload.actionId, ok: true}},
      config.appOrigin);
  });
</script></body></html>"""


class DashboardHost:
    def __init__(self) -> None:
        self.page = b""
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(host.page)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def frame(self, *, app_url: str, path: str, token: str, params: dict) -> str:
        """Set what the next page load frames; returns the host page URL."""
        src = f"{app_url}{path}?{urlencode(params)}"
        config = {"token": token, "appOrigin": app_url}
        self.page = (HOST_PAGE % {"src": src, "config": json.dumps(config)}).encode()
        return self.url

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
