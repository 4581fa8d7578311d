import os
from pathlib import Path

import pytest

from saleor_aftersales.returns.models import ReturnStatus
from tests.conftest import TEST_API_URL, TEST_APP_ID
from tests.dashboard.helpers import make_return

from .dashboard_host import DashboardHost

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    # The test body touches the ORM while Playwright's event loop runs in this thread.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    host = DashboardHost()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 800})
        try:
            yield host, page
        finally:
            browser.close()
            host.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _open(host, page, live_server, *, path, token, theme="light", locale="en", **context):
    params = {"saleorApiUrl": TEST_API_URL, "id": TEST_APP_ID, "theme": theme, "locale": locale, **context}
    page.goto(host.frame(app_url=live_server.url, path=path, token=token, params=params))
    return page.frame_locator("#app")


def _actions(page):
    return [m["type"] for m in page.evaluate("window.received")]


def _shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_handshake_then_queue_loads(transactional_db, live_server, installation, staff_token, browser_page):
    host, page = browser_page
    request = make_return(installation)
    frame = _open(host, page, live_server, path="/dashboard/returns", token=staff_token("MANAGE_ORDERS"))
    frame.locator(f'tr[data-rma="{request.number}"]').wait_for(timeout=10000)
    page.wait_for_function("window.received.some(m => m.type === 'notifyReady')", timeout=10000)
    _shot(page, "returns-queue")
    frame.locator(f'tr[data-rma="{request.number}"] a').click()
    frame.locator("#return-detail").wait_for(timeout=10000)
    _shot(page, "return-detail")


def test_expired_or_forged_token_refused(
    transactional_db, live_server, installation, make_token, browser_page
):
    host, page = browser_page
    make_return(installation)
    expired = make_token(kind="dashboard", permissions=["MANAGE_ORDERS"], ttl=-30)
    frame = _open(host, page, live_server, path="/dashboard/returns", token=expired)
    assert frame.locator('.refused[data-status="401"]').wait_for(timeout=10000) is None
    forged = make_token(kind="dashboard", permissions=["MANAGE_ORDERS"])[:-6] + "AAAAAA"
    frame = _open(host, page, live_server, path="/dashboard/returns", token=forged)
    frame.locator('.refused[data-status="401"]').wait_for(timeout=10000)
    assert frame.locator("tr[data-rma]").count() == 0


def test_staff_without_manage_orders_sees_refusal(
    transactional_db, live_server, installation, staff_token, browser_page
):
    host, page = browser_page
    make_return(installation)
    frame = _open(host, page, live_server, path="/dashboard/returns", token=staff_token("MANAGE_USERS"))
    frame.locator('.refused[data-status="403"]').wait_for(timeout=10000)
    _shot(page, "refused")


def test_approve_from_order_widget_refreshes_entity(
    transactional_db, live_server, installation, staff_token, browser_page
):
    host, page = browser_page
    request = make_return(installation)
    assert request.status == ReturnStatus.REQUESTED
    token = staff_token("MANAGE_ORDERS")
    frame = _open(
        host, page, live_server, path="/dashboard/widgets/order", token=token, orderId=request.order.saleor_id
    )
    frame.locator(f'[data-rma="{request.number}"] button').click()
    page.wait_for_function("window.received.some(m => m.type === 'refreshEntity')", timeout=10000)
    actions = _actions(page)
    assert "notification" in actions and "widgetResize" in actions and "notifyReady" in actions
    request.refresh_from_db()
    assert request.status == ReturnStatus.APPROVED
    _shot(page, "order-widget-approved")
    # The queue shows it approved (no longer approvable).
    frame = _open(host, page, live_server, path="/dashboard/returns", token=token, status="approved")
    frame.locator(f'tr[data-rma="{request.number}"]').wait_for(timeout=10000)
    assert frame.locator(f'tr[data-rma="{request.number}"] button').count() == 0


def test_zh_hans_and_dark_theme(transactional_db, live_server, installation, staff_token, browser_page):
    host, page = browser_page
    make_return(installation)
    frame = _open(
        host,
        page,
        live_server,
        path="/dashboard/widgets/home",
        token=staff_token("MANAGE_ORDERS"),
        theme="dark",
        locale="zh-Hans",
    )
    frame.locator("#home-widget").wait_for(timeout=10000)
    assert "未完成的退货" in frame.locator("#home-widget").inner_text()
    background = frame.locator("body").evaluate("b => getComputedStyle(b).backgroundColor")
    assert background == "rgb(29, 31, 33)"
    _shot(page, "home-widget-dark-zh")
