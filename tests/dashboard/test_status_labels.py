"""Status and SLA labels in en and zh-Hans on every screen that shows them (the `status-*` classes and `data-sla`
attributes the tests select on stay the raw values)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from saleor_aftersales.dashboard import labels
from saleor_aftersales.returns.models import ReturnRequest, ReturnStatus
from saleor_aftersales.service.models import CaseStatus, ServiceCase
from saleor_aftersales.sla.models import SlaClock
from saleor_aftersales.warranty import actions
from saleor_aftersales.warranty.models import ClaimStatus, RepairOrder, RepairStatus, WarrantyClaim
from tests.conftest import TEST_API_URL
from tests.dashboard.helpers import make_return
from tests.service.factories import open_case
from tests.warranty.factories import CUSTOMER, NOW, STAFF, registered

ORDERS = "MANAGE_ORDERS"
HAN = re.compile(r"[\u4e00-\u9fff]")


def _headers(token):
    return {"HTTP_AUTHORIZATION_BEARER": token, "HTTP_SALEOR_API_URL": TEST_API_URL}


@pytest.mark.parametrize(
    "model, values",
    [
        (ReturnRequest, ReturnStatus.values),
        (WarrantyClaim, ClaimStatus.values),
        (RepairOrder, RepairStatus.values),
        (ServiceCase, CaseStatus.values),
    ],
)
def test_every_status_has_an_english_and_a_chinese_label(model, values):
    for value in values:
        english = labels.status_label(model, value, "en")
        chinese = labels.status_label(model, value, "zh-Hans")
        assert english == dict(model._meta.get_field("status").choices)[value]
        assert HAN.search(chinese), (model.__name__, value, chinese)
    assert [v for v, _ in labels.choices(model, "zh-hans")] == list(values)
    assert set(labels.ZH_STATUS[model._meta.model_name]) == set(values)


def test_every_sla_state_has_both_labels():
    states = ("on_track", "at_risk", "breached", "met", "paused", "none")
    assert set(labels.SLA["en"]) == set(labels.SLA["zh-hans"]) == set(states)
    assert labels.sla_label("breached", "zh-CN") == "已超时"
    assert labels.sla_label("on_track", "en") == "On track"


def test_every_staff_repair_transition_has_both_labels():
    from saleor_aftersales.warranty.state import STAFF_REPAIR_TRANSITIONS

    for language in ("en", "zh-hans"):
        assert set(labels.REPAIR_TRANSITIONS[language]) == set(STAFF_REPAIR_TRANSITIONS)
    assert all(HAN.search(label) for label in labels.REPAIR_TRANSITIONS["zh-hans"].values())


def test_warranty_page_shows_chinese_status_and_sla_labels_in_zh_hans(client, installation, staff_token):
    [warranty] = registered(installation)
    claim = actions.create_claim(warranty=warranty, actor=CUSTOMER, symptom="stitching", now=NOW)
    actions.decide_claim(claim=claim, actor=STAFF, decision="repair", note="fix", now=NOW)
    repair = RepairOrder.objects.get()
    token = staff_token(ORDERS)
    board = client.get("/dashboard/frag/warranty?locale=zh-Hans", **_headers(token)).content.decode()
    assert '<span class="pill status-in_repair">维修中</span>' in board
    assert '<h3>等待寄件 <span class="muted">1</span></h3>' in board
    assert 'data-sla="on_track">时效: 正常</span>' in board
    assert '<option value="submitted" >已提交</option>' in board
    assert "In repair" not in board and "on_track</span>" not in board
    english = client.get("/dashboard/frag/warranty", **_headers(token)).content.decode()
    assert '<span class="pill status-in_repair">In repair</span>' in english
    assert '<h3>Awaiting item <span class="muted">1</span></h3>' in english
    assert 'data-sla="on_track">SLA: On track</span>' in english
    page = client.get(
        f"/dashboard/frag/warranty/claims/{claim.pk}", HTTP_X_DASHBOARD_LOCALE="zh-CN", **_headers(token)
    ).content.decode()
    assert '<span class="pill status-awaiting_item">等待寄件</span>' in page
    detail = client.get(f"/dashboard/frag/warranty/repairs/{repair.pk}?locale=zh-Hans", **_headers(token))
    assert '<span class="pill status-awaiting_item">等待寄件</span>' in detail.content.decode()
    assert 'data-transition="receive">确认收件</button>' in detail.content.decode()
    assert 'data-quote="none">未报价</dd>' in detail.content.decode()
    assert '<option value="labour">工时</option>' in detail.content.decode()
    assert 'data-transition="receive">确认收件</button>' in board
    assert 'data-transition="receive">Item received</button>' in english
    widget = client.get(
        f"/dashboard/frag/widgets/order?orderId={warranty.order.saleor_id}&locale=zh-Hans", **_headers(token)
    ).content.decode()
    assert '<span class="pill status-in_repair">维修中</span>' in widget


def test_returns_and_service_pages_show_chinese_labels_in_zh_hans(client, installation, staff_token):
    item = make_return(installation)
    token = staff_token(ORDERS)
    queue = client.get("/dashboard/frag/returns?locale=zh-Hans", **_headers(token)).content.decode()
    assert '<span class="pill status-requested">已申请</span>' in queue
    assert ">Requested<" not in queue
    detail = client.get(
        f"/dashboard/frag/returns/{item.pk}?locale=zh-Hans", **_headers(token)
    ).content.decode()
    assert '<span class="pill status-requested">已申请</span>' in detail
    late = open_case(installation, subject="Late parcel")
    SlaClock.objects.filter(subject_id=str(late.pk), metric="first_response").update(
        due_at=late.created_at - timedelta(minutes=1)
    )
    inbox = client.get("/dashboard/frag/service?locale=zh-Hans", **_headers(token)).content.decode()
    assert '<span class="pill status-new">新建</span>' in inbox
    assert 'data-sla="breached">时效: 已超时</span>' in inbox
    assert '<option value="waiting_on_customer" >等待顾客回复</option>' in inbox
    case = client.get(f"/dashboard/frag/service/{late.pk}?locale=zh-Hans", **_headers(token)).content.decode()
    assert '<span class="pill status-new">新建</span>' in case
    english = client.get("/dashboard/frag/service", **_headers(token)).content.decode()
    assert (
        '<span class="pill status-new">New</span>' in english
        and 'data-sla="breached">SLA: Breached</span>' in english
    )
