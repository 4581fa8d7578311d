import os
from datetime import timedelta

import pytest
from django.utils import timezone

from saleor_aftersales.returns.models import ReturnRequest, ReturnStatus
from tests.dashboard.helpers import make_return
from tests.returns.factories import make_order

from .browser import CHROMIUM, _actions, _open, _shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]


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


def test_order_more_actions_popup_starts_a_return(
    transactional_db, live_server, installation, staff_token, browser_page
):
    host, page = browser_page
    # Fulfilled three days ago, so the return window is open whatever day the suite runs.
    order = make_order(installation, fulfilled_at=timezone.now() - timedelta(days=3))
    line = order.lines.first()
    frame = _open(
        host,
        page,
        live_server,
        path="/dashboard/popups/order",
        token=staff_token("MANAGE_ORDERS", email="clerk@example.com"),
        orderId=order.saleor_id,
    )
    frame.locator(f'input[name="qty-{line.pk}"]').fill("1")
    frame.locator('select[name="reason"]').select_option("wrong-size")
    _shot(page, "order-popup")
    frame.locator("#start-return button[type=submit]").click()
    frame.locator("#return-detail").wait_for(timeout=10000)
    page.wait_for_function("window.received.some(m => m.type === 'popupClose')", timeout=10000)
    actions = _actions(page)
    assert "refreshEntity" in actions and "notification" in actions
    created = ReturnRequest.objects.get(order=order)
    assert created.lines.get().quantity == 1
    assert created.events.order_by("id").first().actor_email == "clerk@example.com"


def test_reject_receive_inspect_resolve_from_the_detail_page(
    transactional_db, live_server, installation, staff_token, browser_page
):
    host, page = browser_page
    rejected, resolved = make_return(installation), make_return(installation)
    token = staff_token("MANAGE_ORDERS")

    frame = _open(host, page, live_server, path="/dashboard/returns", token=token)
    frame.locator(f'tr[data-rma="{rejected.number}"] a').click()
    frame.locator("#reject-form input[name=reason]").fill("Worn and washed")
    frame.locator("#reject-form button").click()
    frame.locator('#return-detail[data-status="rejected"]').wait_for(timeout=10000)
    rejected.refresh_from_db()
    assert (rejected.status, rejected.decision_note) == (ReturnStatus.REJECTED, "Worn and washed")

    frame = _open(host, page, live_server, path="/dashboard/returns", token=token)
    frame.locator(f'tr[data-rma="{resolved.number}"] a').click()
    frame.locator("#approve-form button").click()
    frame.locator('#return-detail[data-status="approved"]').wait_for(timeout=10000)
    frame.locator("#receive-form button").click()
    frame.locator('#return-detail[data-status="received"]').wait_for(timeout=10000)
    line = resolved.lines.get()
    frame.locator(f'select[name="condition-{line.pk}"]').select_option("unopened")
    frame.locator("#inspect-form button").click()
    frame.locator('#return-detail[data-status="inspected"]').wait_for(timeout=10000)
    _shot(page, "return-detail-inspected")
    frame.locator("#resolve-form select").select_option("refund")
    frame.locator("#resolve-form button").click()
    frame.locator('#return-detail[data-status="resolving"]').wait_for(timeout=10000)
    resolved.refresh_from_db()
    assert resolved.status == ReturnStatus.RESOLVING
    assert _actions(page).count("refreshEntity") >= 1


def _member(installation):
    from saleor_aftersales.loyalty import actions as loyalty_actions
    from tests.loyalty.factories import CHANNEL, CUSTOMER_ID, EMAIL, STAFF, make_programme

    make_programme(installation)
    account = loyalty_actions.ensure_account(
        installation=installation, channel_slug=CHANNEL, email=EMAIL, user_id=CUSTOMER_ID
    )
    loyalty_actions.adjust_points(account=account, points=120, reason="welcome", actor=STAFF)
    return account, CUSTOMER_ID


