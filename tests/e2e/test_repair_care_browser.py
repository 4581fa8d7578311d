"""Browser walks of the repair order screen (a part and labour added, the state moved, totals and timeline updated),
the care guides settings tab (a typed error on the form, then a guide saved; dark theme in Chinese) and the service
case page in Chinese (labels, transition buttons), with screenshots."""

import os
from decimal import Decimal

import pytest

from saleor_aftersales.service.models import ServiceCase
from saleor_aftersales.warranty import actions as warranty_actions
from saleor_aftersales.warranty.models import CareGuide, RepairOrder
from tests.service.factories import open_case
from tests.warranty.factories import CUSTOMER, NOW, STAFF, registered

from .browser import CHROMIUM, _actions, _open, _shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]


def _whole_screen_shot(page, name):
    """The app page keeps its frame's height: grow the frame to its content so the screenshot shows all of it."""
    app = next(f for f in page.frames if f.parent_frame is not None)  # cross-origin: ask the frame itself
    height = app.evaluate("() => { window.scrollTo(0, 0); return document.documentElement.scrollHeight; }")
    page.evaluate("h => { document.getElementById('app').style.height = h + 'px'; }", height)
    # Out-of-process frames paint within the viewport only: make the viewport as tall as the page.
    page.set_viewport_size({"width": 1100, "height": height + 20})
    page.wait_for_timeout(200)
    _shot(page, name)


def _paid_repair(installation) -> RepairOrder:
    [warranty] = registered(installation)
    claim = warranty_actions.create_claim(
        warranty=warranty, actor=CUSTOMER, symptom="wear", paid_repair=True, now=NOW
    )
    warranty_actions.decide_claim(
        claim=claim, actor=STAFF, decision="paid_repair", note="quote first", now=NOW
    )
    return RepairOrder.objects.get(claim=claim)


def _add_line(frame, *, kind, description, quantity, unit_cost):
    form = frame.locator("#line-form")
    form.locator("select[name=kind]").select_option(kind)
    form.locator("input[name=description]").fill(description)
    form.locator("input[name=quantity]").fill(quantity)
    form.locator("input[name=unit_cost]").fill(unit_cost)
    form.locator("button[type=submit]").click()


def test_repair_order_screen_adds_lines_moves_the_state_and_updates_totals_and_timeline(
    transactional_db, live_server, installation, staff_token, browser_page
):
    host, page = browser_page
    repair = _paid_repair(installation)
    token = staff_token("MANAGE_ORDERS", email="workshop@example.com")
    frame = _open(host, page, live_server, path="/dashboard/warranty", token=token)
    link = frame.locator(f'[data-open-repair="{repair.pk}"]').first
    link.wait_for(timeout=10000)
    link.click()
    screen = frame.locator(f'#repair-order[data-repair="{repair.number}"]')
    screen.wait_for(timeout=10000)
    assert frame.locator("#repair-lines tr[data-kind]").count() == 0
    # A negative cost is a typed error on the line form; nothing is added.
    _add_line(frame, kind="part", description="Heel block", quantity="2", unit_cost="-1")
    frame.locator('#repair-order .form-error[data-form="line"][data-code="NEGATIVE_AMOUNT"]').wait_for(
        timeout=10000
    )
    assert repair.lines.count() == 0
    _add_line(frame, kind="part", description="Heel block", quantity="2", unit_cost="12.50")
    frame.locator('#repair-lines tr[data-kind="part"]').wait_for(timeout=10000)
    _add_line(frame, kind="labour", description="Resoling", quantity="1", unit_cost="30")
    frame.locator('#repair-lines tr[data-kind="labour"]').wait_for(timeout=10000)
    totals = {
        name: frame.locator(f'[data-total="{name}"]').inner_text() for name in ("parts", "labour", "total")
    }
    expected = warranty_actions.totals_of(RepairOrder.objects.get(pk=repair.pk))
    assert (expected.parts, expected.labour, expected.total) == (Decimal("25"), Decimal("30"), Decimal("55"))
    assert totals == {
        "parts": f"{expected.parts} USD",
        "labour": f"{expected.labour} USD",
        "total": f"{expected.total} USD",
    }
    assert frame.locator('#repair-order .timeline li[data-event="line_added"]').count() == 2
    # Move the state: the pill, the offered transitions and the timeline follow.
    frame.locator('#repair-transitions button[data-transition="receive"]').click()
    frame.locator("#repair-order .pill.status-received").wait_for(timeout=10000)
    frame.locator('#repair-order .timeline li[data-event="receive"]').wait_for(timeout=10000)
    assert frame.locator('#repair-transitions button[data-transition="receive"]').count() == 0
    assert frame.locator('#repair-transitions button[data-transition="diagnose"]').count() == 1
    moved = RepairOrder.objects.get(pk=repair.pk)
    assert moved.status == "received"
    assert moved.events.order_by("-id").first().actor_email == "workshop@example.com"
    notes = [m["payload"] for m in page.evaluate("window.received") if m["type"] == "notification"]
    assert [n["status"] for n in notes] == ["error", "success", "success", "success"]
    _whole_screen_shot(page, "repair-order")


