"""The Dashboard pages' texts in English and Simplified Chinese, picked from the Dashboard's `locale` param."""

from __future__ import annotations

TEXTS = {
    "en": {
        "returns": "Returns",
        "loading": "Loading…",
        "number": "RMA",
        "order": "Order",
        "customer": "Customer",
        "status": "Status",
        "created": "Created",
        "due": "Next step due",
        "overdue": "Overdue",
        "on_time": "On time",
        "approve": "Approve",
        "approved": "Return approved",
        "approve_selected": "Approve selected",
        "search": "Search RMA, order or e-mail",
        "all_statuses": "All statuses",
        "filter": "Filter",
        "no_returns": "No returns.",
        "timeline": "Timeline",
        "lines": "Lines",
        "quantity": "Qty",
        "reason": "Reason",
        "open_order": "Open order",
        "refused": "You are not allowed to see this.",
        "open_returns": "Open returns",
        "breaches": "SLA breaches",
        "today": "New today",
        "back": "Back to queue",
    },
    "zh-hans": {
        "returns": "退货",
        "loading": "加载中…",
        "number": "退货单号",
        "order": "订单",
        "customer": "客户",
        "status": "状态",
        "created": "创建时间",
        "due": "下一步截止",
        "overdue": "已超时",
        "on_time": "按时",
        "approve": "批准",
        "approved": "退货已批准",
        "approve_selected": "批准所选",
        "search": "搜索退货单号、订单或邮箱",
        "all_statuses": "全部状态",
        "filter": "筛选",
        "no_returns": "暂无退货。",
        "timeline": "时间线",
        "lines": "商品行",
        "quantity": "数量",
        "reason": "原因",
        "open_order": "打开订单",
        "refused": "您无权查看此内容。",
        "open_returns": "未完成的退货",
        "breaches": "SLA 超时",
        "today": "今日新增",
        "back": "返回列表",
    },
}


def texts_for(locale: str | None) -> dict[str, str]:
    value = (locale or "").lower().replace("_", "-")
    return TEXTS["zh-hans"] if value.startswith("zh") else TEXTS["en"]
