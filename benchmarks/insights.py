"""Benchmark: insights on 1 000 000 return lines over 50 000 orders (PostgreSQL).

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:55432/postgres .venv/bin/python benchmarks/insights.py
It creates a throwaway database, loads a year of orders, fulfillments, return requests/lines and SLA clocks with
COPY, then prints per phase its time and its own peak RSS: generation, the full rollup rebuild (set-based SQL) and an
incremental refresh (the 15-minute beat task), the KPI overview of a 90-day window (GraphQL, in-process, staff JWT;
p50/p95 and SQL count; with the rollups' staleness), the same with a category and a variant filter and for 365 days,
the quality-alert sweep, and a 12-month policy simulation (requests/s, lines/s).
Generate once and reuse:  BENCH_GENERATE_ONLY=1 (load into "bench_insights_keep" and stop), then BENCH_KEEPDB=1 (reuse
it; add BENCH_SKIP_FULL=1 to skip the full rebuild). Sizes: BENCH_ORDERS (50 000), BENCH_LINES_PER_ORDER (20),
BENCH_REQUESTS_PER_ORDER (4); every order line is asked back once (requests x lines per request = lines per order).
"""

from __future__ import annotations

import base64
import gc
import json
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:55432/postgres")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
# BENCH_KEEPDB=1 keeps (and on the next run reuses) the loaded database "bench_insights_keep", to iterate on queries;
# BENCH_GENERATE_ONLY=1 stops after loading it (generate once, then time the phases as often as needed).
KEEPDB = os.environ.get("BENCH_KEEPDB") == "1" or os.environ.get("BENCH_GENERATE_ONLY") == "1"
GENERATE_ONLY = os.environ.get("BENCH_GENERATE_ONLY") == "1"
# BENCH_SKIP_FULL=1 (with a kept database that has rollups): skip the full rebuild, time the rest.
SKIP_FULL = os.environ.get("BENCH_SKIP_FULL") == "1"
os.environ.setdefault("TEST_DB_NAME", "bench_insights_keep" if KEEPDB else f"bench_insights_{os.getpid()}")

import django  # noqa: E402

django.setup()

import jwt  # noqa: E402
import time_machine  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from psycopg.types.json import Jsonb  # noqa: E402

from benchmarks._common import create_bench_installation, time_calls  # noqa: E402

