"""Webhook ingest under gunicorn (gthread) + PostgreSQL + Redis broker, against raw psycopg INSERT+COMMIT.

    .venv/bin/python benchmarks/webhook_ingest.py [-n 3000] [-c 16] [--workers 2] [--threads 8]

DATABASE_URL names a PostgreSQL server (default postgres://postgres@127.0.0.1:55432/postgres): a throwaway
database is created there and dropped at the end. A private redis-server on a free port is the Celery broker
(deliveries are stored and enqueued; no worker needs to run).
"""

import argparse
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import jwt
import psycopg
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
API_URL = "https://bench-saleor.example.com/graphql/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def body_for(i: int) -> bytes:
    return json.dumps(
        {
            "__typename": "CustomerCreated",
            "issuedAt": "2026-11-22T10:00:00+00:00",
            "issuingPrincipal": None,
            "user": {"id": f"VXNlcjo{i}", "email": f"bench{i}@example.com", "languageCode": "EN"},
        }
    ).encode()


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))] * 1000


def peak_rss_mb(master_pid: int) -> tuple[float, float]:
    pids = [master_pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().split()
            except OSError:
                continue
            if int(stat[3]) == master_pid:
                pids.append(int(entry.name))
    peaks = []
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks), sum(peaks)


def run(requests, concurrency, send):
    latencies = []

    def one(item):
        start = time.perf_counter()
        send(item)
        latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, requests))
    return len(requests) / (time.perf_counter() - start), latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=3000)
    parser.add_argument("-c", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--paced", type=int, default=1000, help="requests in the paced 100/s run")
    args = parser.parse_args()

    admin_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:55432/postgres")
    db_name = f"aftersales_bench_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db_name}"')
    db_url = admin_url.rsplit("/", 1)[0] + "/" + db_name
    work = Path(tempfile.mkdtemp(prefix="aftersales-bench."))
    procs = []
    try:
        redis_port = free_port()
        procs.append(
            subprocess.Popen(
                ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""],
                stdout=subprocess.DEVNULL,
            )
        )
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        public.update({"kid": "bench-key", "use": "sig", "alg": "RS256"})
        (work / "jwks.json").write_text(json.dumps({"keys": [public]}))
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        env.update(
            DATABASE_URL=db_url,
            REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
            SECRET_KEY="bench-secret-key-0123456789-0123456789-0123456789",
            FIELD_ENCRYPTION_KEYS="",
            PUBLIC_URL=f"http://127.0.0.1:{port}",
            ALLOWED_SALEOR_API_URLS=API_URL,
            DEBUG="0",
            LOG_LEVEL="WARNING",
            VAR_DIR=str(work / "var"),
            PROMETHEUS_MULTIPROC_DIR=str(work / "prom"),
        )
        (work / "prom").mkdir()
        manage = [str(BIN / "python"), str(ROOT / "manage.py")]
        subprocess.run(
            [*manage, "migrate", "--noinput"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
        )
        subprocess.run(
            [*manage, "seed_test_installation", "--api-url", API_URL, "--jwks-file", str(work / "jwks.json")],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        gunicorn = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "saleor_aftersales.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--worker-class",
                "gthread",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
            ],
            env=env,
            cwd=ROOT,
            stderr=subprocess.DEVNULL,
        )
        procs.append(gunicorn)
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)

        headers = {"kid": "bench-key", "b64": False, "crit": ["b64"]}
        total = args.n + args.paced + 200
        bodies = [body_for(i) for i in range(total)]
        signed = [
            (b, jwt.api_jws.encode(b, key, algorithm="RS256", headers=headers, is_payload_detached=True))
            for b in bodies
        ]
        client = httpx.Client(base_url=base, limits=httpx.Limits(max_connections=args.c * 2), timeout=30)
        statuses = []

        def send(item):
            body, signature = item
            response = client.post(
                "/api/webhooks/customer_created",
                content=body,
                headers={
                    "Content-Type": "application/json",
                    "Saleor-Event": "customer_created",
                    "Saleor-Api-Url": API_URL,
                    "Saleor-Signature": signature,
                },
            )
            statuses.append(response.status_code)

        run(signed[-200:], args.c, send)  # warm up
        app_rate, app_lat = run(signed[: args.n], args.c, send)
        bad = [s for s in statuses if s != 200]

        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE bench_raw (id bigserial PRIMARY KEY, event varchar(64), body jsonb, body_sha256 char(64) UNIQUE,"
                " received_at timestamptz DEFAULT now(), status varchar(16) DEFAULT 'received')"
            )
        import threading

        local = threading.local()

        def insert(body):
            conn = getattr(local, "conn", None)
            if conn is None:
                conn = local.conn = psycopg.connect(db_url)
            conn.execute(
                "INSERT INTO bench_raw (event, body, body_sha256) VALUES (%s, %s, %s)",
                ("customer_created", body.decode(), hashlib.sha256(body).hexdigest()),
            )
            conn.commit()

        raw_rate, raw_lat = run(bodies[: args.n], args.c, insert)

        # The HTTP ceiling: a WSGI app that only reads the body, same gunicorn settings, same client.
        ceiling_port = free_port()
        ceiling = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "http_ceiling_wsgi:application",
                "--chdir",
                str(ROOT / "benchmarks"),
                "--bind",
                f"127.0.0.1:{ceiling_port}",
                "--worker-class",
                "gthread",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
            ],
            stderr=subprocess.DEVNULL,
        )
        procs.append(ceiling)
        ceiling_client = httpx.Client(
            base_url=f"http://127.0.0.1:{ceiling_port}", limits=httpx.Limits(max_connections=args.c * 2)
        )
        for _ in range(100):
            try:
                ceiling_client.get("/")
                break
            except httpx.HTTPError:
                time.sleep(0.1)

        def send_ceiling(item):
            body, signature = item
            ceiling_client.post(
                "/api/webhooks/customer_created",
                content=body,
                headers={"Content-Type": "application/json", "Saleor-Signature": signature},
            )

        run(signed[-200:], args.c, send_ceiling)
        ceiling_rate, _ = run(signed[: args.n], args.c, send_ceiling)
        ceiling.terminate()

        # Paced run: 100 requests/s, one at a time on schedule.
        paced_lat = []
        start = time.perf_counter()
        paced = signed[args.n : args.n + args.paced]
        with ThreadPoolExecutor(8) as pool:
            futures = []
            for i, item in enumerate(paced):
                delay = start + i / 100 - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)

                def timed(item=item):
                    t = time.perf_counter()
                    send(item)
                    paced_lat.append(time.perf_counter() - t)

                futures.append(pool.submit(timed))
            for f in futures:
                f.result()
        peak_max, peak_sum = peak_rss_mb(gunicorn.pid)
        stored = (
            psycopg.connect(db_url).execute("SELECT count(*) FROM webhooks_webhookdelivery").fetchone()[0]
        )

        print(
            f"gunicorn gthread workers={args.workers} threads={args.threads}; N={args.n} C={args.c}; cpus={os.cpu_count()}"
        )
        print(
            f"webhooks over HTTP : {app_rate:8.1f}/s  p50 {percentile(app_lat, 50):6.1f} ms  p99 {percentile(app_lat, 99):6.1f} ms  non-200: {len(bad)}"
        )
        print(
            f"raw INSERT+COMMIT  : {raw_rate:8.1f}/s  p50 {percentile(raw_lat, 50):6.1f} ms  p99 {percentile(raw_lat, 99):6.1f} ms"
        )
        print(
            f"HTTP ceiling       : {ceiling_rate:8.1f}/s  (a WSGI app that only reads the body, same gunicorn)"
        )
        print(f"ratio app/raw      : {app_rate / raw_rate:8.2f}   (target >= 0.6)")
        print(f"ratio ceiling/raw  : {ceiling_rate / raw_rate:8.2f}   (the most any WSGI app can reach here)")
        print(f"ratio app/ceiling  : {app_rate / ceiling_rate:8.2f}   (our share of the HTTP ceiling)")
        print(
            f"paced 100/s ({len(paced_lat)} req): p50 {percentile(paced_lat, 50):6.1f} ms  p99 {percentile(paced_lat, 99):6.1f} ms  (target p99 < 100 ms)"
        )
        print(f"peak RSS (VmHWM)   : max process {peak_max:.1f} MiB, master+workers {peak_sum:.1f} MiB")
        print(f"deliveries stored  : {stored}")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    sys.exit(main())
