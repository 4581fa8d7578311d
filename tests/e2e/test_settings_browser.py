"""Browser tests of the settings screens (loyalty programme, rewards, knowledge base), the customer and home
widgets, and the first paint of every screen: one round trip to our backend after the handshake."""

import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from saleor_aftersales.knowledge.models import KnowledgeArticle
from saleor_aftersales.loyalty import actions as loyalty_actions
from saleor_aftersales.loyalty.models import Programme, Reward, Tier
from saleor_aftersales.returns.models import ReturnRequest
from tests.dashboard.helpers import make_return
from tests.loyalty.factories import CHANNEL, CUSTOMER_ID, EMAIL, STAFF, make_programme

from .browser import CHROMIUM, _open, _shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]


def _backend_calls(page):
    """XHR/fetch requests the framed page makes to our backend (not static files, not the host page)."""
    calls: list[str] = []
    page.on(
        "request",
        lambda r: (
            calls.append(r.url)
            if r.resource_type in ("xhr", "fetch") and "/dashboard/frag/" in r.url
            else None
        ),
    )
    return calls


def test_create_a_reward_and_edit_the_programme_in_chinese(
    transactional_db, live_server, installation, staff_token, browser_page
):
    host, page = browser_page
    make_programme(installation)
    token = staff_token("MANAGE_ORDERS", "MANAGE_DISCOUNTS")
    frame = _open(host, page, live_server, path="/dashboard/settings", token=token, locale="zh-Hans")
    frame.locator("#settings").wait_for(timeout=10000)
    frame.locator('nav.tabs a[data-tab="rewards"]').click()
    frame.locator("#settings-rewards").wait_for(timeout=10000)
    assert "奖励目录" in frame.locator("#settings-rewards").inner_text()
    form = frame.locator("#reward-form")
    form.locator("select[name=kind]").select_option("gift_card")
    form.locator("input[name=name_en]").fill("$10 gift card")
    form.locator("input[name=name_zh_hans]").fill("十元礼品卡")
    form.locator("input[name=points_cost]").fill("1000")
    form.locator("input[name=value]").fill("10")
    form.locator("input[name=per_customer_limit]").fill("1")
    form.locator("button[type=submit]").click()
    frame.locator("#settings-rewards tr[data-reward]").wait_for(timeout=10000)
    reward = Reward.objects.get(installation=installation)
    assert (reward.name_zh_hans, reward.kind, reward.points_cost, reward.value) == (
        "十元礼品卡", "gift_card", 1000, Decimal("10"),
    )  # fmt: skip
    row = frame.locator(f'tr[data-reward="{reward.pk}"]').inner_text()
    assert "十元礼品卡" in row and "礼品卡" in row and "停用" in row
    page.wait_for_function("window.received.some(m => m.type === 'notification')", timeout=10000)
    _shot(page, "settings-rewards-zh")

    # Deactivate it from the list.
    frame.locator(f'tr[data-reward="{reward.pk}"] button.danger').click()
    frame.locator(f'tr[data-reward="{reward.pk}"][data-active="0"]').wait_for(timeout=10000)
    reward.refresh_from_db()
    assert reward.is_active is False

    frame.locator('nav.tabs a[data-tab="loyalty"]').click()
    frame.locator("#programme-form").wait_for(timeout=10000)
    frame.locator("#programme-form input[name=points_per_unit]").fill("2")
    frame.locator("#programme-form input[name=max_points_per_order]").fill("500")
    frame.locator("#programme-form input[name=signup_points]").fill("50")
    frame.locator("#programme-form button[type=submit]").click()
    frame.locator('#programme-form input[name=max_points_per_order][value="500"]').wait_for(timeout=10000)
    programme = Programme.objects.get(installation=installation, channel_slug=CHANNEL)
    assert (programme.points_per_unit, programme.max_points_per_order, programme.signup_points) == (
        Decimal("2"), 500, 50,
    )  # fmt: skip
    tier = frame.locator("#tier-form")
    tier.locator("input[name=code]").fill("gold")
    tier.locator("input[name=name_en]").fill("Gold")
    tier.locator("input[name=name_zh_hans]").fill("金卡")
    tier.locator("input[name=threshold]").fill("1000")
    tier.locator("input[name=multiplier]").fill("1.5")
    tier.locator("button[type=submit]").click()
    frame.locator('tr[data-tier="gold"]').wait_for(timeout=10000)
    assert Tier.objects.get(programme=programme).name_zh_hans == "金卡"
    assert "积分计划" in frame.locator("#settings-loyalty").inner_text()
    frame.locator("#settings-loyalty h1").scroll_into_view_if_needed()
    _shot(page, "settings-loyalty-zh")