ORDERS = int(os.environ.get("BENCH_ORDERS", "50000"))
LINES_PER_ORDER = int(os.environ.get("BENCH_LINES_PER_ORDER", "20"))
REQUESTS_PER_ORDER = int(os.environ.get("BENCH_REQUESTS_PER_ORDER", "4"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
VARIANTS, PRODUCTS, CATEGORIES, SUPPLIERS = 600, 300, 40, 20
API_URL = "http://127.0.0.1:9/graphql/"
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
LOADED_AT = NOW - timedelta(days=1)  # rows "last changed" before the first refresh, like a live shop
REASONS = [
    ("quality-defect", "quality"), ("not-as-described", "quality"), ("damaged-in-transit", "logistics"),
    ("wrong-item", "logistics"), ("missing-item", "logistics"), ("no-reason", "no_reason"),
    ("wrong-size", "no_reason"), ("wrong-size", "no_reason"), ("changed-mind", "no_reason"),
    ("changed-mind", "no_reason"), ("other", "other"),
]  # fmt: skip
STATUSES = ["resolved"] * 10 + ["approved", "in_transit", "received", "inspected"] + ["requested"] * 2 + [
    "rejected", "rejected", "cancelled", "cancelled"]  # fmt: skip
RESOLUTIONS = ["refund"] * 6 + ["store_credit"] * 2 + ["exchange", "repair"]
SPIKING_VARIANTS = {"V7", "V42", "V99"}  # a defect jump in the last 28 days, for the alert sweep to find


def _peak_rss_mb() -> float:
    """VmHWM of this process (peak resident set since the last reset), in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


class phase:
    """Times a phase and prints its own peak RSS: the high-water mark is reset on entry (Linux clear_refs 5)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> phase:
        gc.collect()
        try:
            with open("/proc/self/clear_refs", "w") as refs:
                refs.write("5")
        except OSError:  # not Linux, or not allowed: the peak is then the process's so far
            pass
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.started
        print(f"  [{self.name}: {self.seconds:.2f}s, peak RSS {_peak_rss_mb():,.0f} MiB]", flush=True)


def gid(kind: str, n) -> str:
    return base64.b64encode(f"{kind}:{n}".encode()).decode()


def _db_value(field, value):
    if isinstance(value, dict | list):
        return Jsonb(value)
    return value


def copy_rows(model, columns: list[str], rows) -> int:
    """COPY rows (tuples in `columns` order) into a model's table; every other NOT NULL column gets its default."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    extra = [
        name
        for name, f in fields.items()
        if name not in columns and name != "id" and not f.null and not getattr(f, "auto_now", False)
        and not getattr(f, "auto_now_add", False)
    ]  # fmt: skip
    stamps = [
        name
        for name, f in fields.items()
        if name not in columns and (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
    ]
    defaults = [_db_value(fields[n], fields[n].get_default()) for n in extra]
    table = model._meta.db_table
    all_columns = columns + extra + stamps
    count = 0
    raw = connection.connection
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(all_columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([_db_value(None, v) for v in row] + defaults + [LOADED_AT] * len(stamps))
                count += 1
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
        )
    return count


def seed(installation) -> dict[str, int]:
    from saleor_aftersales.orders.models import Fulfillment, FulfillmentLine, Order, OrderLine
    from saleor_aftersales.returns.models import ReturnLine, ReturnRequest, ReturnWindow
    from saleor_aftersales.sla.models import SlaClock

    rng = random.Random(42)
    start = NOW - timedelta(days=365)
    inst = installation.pk
    shipped_at: dict[int, datetime] = {}
    variants = [
        (f"V{v}", gid("Product", v % PRODUCTS), gid("Category", v % CATEGORIES), f"sup-{v % SUPPLIERS}",
         Decimal(rng.randint(5, 200)))
        for v in range(VARIANTS)
    ]  # fmt: skip
    line_facts: dict[int, tuple] = {}

    def orders():
        for o in range(1, ORDERS + 1):
            placed = start + timedelta(seconds=rng.randint(0, 365 * 86400 - 86400 * 3))
            shipped = placed + timedelta(hours=rng.randint(2, 60))
            shipped_at[o] = shipped
            channel = ("web", "app", "cn")[o % 3]
            yield (o, inst, gid("Order", o), str(o), "FULFILLED", channel, "USD", f"c{o % 20000}@example.com",
                   Decimal("8.00"), placed, shipped, Jsonb([]))  # fmt: skip

    counts = {}
    t0 = time.perf_counter()
    counts["orders"] = copy_rows(
        Order,
        ["id", "installation_id", "saleor_id", "number", "status", "channel_slug", "currency", "user_email",
         "shipping_gross", "placed_at", "fulfilled_at", "transactions"],
        orders(),
    )  # fmt: skip

    def order_lines():
        n = 0
        for o in range(1, ORDERS + 1):
            for i in range(LINES_PER_ORDER):
                n += 1
                v, product, category, supplier, price = variants[rng.randrange(VARIANTS)]
                qty = rng.randint(1, 3)
                line_facts[n] = (o, v, price, qty)
                yield (n, o, gid("OrderLine", n), f"Product {product[-4:]}", v, f"SKU-{v}", v, product, category,
                       f"Category {category[-4:]}", Jsonb({"supplier": [supplier]}), qty, qty, price, price,
                       price * qty, price * qty)  # fmt: skip

    counts["order_lines"] = copy_rows(
        OrderLine,
        ["id", "order_id", "saleor_id", "product_name", "variant_name", "sku", "variant_id", "product_id",
         "category_id", "category_name", "product_attributes", "quantity", "quantity_fulfilled", "unit_price_gross",
         "unit_price_net", "total_price_gross", "total_price_net"],
        order_lines(),
    )  # fmt: skip
    copy_rows(
        Fulfillment,
        ["id", "order_id", "saleor_id", "status", "fulfilled_at"],
        ((o, o, gid("Fulfillment", o), "FULFILLED", shipped_at[o]) for o in range(1, ORDERS + 1)),
    )
    copy_rows(
        FulfillmentLine,
        ["id", "fulfillment_id", "saleor_id", "order_line_id", "quantity"],
        ((n, f[0], gid("FulfillmentLine", n), n, f[3]) for n, f in line_facts.items()),
    )
    copy_rows(
        ReturnWindow,
        ["id", "order_line_id", "fulfilled_at"],
        ((n, n, shipped_at[f[0]]) for n, f in line_facts.items()),
    )
    lines_per_request = LINES_PER_ORDER // REQUESTS_PER_ORDER
    request_rows, return_lines, clocks = [], [], []
    r = 0
    deficit = 0
    recent = NOW - timedelta(days=28)
    for o in range(1, ORDERS + 1):
        for k in range(REQUESTS_PER_ORDER):
            r += 1
            created = shipped_at[o] + timedelta(hours=rng.randint(24, 24 * 25))
            if created > NOW:  # not asked back yet; made up below by second returns on older orders
                deficit += lines_per_request
                continue
            status = rng.choice(STATUSES)
            resolution = rng.choice(RESOLUTIONS)
            decided = (
                created + timedelta(hours=rng.uniform(0.5, 80))
                if status not in ("requested", "cancelled")
                else None
            )
            received = decided + timedelta(hours=rng.uniform(24, 160)) if decided and status in (
                "received", "inspected", "resolved") else None  # fmt: skip
            resolved = (
                received + timedelta(hours=rng.uniform(2, 120)) if received and status == "resolved" else None
            )
            first_line = (o - 1) * LINES_PER_ORDER + k * lines_per_request + 1
            value = Decimal("0")
            for n in range(first_line, first_line + lines_per_request):
                _o, v, price, qty = line_facts[n]
                code, category = rng.choice(REASONS)
                if v in SPIKING_VARIANTS and created >= recent and rng.random() < 0.7:
                    code, category = "quality-defect", "quality"
                approved = 0 if status in ("requested", "rejected") else 1
                value += price * approved
                return_lines.append((len(return_lines) + 1, r, n, 1, code, category, approved,
                                     approved if received else 0, "Stitching came apart" if category == "quality" else ""))  # fmt: skip
            refund = value if status == "resolved" and resolution == "refund" else Decimal("0")
            credit = value if status == "resolved" and resolution == "store_credit" else Decimal("0")
            request_rows.append((r, inst, f"RMA-{r:07d}", "return", status, o, ("web", "app", "cn")[o % 3], "USD",
                                 f"c{o % 20000}@example.com", "en", resolution, refund, credit, decided, received,
                                 resolved, created, created))  # fmt: skip
            clocks.append((r, inst, "return_request", str(r), "decision",
                           "met" if decided and decided - created <= timedelta(hours=48) else
                           ("breached" if decided or created < NOW - timedelta(hours=48) else "running"),
                           created, created + timedelta(hours=48), 2880, decided, created, created))  # fmt: skip
    # Second returns (another unit of a line bought 2-3 times) on orders old enough, until the lines add up.
    matured = [o for o in range(1, ORDERS + 1) if shipped_at[o] < NOW - timedelta(days=60)]
    by_order: dict[int, list[int]] = {}
    for n, (o, _v, _price, qty) in line_facts.items():
        if qty >= 2:
            by_order.setdefault(o, []).append(n)
    while deficit > 0:
        o = rng.choice(matured)
        candidates = by_order.pop(o, [])[:lines_per_request]  # each line is asked back at most twice
        if not candidates:
            continue
        r += 1
        created = shipped_at[o] + timedelta(hours=rng.randint(24 * 26, 24 * 40))
        status = rng.choice(STATUSES)
        approved = 0 if status in ("requested", "rejected") else 1
        for n in candidates[:deficit]:
            code, category = rng.choice(REASONS)
            return_lines.append((len(return_lines) + 1, r, n, 1, code, category, approved, 0, ""))
            deficit -= 1
        request_rows.append((r, inst, f"RMA-{r:07d}", "return", status, o, ("web", "app", "cn")[o % 3], "USD",
                             f"c{o % 20000}@example.com", "en", "refund", Decimal("0"), Decimal("0"),
                             created + timedelta(hours=5) if approved else None, None, None, created, created))  # fmt: skip
    counts["requests"] = copy_rows(
        ReturnRequest,
        ["id", "installation_id", "number", "kind", "status", "order_id", "channel_slug", "currency",
         "customer_email", "language", "resolution", "refund_amount", "store_credit_amount", "decided_at",
         "received_at", "resolved_at", "created_at", "updated_at"],
        iter(request_rows),
    )  # fmt: skip
    counts["return_lines"] = copy_rows(
        ReturnLine,
        ["id", "request_id", "order_line_id", "quantity", "reason_code", "reason_category", "approved_quantity",
         "received_quantity", "comment"],
        iter(return_lines),
    )  # fmt: skip
    copy_rows(
        SlaClock,
        ["id", "installation_id", "subject_type", "subject_id", "metric", "status", "started_at", "due_at",
         "target_minutes", "stopped_at", "created_at", "updated_at"],
        iter(clocks),
    )  # fmt: skip
    counts["seconds"] = round(time.perf_counter() - t0, 1)
    return counts


def _rekey(installation):
    """A fresh signing key for a reused installation (the private key of the first run is gone)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    public.update({"kid": "bench", "use": "sig", "alg": "RS256"})
    installation.jwks = {"keys": [public]}
    installation.save(update_fields=["jwks"])
    return key


def token(key, **claims) -> str:
    now = int(NOW.timestamp())
    base = {"iat": now, "exp": now + 3600, "iss": API_URL, "owner": "saleor", "token": uuid.uuid4().hex}
    return jwt.encode({**base, **claims}, key, algorithm="RS256", headers={"kid": "bench"})


OVERVIEW = """query($filter: InsightsFilterInput!) { insightsOverview(filter: $filter) {
  staleness { refreshedAt }
  totals { fulfilledUnits returnedUnits requestedUnits returnRate approvalRate }
  money { currency revenue { amount } refundAmount { amount } refundShareOfRevenue }
  resolutionMix { resolution returnedUnits unitShare } topReasons { code label requestedUnits share }
  durations { metric count p50Hours p90Hours } series { periodStart fulfilledUnits returnedUnits returnRate }
  topProducts { variantId sku fulfilledUnits returnedUnits returnRate } sla { subjectType metric attainment }
} }"""


def _age(moment, at) -> str:
    return "never" if moment is None else f"{(at - moment).total_seconds() / 60:.0f} min"


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=KEEPDB, serialize=False
    )
    try:
        from saleor_aftersales.graphql.core.views import AftersalesGraphQLView
        from saleor_aftersales.insights import actions, alerts, rollups
        from saleor_aftersales.insights.models import DailyReasonRollup, DailyRollup, InsightsSettings
        from saleor_aftersales.installations.models import Installation
        from saleor_aftersales.returns.models import ReturnLine, ReturnRequest

        reuse = KEEPDB and Installation.objects.filter(saleor_api_url=API_URL).exists()
        if reuse:
            installation = Installation.objects.get(saleor_api_url=API_URL)
            key = _rekey(installation)
            print(
                f"reusing the kept database: {ReturnRequest.objects.count():,} return requests, "
                f"{ReturnLine.objects.count():,} return lines"
            )
        else:
            with phase("generate"):
                installation, key = create_bench_installation(API_URL, gid("App", 1))
                InsightsSettings.objects.create(installation=installation, supplier_attribute="supplier")
                counts = seed(installation)
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            print(
                f"generated {counts['orders']:,} orders, {counts['order_lines']:,} order lines, "
                f"{counts['requests']:,} return requests, {counts['return_lines']:,} return lines "
                f"in {counts['seconds']}s (COPY)"
            )
        if GENERATE_ONLY:
            return
        if not (SKIP_FULL and DailyRollup.objects.exists()):
            with time_machine.travel(NOW, tick=False), phase("full rollup build") as p:
                state = rollups.refresh_rollups(installation, full=True)
            print(
                f"full rollup build (task insights.refresh_rollups, full=True): {p.seconds:.1f}s for "
                f"{state.last_days_recomputed} days -> {DailyRollup.objects.count():,} daily rows, "
                f"{DailyReasonRollup.objects.count():,} reason rows"
            )
        with connection.cursor() as cursor:
            # What autovacuum does after a bulk insert (statistics, visibility map for index-only scans).
            cursor.execute("VACUUM (ANALYZE) insights_dailyrollup, insights_dailyreasonrollup")
        changed_at = NOW + timedelta(minutes=15)
        with time_machine.travel(changed_at, tick=False):
            touched = list(ReturnRequest.objects.order_by("-created_at").values_list("pk", flat=True)[:100])
            ReturnRequest.objects.filter(pk__in=touched).update(status="approved", updated_at=changed_at)
            with phase("incremental refresh") as p:
                state = rollups.refresh_rollups(installation)
            print(
                f"incremental refresh (beat every 15 min) after 100 requests changed: {p.seconds:.2f}s "
                f"({state.last_days_recomputed} days rebuilt)"
            )
        gc.collect()
        gc.freeze()
        # The view itself (not the URL router): measures our code, whatever else is mounted in urls.py.
        view = AftersalesGraphQLView.as_view()
        factory = RequestFactory()
        staff = token(
            key, email="staff@example.com", user_id=gid("User", 1), is_staff=True, type="thirdparty",
            app=gid("App", 1), permissions=["MANAGE_ORDERS"], user_permissions=["MANAGE_ORDERS"],
        )  # fmt: skip
        asked_at = NOW + timedelta(minutes=20)
        end = (NOW - timedelta(days=1)).date()
        window = {"start": (end - timedelta(days=89)).isoformat(), "end": end.isoformat()}
        with phase("KPI overview"):
            for label, extra in (
                ("90-day overview, all products", {}),
                ("90-day overview, one category", {"categoryId": gid("Category", 3)}),
                ("90-day overview, one variant + channel", {"variantId": "V7", "channel": "web"}),
                ("365-day overview, all products", {"start": (end - timedelta(days=364)).isoformat()}),
            ):
                body = json.dumps({"query": OVERVIEW, "variables": {"filter": {**window, **extra}}})

                def call(body=body):
                    with time_machine.travel(asked_at, tick=False):
                        request = factory.post(
                            "/graphql/",
                            body,
                            content_type="application/json",
                            HTTP_AUTHORIZATION=f"Bearer {staff}",
                        )
                        return view(request)

                def check(response) -> None:
                    data = json.loads(response.content)
                    assert "errors" not in data, str(data)[:500]
                    assert data["data"]["insightsOverview"]["totals"]["fulfilledUnits"] > 0

                p50, p95, sql = time_calls(call, check, ROUNDS)
                print(f"{label:<40} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  SQL {sql}")
        sample = json.loads(call().content)["data"]["insightsOverview"]
        refreshed = state.refreshed_at
        print(
            f"  staleness shown with it: refreshed {_age(refreshed, asked_at)} before the query, watermark "
            f"{_age(state.watermark, asked_at)} (refresh every 15 min, last took {state.last_duration_ms} ms)"
        )
        print(
            f"  (last: return rate {sample['totals']['returnRate']:.3f}, refund share "
            f"{sample['money'][0]['refundShareOfRevenue']:.3f}, decision p50/p90 "
            f"{sample['durations'][0]['p50Hours']:.1f}/{sample['durations'][0]['p90Hours']:.1f} h)"
        )
        with time_machine.travel(NOW, tick=False):
            with phase("quality alert sweep") as p:
                raised = alerts.sweep_quality_alerts(installation, today=NOW.date())
            tests = len(
                alerts.run_tests(
                    installation, alerts.windows_for(NOW.date(), recent_days=28, baseline_days=182)
                )[0]
            )
            print(
                f"quality alert sweep: {p.seconds:.2f}s, {tests} tests, {len(raised)} alerts "
                f"({', '.join(sorted(f'{a.level}:{a.key}' for a in raised)[:8])})"
            )
            from saleor_aftersales.core.actors import Actor

            with phase("12-month policy simulation") as p:
                # Celery is eager here: the task runs when start_simulation's transaction commits.
                run = actions.start_simulation(
                    installation=installation, actor=Actor.system("bench"), months=12,
                    changes={"no_reason_days": 5, "restocking_fee_percent": "10", "store_credit_bonus_percent": "10"},
                    return_label_cost="6",
                )  # fmt: skip
                run.refresh_from_db()
            lines = ReturnLine.objects.filter(
                request__installation=installation,
                request__created_at__gte=run.period_start,
                request__created_at__lt=run.period_end,
            ).count()
            usd = run.result["by_currency"][0]
            print(
                f"12-month policy simulation: {p.seconds:.1f}s for {run.total_requests:,} requests / {lines:,} lines "
                f"({run.total_requests / p.seconds:,.0f} requests/s, {lines / p.seconds:,.0f} lines/s; "
                f"accepted {usd['current']['accepted_requests']:,} -> {usd['proposed']['accepted_requests']:,}, "
                f"retained revenue {usd['current']['retained_revenue']} -> {usd['proposed']['retained_revenue']})"
            )
    finally:
        connection.close()
        if not KEEPDB:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
