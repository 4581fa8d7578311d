"""Timeline rows of a service case (one per state change, plus assignment, priority, tags, SLA facts)."""

from __future__ import annotations

from ..core.events import EventRecorder
from .models import ServiceCaseEvent

CREATED = "created"
ASSIGNED = "assigned"
PRIORITY_CHANGED = "priority_changed"
TAGS_CHANGED = "tags_changed"
SLA_WARNING = "sla_warning"
SLA_BREACHED = "sla_breached"
ESCALATED = "escalated"
ERASED = "personal_data_erased"

# Event types staff see but customers do not.
INTERNAL = {ASSIGNED, PRIORITY_CHANGED, TAGS_CHANGED, SLA_WARNING, SLA_BREACHED, ESCALATED, ERASED}


record_event = EventRecorder(ServiceCaseEvent, "case")


# What the customer reads in the timeline, per event type.
TIMELINE_TEXTS: dict[str, dict[str, str]] = {
    CREATED: {"en": "Case opened", "zh-hans": "服务单已创建"},
    "open": {"en": "Being handled", "zh-hans": "处理中"},
    "wait_on_customer": {"en": "Waiting for your reply", "zh-hans": "等待您的回复"},
    "customer_replied": {"en": "You replied", "zh-hans": "您已回复"},
    "resolve": {"en": "Resolved", "zh-hans": "已解决"},
    "close": {"en": "Closed", "zh-hans": "已关闭"},
    "reopen": {"en": "Reopened", "zh-hans": "已重新打开"},
    ASSIGNED: {"en": "Assigned", "zh-hans": "已分配"},
    PRIORITY_CHANGED: {"en": "Priority changed", "zh-hans": "优先级已调整"},
    TAGS_CHANGED: {"en": "Tags changed", "zh-hans": "标签已更新"},
    SLA_WARNING: {"en": "SLA target at risk", "zh-hans": "即将超出服务时限"},
    SLA_BREACHED: {"en": "SLA target missed", "zh-hans": "已超出服务时限"},
    ESCALATED: {"en": "Escalated", "zh-hans": "已升级处理"},
    ERASED: {"en": "Personal data erased", "zh-hans": "个人信息已删除"},
    "message_customer": {"en": "Message from you", "zh-hans": "您的留言"},
    "message_reply": {"en": "Reply from the shop", "zh-hans": "商家回复"},
    "message_note": {"en": "Internal note", "zh-hans": "内部备注"},
}
