"""Timeline rows of warranties, claims and repair orders (one per state change, plus facts such as tracking)."""

from __future__ import annotations

from ..core.events import EventRecorder
from .models import ClaimEvent, RepairEvent, WarrantyEvent

# Event types that are not transitions.
REGISTERED = "registered"
SERIAL_ADDED = "serial_added"
TRANSFER_OFFERED = "transfer_offered"
TRANSFERRED = "transferred"
REMINDER_SENT = "reminder_sent"
CLAIM_CREATED = "created"
SETTLEMENT_STARTED = "settlement_started"
REPAIR_CREATED = "created"
ASSIGNED = "assigned"
LINE_ADDED = "line_added"
LINE_REMOVED = "line_removed"
QUOTE_SENT = "quote_sent"
TRACKING_ADDED = "tracking_added"
PAYMENT_RECEIVED = "payment_received"


record_warranty_event = EventRecorder(WarrantyEvent, "warranty")


record_claim_event = EventRecorder(ClaimEvent, "claim")


record_repair_event = EventRecorder(RepairEvent, "repair_order")


# What the customer reads in the timelines, per event type.
TIMELINE_TEXTS: dict[str, dict[str, str]] = {
    REGISTERED: {"en": "Warranty registered", "zh-hans": "保修已登记"},
    SERIAL_ADDED: {"en": "Serial number added", "zh-hans": "已添加序列号"},
    TRANSFER_OFFERED: {"en": "Transfer offered", "zh-hans": "已发起转让"},
    TRANSFERRED: {"en": "Warranty transferred", "zh-hans": "保修已转让"},
    REMINDER_SENT: {"en": "Care reminder sent", "zh-hans": "已发送保养提醒"},
    "verify": {"en": "Registration verified", "zh-hans": "登记已审核通过"},
    "reject_registration": {"en": "Registration rejected", "zh-hans": "登记未通过审核"},
    "void": {"en": "Warranty voided", "zh-hans": "保修已作废"},
    CLAIM_CREATED: {"en": "Submitted", "zh-hans": "已提交"},
    "decide_repair": {"en": "Repair approved", "zh-hans": "已同意维修"},
    "offer_paid_repair": {"en": "Paid repair offered", "zh-hans": "提供付费维修"},
    "decide_replace": {"en": "Replacement approved", "zh-hans": "已同意换新"},
    "decide_refund": {"en": "Refund approved", "zh-hans": "已同意退款"},
    "reject": {"en": "Claim rejected", "zh-hans": "申请未通过"},
    "cancel": {"en": "Cancelled", "zh-hans": "已取消"},
    "complete_repair": {"en": "Repair completed", "zh-hans": "维修完成"},
    "decline_quote": {"en": "Quote declined", "zh-hans": "已拒绝报价"},
    "close": {"en": "Closed", "zh-hans": "已关闭"},
    "settle": {"en": "Completed", "zh-hans": "已完成"},
    "fail_settlement": {"en": "Settlement delayed", "zh-hans": "处理延迟"},
    "retry_settlement": {"en": "Settlement retried", "zh-hans": "重新处理"},
    SETTLEMENT_STARTED: {"en": "Sent to the shop", "zh-hans": "已提交商店处理"},
    ASSIGNED: {"en": "Service center assigned", "zh-hans": "已分配维修中心"},
    LINE_ADDED: {"en": "Parts or labour added", "zh-hans": "已添加配件或工时"},
    LINE_REMOVED: {"en": "Parts or labour removed", "zh-hans": "已移除配件或工时"},
    QUOTE_SENT: {"en": "Quote sent", "zh-hans": "已发送报价"},
    TRACKING_ADDED: {"en": "Tracking number added", "zh-hans": "已填写物流单号"},
    PAYMENT_RECEIVED: {"en": "Repair paid", "zh-hans": "维修费用已支付"},
    "receive": {"en": "Item received", "zh-hans": "已收到商品"},
    "diagnose": {"en": "Diagnosing", "zh-hans": "检测中"},
    "request_approval": {"en": "Waiting for your approval", "zh-hans": "等待您确认报价"},
    "approve_quote": {"en": "Quote accepted", "zh-hans": "已接受报价"},
    "wait_for_parts": {"en": "Waiting for parts", "zh-hans": "等待配件"},
    "start_repair": {"en": "Repairing", "zh-hans": "维修中"},
    "quality_check": {"en": "Quality check", "zh-hans": "质检中"},
    "fail_quality_check": {"en": "Back to repair", "zh-hans": "返修中"},
    "ship_back": {"en": "Shipped back to you", "zh-hans": "已寄回"},
    "complete": {"en": "Completed", "zh-hans": "已完成"},
    "mark_unrepairable": {"en": "Cannot be repaired", "zh-hans": "无法维修"},
}
