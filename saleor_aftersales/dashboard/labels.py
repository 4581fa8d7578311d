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


ZH_STATUS.update(
    {
        "warranty": {
            "pending_verification": "待验证",
            "active": "有效",
            "rejected": "登记被拒",
            "voided": "已作废",
        },
        "lot": {
            "pending": "待生效",
            "available": "可用",
            "consumed": "已用完",
            "expired": "已过期",
            "reversed": "已冲回",
        },
        "rewardclaim": {
            "pending": "正在 Saleor 中发放",
            "issued": "已发放",
            "failed": "发放失败（积分已退回）",
        },
        "qualityalert": {"open": "待处理", "acknowledged": "已确认"},
    }
)

_SCOPE = {"product": "商品", "category": "分类", "product_type": "商品类型"}
_REASON_CATEGORY = {
    "quality": "质量问题",
    "no_reason": "无理由 / 改变主意",
    "logistics": "物流问题（运输损坏、缺件、发错货）",
    "other": "其他",
}

# Every other choice a screen shows, keyed by (model, field): English from the model, Chinese here.
ZH_CHOICES: dict[tuple[str, str], dict[str, str]] = {
    ("repairorder", "quote_status"): {
        "none": "未报价",
        "pending": "等待顾客确认",
        "accepted": "已接受",
        "declined": "已拒绝",
    },
    ("repairline", "kind"): {"part": "配件", "labour": "工时"},
    ("returnrequest", "kind"): {"return": "退货", "exchange": "换货", "claim": "索赔（无需退货）"},
    ("returnrequest", "resolution"): {
        "refund": "原路退款",
        "store_credit": "店铺余额（礼品卡）",
        "exchange": "换成其他款式",
        "repair": "维修",
        "replacement": "免费换新（索赔）",
    },
    ("returnreason", "category"): _REASON_CATEGORY,
    ("returnline", "reason_category"): _REASON_CATEGORY,
    ("returnline", "condition"): {"unopened": "未拆封", "opened": "已拆封", "damaged": "已损坏"},
    ("returnpolicy", "window_starts"): {"fulfillment": "发货", "delivery": "签收（未知时按发货）"},
    ("returnpolicyrule", "scope"): _SCOPE,
    ("settlement", "kind"): {
        "refund": "退款",
        "store_credit": "店铺余额",
        "exchange": "换货",
        "replacement": "换新",
        "return_record": "已在 Saleor 中记录退回商品",
    },
    ("earnrule", "scope"): _SCOPE,
    ("programme", "tier_basis"): {"points": "近 12 个月获得的积分", "spend": "近 12 个月的消费金额"},
    ("lot", "source"): {"purchase": "购物", "action": "行为奖励", "adjustment": "人工调整"},
    ("reward", "kind"): {
        "gift_card": "固定金额礼品卡",
        "percentage_voucher": "折扣券（百分比）",
        "fixed_voucher": "固定金额优惠券",
        "free_shipping": "免运费券",
    },
    ("warrantyterms", "scope"): {**_SCOPE, "default": "其他所有商品（默认条款）"},
    ("warranty", "source"): {"order": "Saleor 订单", "external": "外部购买"},
    ("warrantyclaim", "coverage"): {
        "covered": "在保",
        "out_of_term": "已过保",
        "not_covered": "不在保修范围",
        "overridden": "员工特批在保",
    },
    ("warrantyclaim", "decision"): {
        "repair": "保修维修",
        "replace": "换新",
        "refund": "退款",
        "reject": "拒绝",
        "paid_repair": "付费维修（报价）",
    },
    ("servicecase", "kind"): {"consultation": "咨询", "complaint": "投诉"},
    ("servicecase", "channel"): {
        "storefront": "商城",
        "email": "邮件",
        "phone": "电话（员工记录）",
        "chat": "在线聊天",
        "social": "社交媒体",
    },
    ("servicecase", "priority"): {"low": "低", "normal": "普通", "high": "高", "urgent": "紧急"},
    ("servicemessage", "kind"): {"customer": "顾客留言", "reply": "客服回复", "note": "内部备注"},
    ("knowledgearticle", "language"): {"en": "英文", "zh-hans": "简体中文"},
    ("qualityalert", "level"): {"sku": "SKU（商品款式）", "category": "分类", "supplier": "供应商"},
    ("qualityalert", "comparison"): {"baseline": "自身基线", "category": "所属分类"},
}

