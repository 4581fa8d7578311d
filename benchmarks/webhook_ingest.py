"""Webhook ingest under gunicorn + PostgreSQL + Redis broker, against raw psycopg INSERT+COMMIT (issue #2, point 10).

    .venv/bin/python benchmarks/webhook_ingest.py [-n 20000] [-c 16] [--workers 2] [--threads 8]
        [--worker-class uvicorn_worker.UvicornWorker|gthread|sync] [--loadgen auto|wrk|python] [--runs 1]

The production shape is the default: gunicorn -k uvicorn_worker.UvicornWorker serving saleor_aftersales.asgi
(webhooks on the event loop, webhooks/asgi.py); `--worker-class gthread` measures the WSGI fast path instead.

DATABASE_URL names a PostgreSQL server (default postgres://postgres@127.0.0.1:55432/postgres): a throwaway
database is created there and dropped at the end. A private redis-server on a free port is the Celery broker
(deliveries are stored and the drain is woken; no worker runs, so the numbers are ingest only).

Phases, each with os.getloadavg() before/after and a CPU split (utime+stime from /proc of gunicorn master and
workers, of our PostgreSQL backends, of the load generator, and the rest of the machine = other people's work):
  1. app      N distinct signed webhooks at concurrency C (wrk, one delivery per request, each sent once);
  2. raw      raw psycopg INSERT+COMMIT of the same N bodies at the same concurrency C, into a table made with
              `LIKE webhooks_webhookdelivery INCLUDING ALL` plus its foreign key (same columns, unique key,
              indexes and constraints), one connection per client thread;
  3. ceiling  an app that only reads the body (benchmarks/http_ceiling_wsgi.py, or http_ceiling_asgi.py under
              the uvicorn worker), same gunicorn, same loadgen;
  4. paced    100 webhooks/s, one at a time on schedule (Python client: at 100/s its CPU does not matter).

The load generator is wrk (Debian package `wrk`; installed with apt-get when missing and we are root) with
benchmarks/webhook_ingest.lua; without wrk it falls back to Python httpx threads in this process, which on
2 cores eat the CPU gunicorn needs (the report says which one ran).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import jwt
import psycopg
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
API_URL = "https://bench-saleor.example.com/graphql/"
EVENT = "customer_created"
PATH = f"/api/webhooks/{EVENT}"
CLK_TCK = os.sysconf("SC_CLK_TCK")


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


def loadavg() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


# --- CPU accounting ---------------------------------------------------------------------------------------


def _proc_ticks(pid: int, kernel_only: bool = False) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    if kernel_only:
        return int(fields[12])  # stime
    return int(fields[11]) + int(fields[12])  # utime + stime of all threads


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                found.append(int(entry.name))
    return found


def _machine_busy_ticks() -> tuple[int, int]:
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


class CpuMeter:
    """CPU seconds per group of processes over one phase; `groups` maps a name to a callable listing pids."""

    def __init__(self, groups):
        self.groups = groups

    def __enter__(self):
        self.start_pids = {name: set(fn()) for name, fn in self.groups.items()}
        self.start = {name: {p: _proc_ticks(p) for p in pids} for name, pids in self.start_pids.items()}
        self.start_sys = {
            name: {p: _proc_ticks(p, True) for p in pids} for name, pids in self.start_pids.items()
        }
        self.machine_start = _machine_busy_ticks()
        self.wall_start = time.perf_counter()
        self.load_before = loadavg()
        return self

    def stop(self, **extra_seconds: float):
        self.wall = time.perf_counter() - self.wall_start
        busy, total = _machine_busy_ticks()
        self.machine_busy = (busy - self.machine_start[0]) / CLK_TCK
        self.seconds = {}
        self.kernel: dict[str, float] = {}
        for name, fn in self.groups.items():
            pids = set(fn()) | self.start_pids[name]
            self.seconds[name] = sum(_proc_ticks(p) - self.start[name].get(p, 0) for p in pids) / CLK_TCK
            self.kernel[name] = (
                sum(_proc_ticks(p, True) - self.start_sys[name].get(p, 0) for p in pids) / CLK_TCK
            )
        self.seconds.update(extra_seconds)
        self.load_after = loadavg()

    def __exit__(self, *exc):
        if not hasattr(self, "wall"):
            self.stop()

    def report(self) -> str:
        ours = sum(self.seconds.values())
        parts = ", ".join(
            f"{name} {secs:5.2f}s" + (f" (sys {self.kernel[name]:4.2f}s)" if name in self.kernel else "")
            for name, secs in self.seconds.items()
        )
        others = max(0.0, self.machine_busy - ours)
        capacity = self.wall * (os.cpu_count() or 1)
        return (
            f"cpu over {self.wall:5.2f}s wall x {os.cpu_count()} cores = {capacity:5.2f}s: {parts}, "
            f"rest of machine {others:5.2f}s, idle {max(0.0, capacity - self.machine_busy):5.2f}s; "
            f"loadavg {self.load_before} -> {self.load_after}"
        )


# --- load generators --------------------------------------------------------------------------------------


def find_wrk() -> str | None:
    found = shutil.which("wrk")
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "wrk"],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        found = shutil.which("wrk")
    return found


def run_python(base: str, signed, concurrency: int):
    """httpx threads in this process; returns (rate, p50 ms, p99 ms, non-200)."""
    client = httpx.Client(base_url=base, limits=httpx.Limits(max_connections=concurrency * 2), timeout=30)
    latencies, statuses = [], []

    def one(item):
        body, signature = item
        start = time.perf_counter()
        response = client.post(
            PATH,
            content=body,
            headers={
                "Content-Type": "application/json",
                "Saleor-Event": EVENT,
                "Saleor-Api-Url": API_URL,
                "Saleor-Signature": signature,
            },
        )
        latencies.append(time.perf_counter() - start)
        statuses.append(response.status_code)

    cpu_start = _proc_ticks(os.getpid()) / CLK_TCK
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, signed))
    rate = len(signed) / (time.perf_counter() - start)
    client.close()
    cpu_seconds = _proc_ticks(os.getpid()) / CLK_TCK - cpu_start
    return (
        rate,
        percentile(latencies, 50),
        percentile(latencies, 99),
        sum(s != 200 for s in statuses),
        cpu_seconds,
    )


def run_wrk(wrk: str, base: str, data_file: Path, concurrency: int, threads: int) -> tuple:
    """wrk with webhook_ingest.lua; returns (rate, p50 ms, p99 ms, non-200 + socket errors)."""
    done_dir = Path(tempfile.mkdtemp(prefix="wrk-done.", dir=data_file.parent))
    env = dict(
        os.environ,
        WEBHOOK_BENCH_FILE=str(data_file),
        WEBHOOK_BENCH_THREADS=str(threads),
        WEBHOOK_BENCH_PATH=PATH,
        WEBHOOK_BENCH_EVENT=EVENT,
        WEBHOOK_BENCH_API_URL=API_URL,
        WEBHOOK_BENCH_DONE_DIR=str(done_dir),
    )
    proc = subprocess.Popen(
        [
            wrk,
            "-t",
            str(threads),
            "-c",
            str(concurrency),
            "-d",
            "600s",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "benchmarks" / "webhook_ingest.lua"),
            base + PATH,
        ],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    while len(list(done_dir.iterdir())) < threads and proc.poll() is None:
        time.sleep(0.002)
    cpu_seconds = _proc_ticks(proc.pid) / CLK_TCK  # read before it exits
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate()
    result = json.loads(next(line for line in out.splitlines() if line.startswith("{")))
    rate = result["requests"] / (result["duration_us"] / 1e6)
    bad = result["non200"] + result["socket_errors"]
    return rate, result["p50_us"] / 1000, result["p99_us"] / 1000, bad, cpu_seconds


# --- the run ----------------------------------------------------------------------------------------------


def wait_http(url: str) -> None:
    for _ in range(300):
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def is_asgi(worker_class: str) -> bool:
    return "uvicorn" in worker_class.lower()


def gunicorn_cmd(app: str, port: int, args, chdir: Path | None = None) -> list[str]:
    """`app` is "module:application"; under an ASGI worker class (uvicorn) the ASGI twin of the module is served:
    saleor_aftersales.asgi for saleor_aftersales.wsgi, http_ceiling_asgi for http_ceiling_wsgi."""
    if is_asgi(args.worker_class):
        app = app.replace("wsgi:", "asgi:")
    cmd = [str(BIN / "gunicorn"), app, "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)]
    cmd += ["--worker-class", args.worker_class, "--keep-alive", "30"]
    if not is_asgi(args.worker_class):
        cmd += ["--threads", str(args.threads)]
    if chdir:
        cmd += ["--chdir", str(chdir)]
    return cmd


def one_run(args, wrk: str | None, run_no: int) -> dict:
    admin_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:55432/postgres")
    db_name = f"aftersales_bench_{os.getpid()}_{run_no}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db_name}"')
    db_url = admin_url.rsplit("/", 1)[0] + "/" + db_name
    work = Path(tempfile.mkdtemp(prefix="aftersales-bench."))
    procs: list[subprocess.Popen] = []
    results: dict = {}
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
        env.update(dict(kv.split("=", 1) for kv in args.app_env))
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
            gunicorn_cmd("saleor_aftersales.wsgi:application", port, args),
            env=env,
            cwd=ROOT,
            stderr=subprocess.DEVNULL,
        )
        procs.append(gunicorn)
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/healthz")

        headers = {"kid": "bench-key", "b64": False, "crit": ["b64"]}
        warm = 400
        total = args.n + args.paced + warm
        bodies = [body_for(i) for i in range(total)]
        signed = [
            (b, jwt.api_jws.encode(b, key, algorithm="RS256", headers=headers, is_payload_detached=True))
            for b in bodies
        ]
        main_set, paced_set, warm_set = signed[: args.n], signed[args.n : args.n + args.paced], signed[-warm:]
        for name, items in (("main", main_set), ("warm", warm_set)):
            with open(work / f"{name}.tsv", "w") as fh:
                for body, signature in items:
                    fh.write(f"{signature}\t{body.decode()}\n")

        def pg_backends():
            with psycopg.connect(admin_url, autocommit=True) as conn:
                rows = conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    [db_name],
                ).fetchall()
            return [r[0] for r in rows]

        def drive(target_base: str, items, data_file: Path):
            if wrk:
                return run_wrk(wrk, target_base, data_file, args.c, args.wrk_threads)
            return run_python(target_base, items, args.c)

        app_groups = {
            "gunicorn": lambda: [gunicorn.pid, *_children(gunicorn.pid)],
            "postgres": pg_backends,
        }

        drive(base, warm_set, work / "warm.tsv")
        with CpuMeter(app_groups) as app_cpu:
            app_rate, app_p50, app_p99, app_bad, loadgen_cpu = drive(base, main_set, work / "main.tsv")
            app_cpu.stop(loadgen=loadgen_cpu)
        with psycopg.connect(db_url) as conn:
            # Group commit stamps one received_at per statement: distinct values = INSERT statements (= commits).
            statements = conn.execute(
                "SELECT count(DISTINCT received_at) FROM webhooks_webhookdelivery"
            ).fetchone()[0]

        # Raw psycopg INSERT+COMMIT of the same bodies at the same concurrency, same table shape and keys.
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute("CREATE TABLE bench_raw (LIKE webhooks_webhookdelivery INCLUDING ALL)")
            # LIKE copies columns, defaults, identity, NOT NULL/CHECK constraints and indexes (so the unique key),
            # but not foreign keys: add the inbox's own (Django's: deferrable, initially deferred).
            fk_sql = conn.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = 'webhooks_webhookdelivery'::regclass AND contype = 'f'"
            ).fetchall()
            for (definition,) in fk_sql:
                conn.execute(f"ALTER TABLE bench_raw ADD {definition}")
            installation_id = conn.execute("SELECT id FROM installations_installation").fetchone()[0]
        local = threading.local()
        raw_conns: list[psycopg.Connection] = []
        raw_lat: list[float] = []

        def insert(body: bytes) -> None:
            conn = getattr(local, "conn", None)
            if conn is None:
                conn = local.conn = psycopg.connect(db_url)
                raw_conns.append(conn)
            start = time.perf_counter()
            conn.execute(
                "INSERT INTO bench_raw (installation_id, event, body_sha256, body, received_at, issued_at,"
                " issued_by_app, duplicates, status, attempts, processed_at, error)"
                " VALUES (%s, %s, %s, %s, %s, %s, false, 0, 'received', 0, NULL, '')",
                (
                    installation_id,
                    "CUSTOMER_CREATED",
                    hashlib.sha256(body).hexdigest(),
                    body.decode(),
                    datetime.now(UTC),
                    datetime(2026, 11, 22, 10, tzinfo=UTC),
                ),
            )
            conn.commit()
            raw_lat.append(time.perf_counter() - start)

        barrier = threading.Barrier(args.c)

        def connect(_):  # one connection per pool thread before the clock starts
            local.conn = psycopg.connect(db_url)
            raw_conns.append(local.conn)
            barrier.wait()

        raw_pool = ThreadPoolExecutor(args.c)
        list(raw_pool.map(connect, range(args.c)))
        with CpuMeter({"client": lambda: [os.getpid()], "postgres": pg_backends}) as raw_cpu:
            start = time.perf_counter()
            list(raw_pool.map(insert, [b for b, _ in main_set]))
            raw_rate = len(main_set) / (time.perf_counter() - start)
            raw_cpu.stop()
        raw_pool.shutdown()
        for conn in raw_conns:
            conn.close()

        # The HTTP ceiling: a WSGI app that only reads the body, same gunicorn settings, same load generator.
        ceiling_port = free_port()
        ceiling = subprocess.Popen(
            gunicorn_cmd("http_ceiling_wsgi:application", ceiling_port, args, chdir=ROOT / "benchmarks"),
            stderr=subprocess.DEVNULL,
        )
        procs.append(ceiling)
        wait_http(f"http://127.0.0.1:{ceiling_port}/")
        ceiling_base = f"http://127.0.0.1:{ceiling_port}"
        drive(ceiling_base, warm_set, work / "warm.tsv")
        ceiling_groups = {
            "gunicorn": lambda: [ceiling.pid, *_children(ceiling.pid)],
        }
        with CpuMeter(ceiling_groups) as ceiling_cpu:
            ceiling_rate, ceiling_p50, ceiling_p99, _, loadgen_cpu = drive(
                ceiling_base, main_set, work / "main.tsv"
            )
            ceiling_cpu.stop(loadgen=loadgen_cpu)
        ceiling.terminate()

        # Paced run: 100 requests/s, one at a time on schedule.
        paced_lat: list[float] = []
        paced_status: list[int] = []
        paced_client = httpx.Client(base_url=base, timeout=30)
        paced_load = loadavg()
        start = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            futures = []
            for i, (body, signature) in enumerate(paced_set):
                delay = start + i / 100 - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)

                def timed(body=body, signature=signature):
                    t = time.perf_counter()
                    r = paced_client.post(
                        PATH,
                        content=body,
                        headers={
                            "Content-Type": "application/json",
                            "Saleor-Event": EVENT,
                            "Saleor-Api-Url": API_URL,
                            "Saleor-Signature": signature,
                        },
                    )
                    paced_lat.append(time.perf_counter() - t)
                    paced_status.append(r.status_code)

                futures.append(pool.submit(timed))
            for f in futures:
                f.result()
        paced_load = f"{paced_load} -> {loadavg()}"
        peak_max, peak_sum = peak_rss_mb(gunicorn.pid)
        with psycopg.connect(db_url) as conn:
            stored = conn.execute(
                "SELECT count(*), coalesce(sum(duplicates), 0) FROM webhooks_webhookdelivery"
            ).fetchone()
        results = {
            "app": (app_rate, app_p50, app_p99, app_bad),
            "raw": (raw_rate, percentile(raw_lat, 50), percentile(raw_lat, 99)),
            "ceiling": (ceiling_rate, ceiling_p50, ceiling_p99),
            "paced": (
                percentile(paced_lat, 50),
                percentile(paced_lat, 99),
                sum(s != 200 for s in paced_status),
            ),
            "paced_load": paced_load,
            "rss": (peak_max, peak_sum),
            "stored": stored,
            "statements": statements,
            "cpu": {"app": app_cpu.report(), "raw": raw_cpu.report(), "ceiling": ceiling_cpu.report()},
            "cpu_per_request_us": {
                name: {group: secs / len(main_set) * 1e6 for group, secs in meter.seconds.items()}
                for name, meter in (("app", app_cpu), ("raw", raw_cpu), ("ceiling", ceiling_cpu))
            },
        }
        return results
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        subprocess.run(["rm", "-rf", str(work)], check=False)


def peak_rss_mb(master_pid: int) -> tuple[float, float]:
    peaks = []
    for pid in [master_pid, *_children(master_pid)]:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks), sum(peaks)


def print_run(r: dict, args, loadgen: str) -> None:
    app_rate, app_p50, app_p99, app_bad = r["app"]
    raw_rate, raw_p50, raw_p99 = r["raw"]
    ceiling_rate, ceiling_p50, ceiling_p99 = r["ceiling"]
    threads = "" if is_asgi(args.worker_class) else f" threads={args.threads}"
    print(
        f"gunicorn {args.worker_class} workers={args.workers}{threads}; N={args.n} C={args.c}; "
        f"cpus={os.cpu_count()}; load generator: {loadgen}"
    )
    print(
        f"webhooks over HTTP : {app_rate:8.1f}/s  p50 {app_p50:6.1f} ms  p99 {app_p99:6.1f} ms  non-200: {app_bad}"
    )
    print(f"    {r['cpu']['app']}")
    print(
        f"    INSERT statements (commits) for the {r['stored'][0] - args.paced} rows so far: {r['statements']}"
        f" ({(r['stored'][0] - args.paced) / max(1, r['statements']):.1f} rows per commit)"
    )
    print(f"raw INSERT+COMMIT  : {raw_rate:8.1f}/s  p50 {raw_p50:6.1f} ms  p99 {raw_p99:6.1f} ms")
    print(f"    {r['cpu']['raw']}")
    print(
        f"HTTP ceiling       : {ceiling_rate:8.1f}/s  p50 {ceiling_p50:6.1f} ms  p99 {ceiling_p99:6.1f} ms"
        f"  ({'ASGI' if is_asgi(args.worker_class) else 'WSGI'} app that only reads the body)"
    )
    print(f"    {r['cpu']['ceiling']}")
    print(f"ratio app/raw      : {app_rate / raw_rate:8.2f}   (target >= 0.6)")
    per = r["cpu_per_request_us"]
    app_cost, raw_cost = sum(per["app"].values()), sum(per["raw"].values())
    print(
        "cpu per delivery   : "
        + "; ".join(
            f"{name}: " + ", ".join(f"{g} {us:.0f} us" for g, us in per[name].items()) for name in per
        )
    )
    print(
        f"ratio per cpu      : {raw_cost / app_cost:8.2f}   (raw CPU per row / app CPU per delivery: the ratio when"
        " CPU is the limit, whatever else runs)"
    )
    print(
        f"ratio app/ceiling  : {app_rate / ceiling_rate:8.2f}   (our share of what this gunicorn can serve)"
    )
    paced_p50, paced_p99, paced_bad = r["paced"]
    print(
        f"paced 100/s ({args.paced} req): p50 {paced_p50:6.1f} ms  p99 {paced_p99:6.1f} ms  non-200: {paced_bad}"
        f"  (target p99 < 100 ms); loadavg {r['paced_load']}"
    )
    print(f"peak RSS (VmHWM)   : max process {r['rss'][0]:.1f} MiB, master+workers {r['rss'][1]:.1f} MiB")
    print(f"deliveries stored  : {r['stored'][0]} rows, {r['stored'][1]} re-deliveries counted")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=20000)
    parser.add_argument("-c", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--worker-class", default="uvicorn_worker.UvicornWorker")
    parser.add_argument("--paced", type=int, default=1000, help="requests in the paced 100/s run")
    parser.add_argument("--loadgen", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--app-env", action="append", default=[], help="NAME=value for the app (repeatable)")
    args = parser.parse_args()
    wrk = None if args.loadgen == "python" else find_wrk()
    if args.loadgen == "wrk" and wrk is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    loadgen = (
        f"wrk ({wrk}, {args.wrk_threads} thread(s), benchmarks/webhook_ingest.lua)"
        if wrk
        else "Python httpx threads in the benchmark process"
    )
    ratios = []
    for run_no in range(args.runs):
        if args.runs > 1:
            print(f"--- run {run_no + 1}/{args.runs}")
        r = one_run(args, wrk, run_no)
        print_run(r, args, loadgen)
        ratios.append((r["app"][0], r["raw"][0], r["app"][0] / r["raw"][0]))
        sys.stdout.flush()
    if args.runs > 1:
        print("runs (app/s, raw/s, ratio): " + "; ".join(f"{a:.0f}, {b:.0f}, {c:.2f}" for a, b, c in ratios))


if __name__ == "__main__":
    sys.exit(main())
