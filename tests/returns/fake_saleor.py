"""A minimal Saleor on loopback for the settlement fault tests: keeps granted refunds, can fail with 5xx
*after* applying a mutation (the ambiguous case the outbox must reconcile). The full stand-in lives in
tests/saleor_standin; this one only answers the documents the returns settlement sends."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeSaleor:
    def __init__(self):
        self.grants: list[dict] = []
        self.calls: dict[str, int] = {}
        self.fail_after_apply: set[str] = set()  # root fields answered with 502 once, after taking effect
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status, data = outer.answer(body["query"], body.get("variables") or {})
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/graphql/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def _fail(self, field: str) -> bool:
        if field in self.fail_after_apply:
            self.fail_after_apply.discard(field)
            return True
        return False

    def answer(self, query: str, variables: dict) -> tuple[int, dict]:
        with self.lock:
            for field in (
                "orderGrantRefundCreate",
                "transactionRequestRefundForGrantedRefund",
                "orderFulfillmentReturnProducts",
                "orderNoteAdd",
            ):
                if field + "(" in query:
                    self.calls[field] = self.calls.get(field, 0) + 1
            if "orderGrantRefundCreate(" in query:
                grant = {
                    "id": f"R3JhbnRlZFJlZnVuZDo{len(self.grants) + 1}",
                    "status": "NONE",
                    "reason": variables["input"].get("reason"),
                    "amount": {"amount": float(variables["input"]["amount"]), "currency": "USD"},
                    "transactionEvents": [],
                }
                self.grants.append(grant)
                if self._fail("orderGrantRefundCreate"):
                    return 502, {}
                return 200, {"data": {"orderGrantRefundCreate": {"grantedRefund": grant, "errors": []}}}
            if "transactionRequestRefundForGrantedRefund(" in query:
                for grant in self.grants:
                    if grant["id"] == variables["grantedRefundId"]:
                        grant["status"] = "PENDING"
                if self._fail("transactionRequestRefundForGrantedRefund"):
                    return 502, {}
                return 200, {
                    "data": {
                        "transactionRequestRefundForGrantedRefund": {
                            "transaction": {"id": "VHJhbnNhY3Rpb246MQ=="},
                            "errors": [],
                        }
                    }
                }
            if "grantedRefunds" in query:
                return 200, {"data": {"order": {"id": variables["id"], "grantedRefunds": self.grants}}}
            if "orderFulfillmentReturnProducts(" in query:
                return 200, {
                    "data": {
                        "orderFulfillmentReturnProducts": {
                            "returnFulfillment": {"id": "RjoxMA==", "status": "RETURNED"},
                            "errors": [],
                        }
                    }
                }
            if "orderNoteAdd(" in query:
                return 200, {"data": {"orderNoteAdd": {"event": {"id": "RTox"}, "errors": []}}}
            return 400, {"errors": [{"message": "unknown document"}]}