def test_customer_popup_adjusts_points(
    transactional_db, live_server, installation, staff_token, browser_page
):
    host, page = browser_page
    account, customer_id = _member(installation)
    frame = _open(
        host,
        page,
        live_server,
        path="/dashboard/popups/customer",
        token=staff_token("MANAGE_USERS"),
        customerId=customer_id,
    )
    frame.locator(f'[data-account="{account.pk}"] input[name=points]').fill("-20")
    frame.locator(f'[data-account="{account.pk}"] input[name=reason]').fill("Typo")
    frame.locator(f'[data-account="{account.pk}"] form.adjust button').click()
    frame.locator('[data-available="100"]').wait_for(timeout=10000)
    page.wait_for_function("window.received.some(m => m.type === 'refreshEntity')", timeout=10000)
    _shot(page, "customer-popup-loyalty")
    account.refresh_from_db()
    assert account.available_points == 100


def test_loyalty_section_dark_theme(transactional_db, live_server, installation, staff_token, browser_page):
    host, page = browser_page
    account, _customer_id = _member(installation)
    frame = _open(
        host, page, live_server, path="/dashboard/loyalty", token=staff_token("MANAGE_USERS"), theme="dark"
    )
    frame.locator("#loyalty input[name=email]").fill(account.email)
    frame.locator("#loyalty form.filters button").click()
    frame.locator(f'[data-account="{account.pk}"]').wait_for(timeout=10000)
    background = frame.locator("body").evaluate("b => getComputedStyle(b).backgroundColor")
    assert background == "rgb(29, 31, 33)"
    _shot(page, "loyalty-dark")


def test_insights_in_chinese_with_charts(
    transactional_db, live_server, installation, staff_token, browser_page
):
    host, page = browser_page
    make_return(installation)
    frame = _open(
        host,
        page,
        live_server,
        path="/dashboard/insights",
        token=staff_token("MANAGE_ORDERS"),
        locale="zh-Hans",
    )
    frame.locator("#insights").wait_for(timeout=10000)
    # Chart.js (vendored) drew every chart; the nav and the page speak Chinese.
    frame.locator('canvas[data-drawn="1"]').nth(2).wait_for(timeout=10000)
    assert frame.locator("canvas[data-chart]").count() == 3
    assert "数据洞察" in frame.locator("#insights h1").inner_text()
    assert frame.locator('nav.sections a[data-section="insights"]').get_attribute("aria-current") == "page"
    assert frame.locator('nav.sections a[data-section="loyalty"]').inner_text() == "会员积分"
    _shot(page, "insights-zh")
    frame.locator('nav.sections a[data-section="settings"]').click()
    frame.locator("#settings").wait_for(timeout=10000)
    assert "退货政策" in frame.locator("#settings").inner_text()
    _shot(page, "settings-zh")


def test_bridge_ignores_messages_not_from_the_dashboard_and_redirects_to_the_order(
    transactional_db, live_server, installation, staff_token, browser_page
):
    host, page = browser_page
    request = make_return(installation)
    frame_locator = _open(
        host, page, live_server, path="/dashboard/returns", token=staff_token("MANAGE_ORDERS")
    )
    frame_locator.locator(f'tr[data-rma="{request.number}"]').wait_for(timeout=10000)
    app = next(f for f in page.frames if f.parent_frame is not None)
    # A tokenRefresh that does not come from the Dashboard (here: the app window itself, its own origin) must be
    # ignored: were it taken, the next call would carry a forged token and be refused with 401.
    app.evaluate(
        "() => window.postMessage({type: 'tokenRefresh', payload: {token: 'forged.token.value'}}, '*')"
    )
    page.wait_for_timeout(300)
    frame_locator.locator(f'tr[data-rma="{request.number}"] a').click()
    frame_locator.locator("#return-detail").wait_for(timeout=10000)
    assert frame_locator.locator(".refused").count() == 0
    # The order link asks the Dashboard to open the Saleor order.
    frame_locator.locator("#return-detail [data-redirect]").first.click()
    page.wait_for_function("window.received.some(m => m.type === 'redirect')", timeout=10000)
    [redirect] = [m["payload"] for m in page.evaluate("window.received") if m["type"] == "redirect"]
    assert redirect["to"] == f"/orders/{request.order.saleor_id}"
