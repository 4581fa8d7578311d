"""Run by scripts/sandbox.sh: a throwaway SQLite app, the Saleor stand-in with a demo shop, our app installed into
it over real HTTP, every journey seeded (tests/sandbox/seed.py), and two pages served by this process
(tests/sandbox/pages.py): the Dashboard stand-in framing our screens, and the Storefront (customer) page calling
our GraphQL API with a customer JWT."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
APP_URL = f"http://localhost:{PORT}"
DB = ROOT / "var" / "sandbox.sqlite3"

sys.path.insert(0, str(ROOT))
os.environ.update(
    {
        "DATABASE_URL": f"sqlite:///{DB}",
        "PUBLIC_URL": APP_URL,
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "ALLOW_DEV_BROKER": "true",
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "saleor_aftersales.settings",
        # The sandbox pages run on 127.0.0.1 (any port), a different origin from the app (localhost): the
        # Dashboard stand-in frames our screens, the storefront page calls /graphql/ (CORS).
        "DASHBOARD_FRAME_ANCESTORS": os.environ.get("DASHBOARD_FRAME_ANCESTORS", "http://127.0.0.1:*"),
        "STOREFRONT_ORIGINS": os.environ.get("STOREFRONT_ORIGINS", "http://127.0.0.1:*"),
    }
)


def wait_for_app(server: subprocess.Popen) -> None:
    for _ in range(150):
        if server.poll() is not None:
            sys.exit(f"The app server stopped (is port {PORT} in use?); try: scripts/sandbox.sh {PORT + 10}")
        try:
            httpx.get(f"{APP_URL}/api/manifest", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    sys.exit(f"The app did not answer on {APP_URL}.")


def main() -> None:
    # `kill` (not only Ctrl-C) must also stop the app server we started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    from tests.saleor_standin.schema_exec import SCHEMA_PATH

    if not SCHEMA_PATH.exists():
        sys.exit(
            f"The Saleor stand-in executes Saleor's schema from {SCHEMA_PATH}: put ../shared beside the clone."
        )
    DB.parent.mkdir(exist_ok=True)
    DB.unlink(missing_ok=True)
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True)
    server = subprocess.Popen([python, "manage.py", "runserver", "--noreload", f"localhost:{PORT}"], cwd=ROOT)
    try:
        wait_for_app(server)
        import django

        django.setup()
        from tests.saleor_standin.server import SaleorStandIn
        from tests.sandbox.host import SandboxHost, WebhookPump
        from tests.sandbox.seed import start_sandbox

        saleor = SaleorStandIn().start()
        installed = saleor.install_app(f"{APP_URL}/api/manifest")
        host = SandboxHost(port=int(os.environ.get("SANDBOX_PAGES_PORT", PORT + 1)))
        demo = start_sandbox(saleor, host, app_url=APP_URL, app_id=installed.id, installed=installed)
        WebhookPump(saleor)  # daemon thread: delivers what our mutations cause in Saleor
        print(
            f"\nSeeded: return {demo.seeded['return']} waiting for approval, warranty claim {demo.seeded['claim']}"
            f" waiting for a decision, case {demo.seeded['case']} open, {demo.customer['email']} has"
            f" {demo.seeded['available_points']} points available."
            f"\nSaleor stand-in:           {saleor.api_url}"
            f"\nDashboard stand-in:        {host.dashboard_url}"
            f"\nStorefront (customer):     {host.storefront_url}"
            "\nCtrl-C to stop.",
            flush=True,
        )
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
