"""The sandbox seed (what scripts/sandbox.sh starts with), without a browser: every journey has its starting point,
reached through the stand-in's webhooks and our GraphQL API, and both pages are served."""

import httpx

from saleor_aftersales.loyalty.models import Account
from saleor_aftersales.returns.models import ReturnRequest
from saleor_aftersales.service.models import ServiceCase
from saleor_aftersales.sla.models import SlaClock
from saleor_aftersales.warranty.models import Warranty, WarrantyClaim

from .host import SandboxHost
from .pages import MENU
from .seed import CHANNEL, start_sandbox


def test_seed_starts_every_journey_and_serves_both_pages(installed_app, live_server, settings):
    settings.STOREFRONT_ORIGINS = ["http://127.0.0.1:*"]
    saleor = installed_app.saleor
    host = SandboxHost()
    try:
        demo = start_sandbox(
            saleor,
            host,
            app_url=live_server.url,
            app_id=installed_app.app_id,
            installed=installed_app.installed,
        )
        assert demo.seeded == {
            "return": "RMA-000001",
            "claim": "WC-000001",
            "case": "C-000001",
            "available_points": 400,
        }
        # Saleor's side went through real webhooks, each delivered once and accepted.
        paid = saleor.deliveries_for("ORDER_FULLY_PAID")
        assert len(paid) == 4 and all(d.success for d in paid)
        assert [o["number"] for o in demo.orders] == ["1", "2", "3"]  # Ada's, as Saleor lists them
        # Warranties: one per fulfilled unit (Ada: 2 polos, a kettle, a polo and boots; Lin: a kettle).
        assert Warranty.objects.filter(customer_email="ada@example.com", status="active").count() == 5
        assert Warranty.objects.count() == 6
        request = ReturnRequest.objects.get(number="RMA-000001")
        assert (request.status, request.customer_email, request.order.saleor_id) == (
            "requested",
            "ada@example.com",
            demo.orders[0]["id"],
        )
        claim = WarrantyClaim.objects.get(number="WC-000001")
        assert (claim.status, claim.warranty.product_name) == ("submitted", "Leather boots")
        case = ServiceCase.objects.get(number="C-000001")
        assert (case.kind, case.status, case.linked_type, case.linked_id) == (
            "complaint",
            "new",
            "order",
            demo.orders[1]["id"],
        )
        running = SlaClock.objects.filter(
            subject_type="service_case", subject_id=str(case.pk), status="running"
        )
        assert {c.metric for c in running} >= {"first_response", "resolution"}
        account = Account.objects.get(email="ada@example.com", channel_slug=CHANNEL)
        assert (account.available_points, account.pending_points) == (400, 0)

        dashboard = httpx.get(host.dashboard_url)
        assert dashboard.status_code == 200
        for _group, links in MENU:
            for _label, path, _extra in links:
                assert f'data-path="{path}"' in dashboard.text
        assert demo.dashboard_token in dashboard.text and host.storefront_url in dashboard.text
        storefront = httpx.get(host.storefront_url)
        assert storefront.status_code == 200
        assert demo.customer_token in storefront.text and live_server.url in storefront.text
        assert httpx.get(f"{host.origin}/nope").status_code == 404
        # The page's origin may call our API with the customer JWT (CORS), and sees only Ada's rows.
        answer = httpx.post(
            f"{live_server.url}/graphql/",
            json={"query": "{ myReturnRequests { number } myWarrantyClaims { number } }"},
            headers={"Authorization": f"Bearer {demo.customer_token}", "Origin": host.origin},
        )
        assert answer.headers["Access-Control-Allow-Origin"] == host.origin
        assert answer.json()["data"] == {
            "myReturnRequests": [{"number": "RMA-000001"}],
            "myWarrantyClaims": [{"number": "WC-000001"}],
        }
    finally:
        host.close()