def test_knowledge_base_write_and_publish(
    transactional_db, live_server, installation, staff_token, browser_page
):
    host, page = browser_page
    token = staff_token("MANAGE_ORDERS", email="writer@example.com")
    frame = _open(host, page, live_server, path="/dashboard/settings", token=token)
    frame.locator('nav.tabs a[data-tab="knowledge"]').click()
    form = frame.locator("#article-form")
    form.wait_for(timeout=10000)
    form.locator("input[name=slug]").fill("leather-care")
    form.locator("select[name=language]").select_option("zh-hans")
    form.locator("input[name=title]").fill("皮鞋的日常保养")
    form.locator("textarea[name=body]").fill("用柔软的湿布擦拭，每月上油一次。")
    form.locator('input[name=intents][value="care_maintenance"]').check()
    form.locator("button[type=submit]").click()
    frame.locator('tr[data-article="leather-care:zh-hans"][data-published="0"]').wait_for(timeout=10000)
    frame.locator('tr[data-article="leather-care:zh-hans"] button.primary').click()
    frame.locator('tr[data-article="leather-care:zh-hans"][data-published="1"]').wait_for(timeout=10000)
    article = KnowledgeArticle.objects.get(installation=installation)
    assert (article.is_published, article.intents) == (True, ["care_maintenance"])
    frame.locator("#settings-knowledge form.filters input[name=q]").fill("皮鞋保养")
    frame.locator("#settings-knowledge form.filters button[type=submit]").click()
    frame.locator('#settings-knowledge form.filters input[name=q][value="皮鞋保养"]').wait_for(timeout=10000)
    assert frame.locator("tr[data-article]").count() == 1
    _shot(page, "settings-knowledge")


def test_customer_and_home_widgets(transactional_db, live_server, installation, staff_token, browser_page):
    host, page = browser_page
    programme = make_programme(installation)
    Tier.objects.create(
        programme=programme, code="silver", name_en="Silver", name_zh_hans="银卡", threshold=0
    )
    account = loyalty_actions.ensure_account(
        installation=installation, channel_slug=CHANNEL, email=EMAIL, user_id=CUSTOMER_ID
    )
    loyalty_actions.adjust_points(account=account, points=120, reason="welcome", actor=STAFF)
    token = staff_token("MANAGE_ORDERS", "MANAGE_USERS")
    frame = _open(
        host, page, live_server, path="/dashboard/widgets/customer", token=token, customerId=CUSTOMER_ID
    )
    frame.locator('#customer-widget [data-available="120"]').wait_for(timeout=10000)
    assert frame.locator('#customer-widget [data-lot="available"]').count() == 1
    page.wait_for_function("window.received.some(m => m.type === 'widgetResize')", timeout=10000)
    _shot(page, "customer-widget")

    due = make_return(installation)
    ReturnRequest.objects.filter(pk=due.pk).update(next_step_due_at=timezone.now() - timedelta(minutes=5))
    frame = _open(host, page, live_server, path="/dashboard/widgets/home", token=token)
    frame.locator(f'#home-widget [data-queue="{due.number}"]').wait_for(timeout=10000)
    assert frame.locator('#home-widget [data-sla-kind="return_request"]').count() == 1
    _shot(page, "home-widget")


def test_every_screen_paints_after_one_round_trip(
    transactional_db, live_server, installation, staff_token, browser_page
):
    host, page = browser_page
    order_id = make_return(installation).order.saleor_id
    token = staff_token("MANAGE_ORDERS", "MANAGE_USERS", "MANAGE_DISCOUNTS", "MANAGE_SETTINGS")
    screens = [
        ("/dashboard/warranty", {}, "#warranty-claims"),
        ("/dashboard/service", {}, "#service-inbox"),
        ("/dashboard/returns", {}, "#returns-queue"),
        ("/dashboard/loyalty", {}, "#loyalty"),
        ("/dashboard/insights", {}, "#insights"),
        ("/dashboard/settings", {}, "#settings"),
        ("/dashboard/widgets/order", {"orderId": order_id}, "#order-widget"),
        ("/dashboard/widgets/customer", {"customerId": CUSTOMER_ID}, "#customer-widget"),
        ("/dashboard/widgets/home", {}, "#home-widget"),
        ("/dashboard/popups/order", {"orderId": order_id}, "#order-actions"),
        ("/dashboard/popups/customer", {"customerId": CUSTOMER_ID}, "#customer-actions"),
    ]
    calls = _backend_calls(page)
    for path, context, selector in screens:
        calls.clear()
        frame = _open(host, page, live_server, path=path, token=token, **context)
        page.wait_for_function("window.received.some(m => m.type === 'notifyReady')", timeout=10000)
        frame.locator(selector).first.wait_for(timeout=10000)
        page.wait_for_timeout(300)  # anything a screen would fetch next has started by now
        assert len(calls) == 1, (path, calls)
        assert "/dashboard/frag/" in calls[0]
    # Each settings tab is one round trip too.
    frame = _open(host, page, live_server, path="/dashboard/settings", token=token)
    frame.locator("#settings").wait_for(timeout=10000)
    for tab, selector in (
        ("loyalty", "#settings-loyalty"),
        ("rewards", "#settings-rewards"),
        ("knowledge", "#settings-knowledge"),
        ("warranty", "#settings-warranty"),
        ("care", "#settings-care"),
        ("sla", "#settings-sla"),
        ("notifications", "#settings-notifications"),
    ):
        calls.clear()
        frame.locator(f'nav.tabs a[data-tab="{tab}"]').click()
        frame.locator(selector).wait_for(timeout=10000)
        page.wait_for_timeout(200)
        assert len(calls) == 1 and calls[0].split("?")[0].endswith(f"/dashboard/frag/settings/{tab}"), calls