def test_care_guides_tab_shows_a_typed_error_then_saves_a_guide(
    transactional_db, live_server, installation, staff_token, browser_page
):
    host, page = browser_page
    token = staff_token("MANAGE_ORDERS", "MANAGE_USERS", "MANAGE_SETTINGS")
    frame = _open(host, page, live_server, path="/dashboard/settings", token=token)
    frame.locator("#settings").wait_for(timeout=10000)
    frame.locator('nav.tabs a[data-tab="care"]').click()
    tab = frame.locator("#settings-care")
    tab.wait_for(timeout=10000)
    assert frame.locator('#settings-care tr[data-guide="leather-shoes"][data-built-in="1"]').count() == 1
    form = frame.locator("#guide-form")
    form.locator("input[name=code]").fill("handbags")
    form.locator("input[name=title_en]").fill("Caring for your handbag")
    form.locator("input[name=category_ids]").fill("Q2F0ZWdvcnk6NDI=")
    form.locator("input[name=reminder_interval_months]").fill("3")
    form.locator("input[name=section-0-title_en]").fill("Cleaning")
    form.locator("input[name=section-0-title_zh_hans]").fill("清洁")
    form.locator("textarea[name=section-0-body_en]").fill("Wipe with a dry cloth.")
    form.locator("textarea[name=section-0-body_zh_hans]").fill("用干布擦拭。")
    form.locator("button[type=submit]").click()
    # No Chinese title: a typed error on the form, what was typed stays, nothing written.
    frame.locator('#settings-care .form-error[data-code="REQUIRED"][data-field="titleEn"]').wait_for(
        timeout=10000
    )
    assert not CareGuide.objects.exists()
    form = frame.locator("#guide-form")
    assert form.locator("input[name=title_en]").input_value() == "Caring for your handbag"
    assert form.locator("textarea[name=section-0-body_zh_hans]").input_value() == "用干布擦拭。"
    form.locator("input[name=title_zh_hans]").fill("手袋保养指南")
    form.locator("button[type=submit]").click()
    frame.locator('#settings-care tr[data-guide="handbags"][data-built-in="0"]').wait_for(timeout=10000)
    guide = CareGuide.objects.get(code="handbags")
    assert (guide.category_ids, guide.reminder_interval_months, len(guide.sections)) == (
        ["Q2F0ZWdvcnk6NDI="], 3, 1,
    )  # fmt: skip
    notes = [m["payload"] for m in page.evaluate("window.received") if m["type"] == "notification"]
    assert [n["status"] for n in notes] == ["error", "success"] and notes[-1]["text"] == "handbags"
    # The saved guide's edit form: its section and one blank to add.
    frame.locator('[data-edit-guide="handbags"]').click()
    frame.locator("#guide-form input[name=code][readonly]").wait_for(timeout=10000)
    assert frame.locator("#guide-form .section").count() == 2
    _whole_screen_shot(page, "settings-care-guides")
    # The same tab in the dark theme and in Chinese.
    frame = _open(
        host, page, live_server, path="/dashboard/settings", token=token, theme="dark", locale="zh-Hans"
    )
    frame.locator("#settings").wait_for(timeout=10000)
    frame.locator('nav.tabs a[data-tab="care"]').click()
    frame.locator("#settings-care").wait_for(timeout=10000)
    assert frame.locator("html").get_attribute("data-theme") == "dark"
    text = frame.locator("#settings-care").inner_text()
    assert "手袋保养指南" in text and "皮鞋保养指南" in text and "故障症状" in text
    _whole_screen_shot(page, "settings-care-guides-dark-zh")


