"""The newcomer sandbox, walked in a browser: the demo shop seeded like scripts/sandbox.sh does (tests/sandbox), the
Storefront (customer) page calling our GraphQL API cross-origin with a stand-in customer JWT, and the Dashboard
stand-in framing our staff screens. All four journeys end to end, with what they leave in the Saleor stand-in.
Screenshots go to tests/e2e/screenshots/sandbox-*.png (copies in docs/screenshots/)."""

import os
import time
from decimal import Decimal

import pytest

from saleor_aftersales.loyalty.models import ClaimStatus, RewardClaim
from saleor_aftersales.returns.models import ReturnRequest, ReturnStatus
from saleor_aftersales.service.models import ServiceCase, ServiceMessage
from saleor_aftersales.warranty.models import RepairOrder, WarrantyClaim
from tests.sandbox.host import SandboxHost, WebhookPump
from tests.sandbox.seed import start_sandbox

from .browser import ARGS, CHROMIUM, SCREENSHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]
WAIT = 15000


def _shot(target, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    target.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def _until(check, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@pytest.fixture
def sandbox(installed_app, live_server, settings):
    """What scripts/sandbox.sh runs, in-process: seeded shop, both pages, the webhook pump, a browser."""
    from playwright.sync_api import sync_playwright

    settings.STOREFRONT_ORIGINS = ["http://127.0.0.1:*"]
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    saleor = installed_app.saleor
    host = SandboxHost()
    demo = start_sandbox(
        saleor, host, app_url=live_server.url, app_id=installed_app.app_id, installed=installed_app.installed
    )
    pump = WebhookPump(saleor, interval=0.3)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                store = browser.new_page(viewport={"width": 1300, "height": 900})
                dash = browser.new_page(viewport={"width": 1300, "height": 900})
                errors: list[str] = []
                store.on("pageerror", lambda exc: errors.append(str(exc)))
                yield demo, host, store, dash, errors
            finally:
                browser.close()
    finally:
        pump.stop()
        host.close()
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    assert pump.errors == []


def _menu(dash, path, extra=""):
    dash.locator(f'nav a[data-path="{path}"]{extra}').first.click()
    return dash.frame_locator("#app")


def test_sandbox_walks_all_four_journeys(sandbox, installed_app):
    demo, host, store, dash, errors = sandbox
    saleor = installed_app.saleor
    assert demo.seeded == {
        "return": "RMA-000001",
        "claim": "WC-000001",
        "case": "C-000001",
        "available_points": 400,  # 50 sign-up + 100 + 80 + 170 from the three paid orders, released
    }
    # The seeded starting points, on the Dashboard's first screen and on the storefront.
    dash.goto(host.dashboard_url)
    frame = dash.frame_locator("#app")
    frame.locator('tr[data-rma="RMA-000001"]').wait_for(timeout=WAIT)
    assert dash.locator("#walkthrough [data-journey]").count() == 4
    _shot(dash, "sandbox-dashboard")
    store.goto(host.storefront_url)
    store.wait_for_selector('body[data-ready="en"]', timeout=WAIT)
    assert store.locator("#sf-rewards .available").get_attribute("data-points") == "400"
    assert store.locator('#sf-warranty tr[data-claim="WC-000001"][data-status="SUBMITTED"]').count() == 1
    assert store.locator('#sf-cases [data-case="C-000001"]').count() == 1
    case = ServiceCase.objects.get(number="C-000001")
    assert case.kind == "complaint" and case.linked_type == "order"
    from saleor_aftersales.sla.models import SlaClock

    assert SlaClock.objects.filter(
        subject_type="service_case", subject_id=str(case.pk), status="running"
    ).exists()

    # 1. Return: the customer asks, staff approve, receive, inspect and refund; Saleor pays the refund.
    third = demo.orders[2]
    store.locator("#sf-returns select.orders").select_option(third["id"])
    store.locator('#sf-returns [data-action="eligibility"]').click()
    polo_line = next(line for line in third["lines"] if line["productName"] == "Polo shirt")
    store.locator(f'#sf-returns tr[data-line="{polo_line["id"]}"] [data-action="return"]').click()
    store.locator("#sf-returns .outcome[data-rma]").wait_for(timeout=WAIT)
    number = store.locator("#sf-returns .outcome").get_attribute("data-rma")
    assert number == "RMA-000002"
    store.locator(f'#sf-returns tr[data-rma="{number}"][data-status="REQUESTED"]').wait_for(timeout=WAIT)
    # The document sent is shown next to its answer.
    exchange = store.locator('#sf-returns .gql details[data-operation="ReturnRequestCreate"]')
    assert "mutation ReturnRequestCreate" in exchange.locator("pre.document").text_content()
    assert number in exchange.locator("pre.result").text_content()
    _shot(store.locator("#sf-returns"), "sandbox-storefront-return")
    request = ReturnRequest.objects.get(number=number)
    assert (request.status, request.customer_email, request.order.saleor_id) == (
        ReturnStatus.REQUESTED,
        "ada@example.com",
        third["id"],
    )

    frame = _menu(dash, "/dashboard/returns")
    frame.locator(f'tr[data-rma="{number}"] a').click()
    frame.locator("#approve-form button").click()
    frame.locator('#return-detail[data-status="approved"]').wait_for(timeout=WAIT)
    frame.locator("#receive-form button").click()
    frame.locator('#return-detail[data-status="received"]').wait_for(timeout=WAIT)
    line = request.lines.get()
    frame.locator(f'select[name="condition-{line.pk}"]').select_option("unopened")
    frame.locator("#inspect-form button").click()
    frame.locator('#return-detail[data-status="inspected"]').wait_for(timeout=WAIT)
    frame.locator("#resolve-form select").select_option("refund")
    frame.locator("#resolve-form button").click()
    frame.locator('#return-detail:is([data-status="resolving"], [data-status="resolved"])').wait_for(
        timeout=WAIT
    )
    # The stand-in's ORDER_REFUNDED (delivered by the pump, as Saleor's workers would) settles the request.
    _until(lambda: ReturnRequest.objects.get(pk=request.pk).status == ReturnStatus.RESOLVED)
    order = saleor.state.objects[third["id"]]
    [grant] = order["grantedRefunds"]
    assert (grant["amount"]["amount"], grant["status"]) == (Decimal("50.00"), "SUCCESS")
    assert sum(t["refundedAmount"]["amount"] for t in order["transactions"]) == Decimal("50.00")
    frame = _menu(dash, "/dashboard/returns")
    frame.locator('#returns-queue select[name="status"]').select_option("resolved")
    frame.locator('#returns-queue form.filters button[type="submit"]').click()
    frame.locator(f'tr[data-rma="{number}"] a').click()
    frame.locator('#return-detail[data-status="resolved"]').wait_for(timeout=WAIT)
    _shot(dash, "sandbox-return-refunded")
    store.reload()
    store.locator(f'#sf-returns tr[data-rma="{number}"][data-status="RESOLVED"]').wait_for(timeout=WAIT)

    # 2. Warranty claim: the customer files one on the kettle, staff send it to the repair shop.
    row = store.locator('#sf-warranty tr[data-product="Kettle"]')
    row.locator("select[name=symptom]").select_option("other")
    row.locator("input[name=description]").fill("It stopped heating.")
    row.locator('[data-action="claim"]').click()
    store.locator("#sf-warranty .outcome[data-claim]").wait_for(timeout=WAIT)
    claim_number = store.locator("#sf-warranty .outcome").get_attribute("data-claim")
    assert claim_number == "WC-000002"
    claim = WarrantyClaim.objects.get(number=claim_number)
    assert (claim.status, claim.symptom_code, claim.description, claim.warranty.order.saleor_id) == (
        "submitted",
        "other",
        "It stopped heating.",
        demo.orders[1]["id"],
    )
    # The walk-through panel's Dashboard step opens the staff screen of its journey.
    dash.locator('#walkthrough [data-journey="warranty"] a.who.dashboard').click()
    frame = dash.frame_locator("#app")
    frame.locator(f'#warranty-claims tr[data-claim="{claim_number}"] a').click()
    form = frame.locator("#decide-form")
    form.wait_for(timeout=WAIT)
    form.locator("select[name=decision]").select_option("repair")
    form.locator("select[name=center]").select_option(label="Sandbox repair shop")
    form.locator("input[name=note]").fill("We repair it free of charge")
    form.locator("button[type=submit]").click()
    frame.locator("#warranty-claim [data-repair]").first.wait_for(timeout=WAIT)
    _shot(dash, "sandbox-claim-decided")
    claim.refresh_from_db()
    assert (claim.status, claim.decision) == ("in_repair", "repair")
    assert RepairOrder.objects.get(claim=claim).center.name == "Sandbox repair shop"
    store.locator('#sf-warranty [data-action="refresh-claims"]').click()
    store.locator(
        f'#sf-warranty tr[data-claim="{claim_number}"][data-status="IN_REPAIR"][data-decision="REPAIR"]'
    ).wait_for(timeout=WAIT)
    _shot(store.locator("#sf-warranty"), "sandbox-storefront-warranty")

    # 3. Service case: the customer opens one, staff reply, the customer sees it and answers, staff resolve.
    form = store.locator("#case-form")
    form.locator("select[name=order]").select_option(demo.orders[0]["id"])
    form.locator("input[name=subject]").fill("Where is my refund?")
    form.locator("textarea[name=body]").fill("I sent the polo back last week.")
    form.locator("button[type=submit]").click()
    store.locator("#sf-cases .outcome[data-case]").wait_for(timeout=WAIT)
    case_number = store.locator("#sf-cases .outcome").get_attribute("data-case")
    assert case_number == "C-000002"
    frame = _menu(dash, "/dashboard/service")
    frame.locator(f'#service-inbox tr[data-case="{case_number}"] a').click()
    reply = frame.locator("#reply-form")
    reply.wait_for(timeout=WAIT)
    reply.locator("textarea[name=body]").fill("It is on its way: 2-3 working days.")
    reply.locator("button[type=submit]").click()
    frame.locator('#service-case .timeline:has-text("It is on its way")').wait_for(timeout=WAIT)
    store.locator('#sf-cases [data-action="refresh-cases"]').click()
    staff_message = store.locator(f'#sf-cases [data-case="{case_number}"] .message[data-author="staff"]')
    staff_message.wait_for(timeout=WAIT)
    assert "It is on its way: 2-3 working days." in staff_message.inner_text()
    answer = store.locator(f'#sf-cases [data-case="{case_number}"] form.reply')
    answer.locator("textarea").fill("Thank you!")
    answer.locator("button").click()
    store.locator(f'#sf-cases [data-case="{case_number}"] .message:has-text("Thank you!")').wait_for(
        timeout=WAIT
    )
    _shot(store.locator("#sf-cases"), "sandbox-storefront-case")
    case = ServiceCase.objects.get(number=case_number)
    assert [(m.kind, m.body) for m in ServiceMessage.objects.filter(case=case).order_by("id")] == [
        ("customer", "I sent the polo back last week."),
        ("reply", "It is on its way: 2-3 working days."),
        ("customer", "Thank you!"),
    ]
    frame = _menu(dash, "/dashboard/service")
    frame.locator(f'#service-inbox tr[data-case="{case_number}"] a').click()
    frame.locator("#transition-resolve").click()
    frame.locator('#service-case[data-status="resolved"]').wait_for(timeout=WAIT)
    store.locator('#sf-cases [data-action="refresh-cases"]').click()
    store.locator(f'#sf-cases [data-case="{case_number}"][data-status="RESOLVED"]').wait_for(timeout=WAIT)

    # 4. Reward claim: the customer spends 100 points on the $5 gift card; the outbox creates it in Saleor.
    store.locator('#sf-rewards tr[data-kind="GIFT_CARD"] [data-action="claim-reward"]').click()
    store.locator("#sf-rewards .outcome[data-code]").wait_for(timeout=WAIT)
    code = store.locator("#sf-rewards .outcome").get_attribute("data-code")
    assert store.locator(f'#sf-rewards [data-status="ISSUED"] code[data-code="{code}"]').count() == 1
    # 400 − 50 taken back with the refunded polo (journey 1) − 100 for the gift card.
    assert store.locator("#sf-rewards .available").get_attribute("data-points") == "250"
    _shot(store.locator("#sf-rewards"), "sandbox-storefront-reward")
    [card] = [c for c in saleor.state.gift_cards if c["code"] == code]
    assert card["initialBalance"]["amount"] == Decimal("5.00") and card["isActive"] is True
    claimed = RewardClaim.objects.get(code=code)
    assert (claimed.status, claimed.points) == (ClaimStatus.ISSUED, 100)
    frame = _menu(dash, "/dashboard/widgets/customer")
    frame.locator('[data-claim="issued"]').wait_for(timeout=WAIT)
    assert code[-4:] in frame.locator('[data-claim="issued"]').inner_text()
    _shot(dash, "sandbox-customer-widget-claim")
    frame = _menu(dash, "/dashboard/loyalty")
    frame.locator('[data-available="250"]').wait_for(timeout=WAIT)

    # The storefront's customer text in Simplified Chinese.
    store.locator("#lang").select_option("zh-hans")
    store.wait_for_selector('body[data-ready="zh-hans"]', timeout=WAIT)
    assert store.locator("#sf-returns h2").inner_text() == "退货"
    assert "已完成" in store.locator(f'#sf-returns tr[data-rma="{number}"]').inner_text()
    assert store.locator('#sf-rewards tr[data-kind="GIFT_CARD"]').inner_text().startswith("5 美元礼品卡")
    store.set_viewport_size({"width": 1300, "height": 1300})
    store.evaluate("window.scrollTo(0, 0)")
    _shot(store, "sandbox-storefront-zh")
    assert errors == []
