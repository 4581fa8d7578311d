"""Status and SLA labels of the Dashboard pages in English and Simplified Chinese.

English comes from the models' choices (one declaration); Chinese from the tables below, per model, because the
same value reads differently per subject ("closed" is a closed return but a claim closed after a declined quote).
Templates use the `status_label` / `sla_label` filters (`{% load aftersales_labels %}`); views use `choices`.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from .i18n import is_chinese

ZH_STATUS: dict[str, dict[str, str]] = {
    "returnrequest": {
        "requested": "已申请",
        "approved": "已批准",
        "partially_approved": "部分批准",
        "rejected": "已拒绝",
        "in_transit": "退回途中",
        "partially_received": "部分收货",
        "received": "已收货",
        "inspected": "已质检",
        "resolving": "结算处理中",
        "settlement_failed": "结算失败",
        "resolved": "已解决",
        "cancelled": "已取消",
        "closed": "已关闭",
    },
    "warrantyclaim": {
        "submitted": "已提交",
        "in_repair": "维修中",
        "settling": "结算处理中",
        "settlement_failed": "结算失败",
        "resolved": "已解决",
        "rejected": "已拒绝",
        "cancelled": "已取消",
        "closed": "已关闭（报价被拒）",
    },
    "repairorder": {
        "awaiting_item": "等待寄件",
        "received": "已收件",
        "diagnosing": "检测中",
        "awaiting_approval": "等待顾客确认报价",
        "awaiting_parts": "等待配件",
        "repairing": "维修中",
        "quality_check": "质检中",
        "shipped_back": "已寄回",
        "completed": "已完成",
        "cancelled": "已取消",
        "unrepairable": "无法维修",
    },
    "servicecase": {
        "new": "新建",
        "open": "处理中",
        "waiting_on_customer": "等待顾客回复",
        "resolved": "已解决",
        "closed": "已关闭",
    },
}

SLA: dict[str, dict[str, str]] = {
    "en": {
        "on_track": "On track",
        "at_risk": "At risk",
        "breached": "Breached",
        "met": "Met",
        "paused": "Paused",
        "none": "No SLA",
    },
    "zh-hans": {
        "on_track": "正常",
        "at_risk": "即将超时",
        "breached": "已超时",
        "met": "已达成",
        "paused": "已暂停",
        "none": "无时限",
    },
}


# Other choices shown on the repair order screen, keyed by (model, field).
ZH_CHOICES: dict[tuple[str, str], dict[str, str]] = {
    ("repairorder", "quote_status"): {
        "none": "未报价",
        "pending": "等待顾客确认",
        "accepted": "已接受",
        "declined": "已拒绝",
    },
    ("repairline", "kind"): {"part": "配件", "labour": "工时"},
}


def choice_label(
    model: type[models.Model] | models.Model, field: str, value: str, language: str | None
) -> str:
    """The label of `value` of `model.<field>` in `language` (en or zh-hans); unknown values stay as they are."""
    try:
        english = dict(model._meta.get_field(field).choices or ()).get(value, value)  # type: ignore[union-attr]
    except FieldDoesNotExist:
        english = value
    if is_chinese(language):
        model_name = model._meta.model_name or ""
        table = (
            ZH_STATUS.get(model_name, {}) if field == "status" else ZH_CHOICES.get((model_name, field), {})
        )
        return table.get(value, str(english))
    return str(english)


def status_label(model: type[models.Model] | models.Model, value: str, language: str | None) -> str:
    return choice_label(model, "status", value, language)


def sla_label(value: str, language: str | None) -> str:
    table = SLA["zh-hans"] if is_chinese(language) else SLA["en"]
    return table.get(value, value)


def choices(model: type[models.Model], language: str | None) -> list[tuple[str, str]]:
    """(value, label) of every status of `model`, for the filters' selects."""
    return [
        (value, status_label(model, value, language))
        for value, _ in model._meta.get_field("status").choices or ()  # type: ignore[union-attr]
    ]


# The staff transitions of a repair order (buttons; `data-transition` keeps the raw name).
REPAIR_TRANSITIONS: dict[str, dict[str, str]] = {
    "en": {
        "receive": "Item received",
        "diagnose": "Start diagnosis",
        "wait_for_parts": "Wait for parts",
        "start_repair": "Start repair",
        "quality_check": "Quality check",
        "fail_quality_check": "Failed quality check",
        "ship_back": "Ship back",
        "complete": "Complete",
        "cancel": "Cancel",
        "mark_unrepairable": "Unrepairable",
    },
    "zh-hans": {
        "receive": "确认收件",
        "diagnose": "开始检测",
        "wait_for_parts": "等待配件",
        "start_repair": "开始维修",
        "quality_check": "提交质检",
        "fail_quality_check": "质检未通过",
        "ship_back": "寄回顾客",
        "complete": "完成",
        "cancel": "取消",
        "mark_unrepairable": "标记无法维修",
    },
}


def repair_transition_label(name: str, language: str | None) -> str:
    table = REPAIR_TRANSITIONS["zh-hans"] if is_chinese(language) else REPAIR_TRANSITIONS["en"]
    return table.get(name, name)
