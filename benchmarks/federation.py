"""Benchmark: a customer's joined order query through Hive Gateway vs the same order on Saleor's stand-in alone.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:55432/postgres .venv/bin/python benchmarks/federation.py
Needs node and `npm ci --prefix federation`. It creates a throwaway database, serves our app on loopback
(Django's live-server thread), starts the Saleor stand-in and the gateway (checked-in supergraph, subgraph
URLs from the env, as in docs/federation.md), installs the app into the stand-in, creates a fulfilled order
with a return request, then prints p50/p95 for both queries and drops the database.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:55432/postgres")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("TEST_DB_NAME", f"bench_federation_{os.getpid()}")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.testcases import LiveServerThread, _StaticFilesHandler  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))
WARMUP = 10
JOINED = "query($id: ID!) { order(id: $id) { number returnRequests { status lines { quantity } } } }"
SALEOR_ONLY = "query($id: ID!) { order(id: $id) { number } }"


def timed(call, rounds: int) -> tuple[float, float]:
    for _ in range(WARMUP):
        call()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    from saleor_aftersales.core.actors import Actor, ActorType
    from saleor_aftersales.installations.models import Installation
    from saleor_aftersales.orders.models import Order
    from saleor_aftersales.returns import actions
    from saleor_aftersales.returns.actions import LineInput
    from tests.federation.gateway import Gateway
    from tests.federation.node_tools import FEDERATION_DIR
    from tests.saleor_standin.server import SaleorStandIn

    node = shutil.which("node")
    if node is None or not (FEDERATION_DIR / "node_modules").is_dir():
        sys.exit("needs node and `npm ci --prefix federation`")
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    server = saleor = gateway = None
    try:
        server = LiveServerThread("127.0.0.1", _StaticFilesHandler, connections_override={}, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        live_url = f"http://127.0.0.1:{server.port}"
        settings.PUBLIC_URL = live_url
        saleor = SaleorStandIn().start()
        saleor.install_app(f"{live_url}/api/manifest", ["MANAGE_ORDERS", "MANAGE_USERS"])
        installation = Installation.objects.get(saleor_api_url=saleor.api_url)
        shoe = saleor.create_product("Running shoe", variants=[{"sku": "SHOE-42", "price": Decimal("50.00")}])
        ada = saleor.create_customer("ada@example.com", "Ada", "Lovelace")
        order = saleor.create_order(ada, lines=[(shoe, 2)], shipping=Decimal("10.00"))
        saleor.pay_order(order)
        saleor.fulfill_order(order)
        mirrored = Order.objects.get(installation=installation, saleor_id=order["id"])
        actions.create_return_request(
            order=mirrored,
            actor=Actor(type=ActorType.CUSTOMER, user_id=mirrored.user_id, email="ada@example.com"),
            lines=[LineInput(order_line_id=mirrored.lines.get().pk, quantity=2, reason_code="wrong-size")],
            resolution="refund",
        )
        token = saleor.issue_customer_token(ada, ttl=3600)
        gateway = Gateway(node=node, saleor_url=saleor.api_url, aftersales_url=f"{live_url}/graphql/").start()
        variables = {"id": order["id"]}
        joined = gateway.query(JOINED, variables, token)
        assert joined["data"]["order"]["returnRequests"][0]["lines"] == [{"quantity": 2}], joined

        p50, p95 = timed(lambda: gateway.query(JOINED, variables, token), ROUNDS)
        print(f"gateway, order + returnRequests (Saleor stand-in + app): p50 {p50:.1f} ms  p95 {p95:.1f} ms")
        p50, p95 = timed(lambda: saleor.query(SALEOR_ONLY, variables, token=token), ROUNDS)
        print(f"Saleor stand-in alone, order {{ number }}:              p50 {p50:.1f} ms  p95 {p95:.1f} ms")
        print(f"({ROUNDS} rounds each after {WARMUP} warm-up calls, one connection per call)")
    finally:
        if gateway is not None:
            gateway.stop()
        if saleor is not None:
            saleor.stop()
        if server is not None:
            server.terminate()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
