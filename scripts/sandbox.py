"""Run by scripts/sandbox.sh: a throwaway SQLite app, the Saleor stand-in with a demo shop, our app installed into
it over real HTTP, one customer return waiting for approval, and a Dashboard-playing page framing our screens."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
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
        # The Dashboard stand-in runs on 127.0.0.1 (any port), a different origin from the app (localhost).
        "DASHBOARD_FRAME_ANCESTORS": os.environ.get("DASHBOARD_FRAME_ANCESTORS", "http://127.0.0.1:*"),
    }
)

MENU = """<!doctype html><meta charset="utf-8"><title>After-sales sandbox</title>
<style>body{font-family:system-ui;margin:0;display:flex}nav{width:220px;padding:16px;background:#f4f5f6;height:100vh}
nav a{display:block;margin:8px 0}iframe{flex:1;height:100vh;border:0}</style>
<nav><b>Dashboard stand-in</b>%(links)s</nav>
<iframe id="app" name="app" sandbox="allow-same-origin allow-forms allow-scripts allow-downloads allow-popups"></iframe>
<script>
var config = %(config)s;
var frame = document.getElementById("app");
function open_(path, extra) {
  var q = new URLSearchParams(Object.assign({saleorApiUrl: config.apiUrl, id: config.appId, theme: "light",
                                             locale: "en"}, extra));
  frame.src = config.appOrigin + path + "?" + q.toString();
}
frame.addEventListener("load", function () {
  frame.contentWindow.postMessage({type: "handshake", payload: {token: config.token, version: 1}}, config.appOrigin);
});
window.addEventListener("message", function (e) {
  if (e.origin !== config.appOrigin) return;
  console.log("app action", e.data);
  if (e.data.type === "notification") alert(e.data.payload.title + "\\n" + (e.data.payload.text || ""));
  frame.contentWindow.postMessage({type: "response", payload: {actionId: e.data.payload.actionId, ok: true}},
                                  config.appOrigin);
});
</script>"""


def main() -> None:
    import json

    # `kill` (not only Ctrl-C) must also stop the app server we started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    DB.parent.mkdir(exist_ok=True)
    DB.unlink(missing_ok=True)
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True)
    server = subprocess.Popen([python, "manage.py", "runserver", "--noreload", f"localhost:{PORT}"], cwd=ROOT)
    try:
        for _ in range(100):
            try:
                httpx.get(f"{APP_URL}/api/manifest", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        import django

        django.setup()
        from tests.e2e.dashboard_host import DashboardHost
        from tests.saleor_standin.server import SaleorStandIn

        saleor = SaleorStandIn().start()
        installed = saleor.install_app(f"{APP_URL}/api/manifest")
        saleor.create_channel()
        seed_loyalty_and_help(saleor.api_url)
        polo = saleor.create_product("Polo shirt", variants=[{"sku": "POLO-M", "price": Decimal("50")}])
        kettle = saleor.create_product("Kettle", variants=[{"sku": "KETTLE-1", "price": Decimal("80")}])
        ada = saleor.create_customer("ada@example.com", "Ada")
        saleor.create_customer("lin@example.com", "Lin")
        orders = []
        for lines in ([(polo, 2)], [(kettle, 1)], [(polo, 1), (kettle, 1)]):
            order = saleor.create_order(ada, lines=lines)
            saleor.pay_order(order)
            saleor.fulfill_order(order)
            orders.append(order)
        saleor.deliver_pending()

        from saleor_aftersales.orders.models import Order

        mirrored = Order.objects.order_by("id").first()
        line = mirrored.lines.first()
        create = (
            "mutation($input: ReturnRequestCreateInput!) { returnRequestCreate(input: $input) "
            "{ returnRequest { number } errors { code message } } }"
        )
        variables = {
            "input": {
                "orderId": mirrored.saleor_id,
                "resolution": "REFUND",
                "lines": [{"orderLineId": line.saleor_id, "quantity": 1, "reason": "wrong-size"}],
            }
        }
        answer = httpx.post(
            f"{APP_URL}/graphql/",
            json={"query": create, "variables": variables},
            headers={"Authorization": f"Bearer {saleor.issue_customer_token(ada)}"},
            timeout=30,
        )
        print("demo return:", answer.text)

        token = saleor.issue_dashboard_token(saleor.admin, app=installed.app, ttl=8 * 3600)
        links = "".join(
            f'<a href="#" onclick=\'open_("{path}", {json.dumps(extra)});return false\'>{label}</a>'
            for label, path, extra in (
                ("Returns queue", "/dashboard/returns", {}),
                ("Order widget", "/dashboard/widgets/order", {"orderId": mirrored.saleor_id}),
                ("Customer widget", "/dashboard/widgets/customer", {"customerId": mirrored.user_id}),
                ("Home widget", "/dashboard/widgets/home", {}),
                ("Returns queue (中文, dark)", "/dashboard/returns", {"locale": "zh-Hans", "theme": "dark"}),
                ("Order more actions", "/dashboard/popups/order", {"orderId": mirrored.saleor_id}),
                ("Customer more actions", "/dashboard/popups/customer", {"customerId": mirrored.user_id}),
                ("Loyalty", "/dashboard/loyalty", {}),
                ("Insights", "/dashboard/insights", {}),
                ("Settings (returns, loyalty, rewards, help)", "/dashboard/settings", {}),
                ("设置（中文）", "/dashboard/settings", {"locale": "zh-Hans"}),
            )
        )
        host = DashboardHost()
        config = {"token": token, "appOrigin": APP_URL, "apiUrl": saleor.api_url, "appId": installed.id}
        host.page = (MENU % {"links": links, "config": json.dumps(config)}).encode()
        print(
            f"\nSaleor stand-in: {saleor.api_url}\nOpen the Dashboard stand-in: {host.url}\nCtrl-C to stop."
        )
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.terminate()


def seed_loyalty_and_help(api_url: str) -> None:
    """A loyalty programme (before the demo orders are paid, so they earn points), two rewards to claim and the
    shipped help articles (the sign-up points buy the free shipping) — all through the capabilities' own actions."""
    from saleor_aftersales.core.actors import Actor
    from saleor_aftersales.installations.models import Installation
    from saleor_aftersales.knowledge.actions import load_default_articles
    from saleor_aftersales.loyalty import actions as loyalty_actions

    installation = Installation.objects.get(saleor_api_url=api_url)
    actor = Actor.system("sandbox")
    loyalty_actions.save_programme(
        installation=installation,
        channel_slug="default-channel",
        actor=actor,
        values={"points_per_unit": Decimal("1"), "signup_points": 50, "min_redemption_points": 100},
    )
    for values in (
        {"kind": "gift_card", "name_en": "$5 gift card", "name_zh_hans": "5 美元礼品卡", "points_cost": 100,
         "value": Decimal("5")},
        {"kind": "free_shipping", "name_en": "Free shipping", "name_zh_hans": "免运费", "points_cost": 50},
    ):  # fmt: skip
        loyalty_actions.save_reward(
            installation=installation, reward=None, values={"channel_slug": "default-channel", **values}
        )
    load_default_articles(installation, actor=actor)


if __name__ == "__main__":
    main()