# The ledger's entry kinds (`LedgerEntry.type` is EventRecord's free field, so the choices live on EntryKind).
ZH_ENTRY_KINDS = {
    "earn_pending": "已获得积分（退货期内待生效）",
    "release": "待生效积分已可用",
    "earn": "已获得积分（行为奖励）",
    "redeem": "积分兑换",
    "reverse": "积分冲回（退款或取消）",
    "restore": "已兑换积分退回",
    "expire": "积分过期",
    "adjust": "人工调整",
    "debt_settled": "新积分抵扣了负余额",
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


def field_choices(
    model: type[models.Model], field: str, language: str | None, *, only=None
) -> list[tuple[str, str]]:
    """(value, label) of every choice of `model.<field>` (or of those in `only`), for a form's select."""
    return [
        (value, choice_label(model, field, value, language))
        for value, _ in model._meta.get_field(field).choices or ()  # type: ignore[union-attr]
        if value and (only is None or value in only)
    ]


def entry_kind_label(value: str, language: str | None) -> str:
    from ..loyalty.models import EntryKind

    if is_chinese(language):
        return ZH_ENTRY_KINDS.get(value, value)
    return str(dict(EntryKind.choices).get(value, value))


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


# The staff transitions of a service case (buttons; `data-transition` / `id="transition-*"` keep the raw name).
CASE_TRANSITIONS: dict[str, dict[str, str]] = {
    "en": {
        "open": "Open",
        "wait_on_customer": "Wait on customer",
        "resolve": "Resolve",
        "close": "Close",
        "reopen": "Reopen",
    },
    "zh-hans": {
        "open": "开始处理",
        "wait_on_customer": "等待客户",
        "resolve": "标记已解决",
        "close": "关闭",
        "reopen": "重新打开",
    },
}


def case_transition_label(name: str, language: str | None) -> str:
    table = CASE_TRANSITIONS["zh-hans"] if is_chinese(language) else CASE_TRANSITIONS["en"]
    return table.get(name, name)


# SLA clocks' metrics (a next-response clock is `next_response:<round>`).
METRICS: dict[str, dict[str, str]] = {
    "en": {
        "first_response": "First response",
        "next_response": "Next response",
        "resolution": "Resolution",
        "decision": "Decision",
        "refund": "Refund",
        "claim_decision": "Claim decision",
        "repair_turnaround": "Repair turnaround",
    },
    "zh-hans": {
        "first_response": "首次响应",
        "next_response": "后续响应",
        "resolution": "解决",
        "decision": "审核",
        "refund": "退款",
        "claim_decision": "索赔审核",
        "repair_turnaround": "维修周期",
    },
}

ACTORS: dict[str, dict[str, str]] = {
    "en": {"customer": "Customer", "staff": "Staff", "app": "App", "system": "System", "guest": "Guest"},
    "zh-hans": {"customer": "顾客", "staff": "员工", "app": "应用", "system": "系统", "guest": "访客"},
}


def metric_label(name: str, language: str | None) -> str:
    table = METRICS["zh-hans"] if is_chinese(language) else METRICS["en"]
    base, _, round_ = name.partition(":")
    label = table.get(base, name)
    return f"{label} {round_}" if round_ and base in table else label


def actor_label(actor_type: str, language: str | None) -> str:
    table = ACTORS["zh-hans"] if is_chinese(language) else ACTORS["en"]
    return table.get(actor_type, actor_type)


def event_label(domain: str, event_type: str, language: str | None) -> str:
    """A timeline row's text from the domain's TIMELINE_TEXTS (returns, warranty); unknown types stay raw."""
    if domain == "returns":
        from ..returns.events import TIMELINE_TEXTS
    else:
        from ..warranty.events import TIMELINE_TEXTS
    texts = TIMELINE_TEXTS.get(event_type)
    if not texts:
        return event_type
    return texts["zh-hans"] if is_chinese(language) else texts["en"]


# A warranty's remedies, in the order of preference the terms list them.
REMEDIES: dict[str, dict[str, str]] = {
    "en": {"repair": "Repair", "replace": "Replace", "refund": "Refund"},
    "zh-hans": {"repair": "维修", "replace": "换新", "refund": "退款"},
}


def remedy_label(name: str, language: str | None) -> str:
    table = REMEDIES["zh-hans"] if is_chinese(language) else REMEDIES["en"]
    return table.get(name, name)


# Settings → History: what kind of setting changed, and how (audit.tracking.TRACKED, audit.ChangeAction).
AUDIT_TARGETS: dict[str, tuple[str, str]] = {
    "returns.ReturnPolicy": ("Return policy", "退货政策"),
    "returns.ReturnPolicyRule": ("Return policy rule", "退货政策规则"),
    "returns.ReturnReason": ("Return reason", "退货原因"),
    "warranty.WarrantyTerms": ("Warranty terms", "保修条款"),
    "warranty.WarrantySettings": ("Warranty settings", "保修设置"),
    "warranty.WarrantySymptom": ("Warranty symptom", "故障症状"),
    "warranty.ServiceCenter": ("Service center", "维修中心"),
    "warranty.Technician": ("Technician", "技师"),
    "warranty.CareGuide": ("Care guide", "保养指南"),
    "loyalty.Programme": ("Loyalty programme", "积分计划"),
    "loyalty.EarnRule": ("Earning rule", "积分规则"),
    "loyalty.Tier": ("Tier", "会员等级"),
    "loyalty.Reward": ("Reward", "奖励"),
    "loyalty.StaffAdjustmentLimit": ("Staff adjustment limit", "员工调整上限"),
    "sla.SlaPolicy": ("SLA policy", "SLA 政策"),
    "sla.BusinessCalendar": ("Business calendar", "工作日历"),
    "notifications.NotificationTemplate": ("Notification template", "通知模板"),
    "notifications.WebhookEndpoint": ("Webhook endpoint", "Webhook 端点"),
    "service.EscalationRule": ("Escalation rule", "升级规则"),
    "surveys.SurveyConfig": ("Survey settings", "满意度调查设置"),
    "insights.InsightsSettings": ("Insights settings", "数据洞察设置"),
}
AUDIT_ACTIONS: dict[str, tuple[str, str]] = {
    "created": ("Created", "新建"),
    "updated": ("Updated", "修改"),
    "deleted": ("Deleted", "删除"),
}


def audit_target_label(target_type: str, lang: str) -> str:
    en, zh = AUDIT_TARGETS.get(target_type, (target_type, target_type))
    return zh if is_chinese(lang) else en


def audit_action_label(action: str, lang: str) -> str:
    en, zh = AUDIT_ACTIONS.get(action, (action, action))
    return zh if is_chinese(lang) else en
