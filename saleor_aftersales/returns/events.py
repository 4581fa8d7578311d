"""Timeline rows of a return request (one per state change, plus tracking/pickup/settlement facts)."""

from __future__ import annotations

from ..core.events import EventRecorder
from .models import ReturnEvent

# Event types that are not transitions.
CREATED = "created"
TRACKING_ADDED = "tracking_added"
PICKUP_REQUESTED = "pickup_requested"
LINE_INSPECTED = "line_inspected"
SETTLEMENT_STARTED = "settlement_started"
SETTLEMENT_SUCCEEDED = "settlement_succeeded"
SETTLEMENT_FAILED = "settlement_failed"


record_event = EventRecorder(ReturnEvent, "request")


# What the customer reads in the timeline, per event type.
TIMELINE_TEXTS: dict[str, dict[str, str]] = {
    CREATED: {"en": "Request submitted", "zh-hans": "已提交申请"},
    "approve": {"en": "Approved", "zh-hans": "审核通过"},
    "approve_partially": {"en": "Partially approved", "zh-hans": "部分通过"},
    "reject": {"en": "Rejected", "zh-hans": "审核未通过"},
    "cancel": {"en": "Cancelled", "zh-hans": "已取消"},
    "ship": {"en": "On its way back", "zh-hans": "商品寄回中"},
    TRACKING_ADDED: {"en": "Tracking number added", "zh-hans": "已填写物流单号"},
    PICKUP_REQUESTED: {"en": "Courier pickup booked", "zh-hans": "已预约上门取件"},
    "receive_partially": {"en": "Partly received", "zh-hans": "部分商品已签收"},
    "receive": {"en": "Received", "zh-hans": "已签收"},
    LINE_INSPECTED: {"en": "Item inspected", "zh-hans": "商品已验货"},
    "inspect": {"en": "Inspection finished", "zh-hans": "验货完成"},
    "resolve": {"en": "Being settled", "zh-hans": "正在处理退款/换货"},
    SETTLEMENT_STARTED: {"en": "Settlement sent to the shop", "zh-hans": "已提交结算"},
    "fail_settlement": {"en": "Settlement delayed", "zh-hans": "结算延迟"},
    "retry_settlement": {"en": "Settlement retried", "zh-hans": "重新结算"},
    "settle": {"en": "Completed", "zh-hans": "已完成"},
    "close": {"en": "Closed", "zh-hans": "已关闭"},
}