def test_case_page_in_chinese_labels_everything_and_moves_the_case(
    transactional_db, live_server, installation, staff_token, browser_page
):
    host, page = browser_page
    case = open_case(installation, subject="鞋底开胶了", body="新买的皮鞋穿了一周，鞋底就开胶了。")
    token = staff_token("MANAGE_ORDERS", email="agent@example.com")
    frame = _open(host, page, live_server, path="/dashboard/service", token=token, locale="zh-Hans")
    row = frame.locator(f'#service-inbox tr[data-case="{case.number}"]')
    row.wait_for(timeout=10000)
    row.locator("a").click()
    screen = frame.locator(f'#service-case[data-case="{case.number}"]')
    screen.wait_for(timeout=10000)
    text = screen.inner_text()
    # Kind, channel, priority, status, SLA clocks and transition buttons, all in Chinese.
    for label in ("投诉", "商城", "普通", "新建", "首次响应", "解决"):
        assert label in text, label
    assert frame.locator("#transition-open").inner_text() == "开始处理"
    for english in ("Complaint", "Storefront", "Normal", "first_response", "on_track", "Open", "Resolve"):
        assert english not in text, english
    frame.locator("#transition-open").click()
    frame.locator('#service-case[data-status="open"]').wait_for(timeout=10000)
    assert ServiceCase.objects.get(pk=case.pk).status == "open"
    assert frame.locator("#transition-wait_on_customer").inner_text() == "等待客户"
    assert "notification" in _actions(page)
    _whole_screen_shot(page, "case-page-zh")


def test_history_tab_shows_who_changed_a_setting_in_chinese(
    transactional_db, live_server, installation, staff_token, browser_page
):
    host, page = browser_page
    token = staff_token("MANAGE_ORDERS", email="merchant@example.com")
    frame = _open(host, page, live_server, path="/dashboard/settings", token=token, locale="zh-Hans")
    frame.locator("#settings").wait_for(timeout=10000)
    frame.locator('nav.tabs a[data-tab="care"]').click()
    frame.locator("#settings-care").wait_for(timeout=10000)
    form = frame.locator("#symptom-form")
    form.locator("input[name=code]").fill("strap-broken")
    form.locator("input[name=label_en]").fill("Strap broken")
    form.locator("input[name=label_zh_hans]").fill("肩带断裂")
    form.locator("button[type=submit]").click()
    frame.locator('#settings-care [data-symptom="strap-broken"]').wait_for(timeout=10000)
    frame.locator('nav.tabs a[data-tab="history"]').click()
    row = frame.locator(
        '#settings-history tr[data-target^="warranty.WarrantySymptom:"][data-action="created"]'
    )
    row.wait_for(timeout=10000)
    text = row.inner_text()
    assert "merchant@example.com" in text and "故障症状" in text and "新建" in text and "肩带断裂" in text
    _whole_screen_shot(page, "settings-history-zh")
