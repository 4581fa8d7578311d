"""Browser walks of the Warranty and Service sections (a claim decided from the queue, a case answered from the
inbox), the order popup's warranty claim, and the new settings tabs, with screenshots."""

import os

import pytest

from saleor_aftersales.service.models import ServiceMessage
from saleor_aftersales.warranty import actions as warranty_actions
from saleor_aftersales.warranty.models import RepairOrder, WarrantyClaim
from tests.service.factories import open_case
from tests.warranty.factories import CUSTOMER, STAFF, registered

from .browser import CHROMIUM, _actions, _open, _shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]


def test_decide_a_warranty_claim_from_the_warranty_section(
    transactional_db, live_server, installation, staff_token, browser_page
):
    host, page = browser_page
    [warranty] = registered(installation)
    claim = warranty_actions.create_claim(
        warranty=warranty, actor=CUSTOMER, symptom="sole-detachment", description="Sole came off"
    )
    center = warranty_actions.save_service_center(
        installation=installation, actor=STAFF, name="Cobbler", capacity=3
    )
    token = staff_token("MANAGE_ORDERS", email="repairs@example.com")
    frame = _open(host, page, live_server, path="/dashboard/warranty", token=token)
    row = frame.locator(f'#warranty-claims tr[data-claim="{claim.number}"]')
    row.wait_for(timeout=10000)
    _shot(page, "warranty-queue")
    row.locator("a").click()
    form = frame.locator("#decide-form")
    form.wait_for(timeout=10000)
    # A rejection without a reason is a typed error on the form; nothing changes.
    form.locator("select[name=decision]").select_option("reject")
    form.locator("button[type=submit]").click()
    frame.locator('#warranty-claim [data-code="REQUIRED"]').wait_for(timeout=10000)
    assert WarrantyClaim.objects.get(pk=claim.pk).status == "submitted"
    form = frame.locator("#decide-form")
    form.locator("select[name=decision]").select_option("repair")
    form.locator("select[name=center]").select_option(str(center.pk))
    form.locator("input[name=note]").fill("Resole under warranty")
    form.locator("button[type=submit]").click()
    repair = frame.locator("#warranty-claim [data-repair]")
    repair.first.wait_for(timeout=10000)
    claim.refresh_from_db()
    assert (claim.status, claim.decision) == ("in_repair", "repair")
    made = RepairOrder.objects.get(claim=claim)
    assert made.center_id == center.pk and frame.locator(f'[data-repair="{made.number}"]').count() == 1
    assert claim.events.order_by("-id").first().actor_email == "repairs@example.com"
    page.wait_for_function("window.received.some(m => m.type === 'refreshEntity')", timeout=10000)
    notes = [m["payload"] for m in page.evaluate("window.received") if m["type"] == "notification"]
    assert [n["status"] for n in notes] == ["error", "success"] and notes[-1]["text"] == claim.number
    _shot(page, "warranty-claim-decided")


def test_reply_to_a_case_from_the_service_inbox_in_chinese(
    transactional_db, live_server, installation, staff_token, browser_page
):
    host, page = browser_page
    case = open_case(installation)
    token = staff_token("MANAGE_ORDERS", email="agent@example.com")
    frame = _open(host, page, live_server, path="/dashboard/service", token=token, locale="zh-Hans")
    row = frame.locator(f'#service-inbox tr[data-case="{case.number}"]')
    row.wait_for(timeout=10000)
    assert "工单" in frame.locator("#service-inbox").inner_text()
    _shot(page, "service-inbox-zh")
    row.locator("a").click()
    form = frame.locator("#reply-form")
    form.wait_for(timeout=10000)
    form.locator("textarea[name=body]").fill("您好，请把鞋子寄回，我们免费修理。")
    form.locator("input[name=wait]").check()
    form.locator("button[type=submit]").click()
    frame.locator('#service-case[data-status="waiting_on_customer"]').wait_for(timeout=10000)
    message = ServiceMessage.objects.filter(case=case).order_by("-id").first()
    assert message.body == "您好，请把鞋子寄回，我们免费修理。" and message.kind == "reply"
    assert "您好，请把鞋子寄回" in frame.locator("#service-case .timeline").inner_text()
    assert "notification" in _actions(page)
    _shot(page, "service-case-replied-zh")


def test_order_popup_files_a_claim_and_the_new_settings_tabs(
    transactional_db, live_server, installation, staff_token, browser_page
):
    host, page = browser_page
    [warranty] = registered(installation)
    token = staff_token("MANAGE_ORDERS", "MANAGE_USERS", "MANAGE_SETTINGS")
    frame = _open(
        host, page, live_server, path="/dashboard/popups/order", token=token, orderId=warranty.order.saleor_id
    )
    form = frame.locator("#claim-form")
    form.wait_for(timeout=10000)
    form.locator("select[name=symptom]").select_option("stitching")
    form.locator("textarea[name=description]").fill("Seam opened (customer called)")
    _shot(page, "order-popup-claim")
    form.locator("button[type=submit]").click()
    frame.locator("#warranty-claim").wait_for(timeout=10000)
    claim = WarrantyClaim.objects.get(warranty=warranty)
    assert claim.description == "Seam opened (customer called)"
    page.wait_for_function("window.received.some(m => m.type === 'refreshEntity')", timeout=10000)

    frame = _open(host, page, live_server, path="/dashboard/settings", token=token, theme="dark")
    frame.locator("#settings").wait_for(timeout=10000)
    for tab, selector in (
        ("warranty", "#settings-warranty"),
        ("sla", "#settings-sla"),
        ("notifications", "#settings-notifications"),
    ):
        frame.locator(f'nav.tabs a[data-tab="{tab}"]').click()
        frame.locator(selector).wait_for(timeout=10000)
    frame.locator("#template-form input[name=subject]").fill("Approved: {reference}")
    frame.locator("#template-preview").click()
    frame.locator('#template-rendered:has-text("Approved: [reference]")').wait_for(timeout=10000)
    _shot(page, "settings-notifications-dark")
    frame.locator('nav.tabs a[data-tab="sla"]').click()
    calendar = frame.locator("#calendar-form")
    calendar.wait_for(timeout=10000)
    calendar.locator("input[name=name]").fill("Shanghai office")
    calendar.locator("input[name=day-0]").fill("09:00-18:00")
    calendar.locator("button[type=submit]").click()
    frame.locator('#settings-sla tr[data-calendar="Shanghai office"]').wait_for(timeout=10000)
    _shot(page, "settings-sla-dark")
