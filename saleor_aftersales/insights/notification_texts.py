"""Staff notifications of insights: {event: {language: (subject, body)}}.

Placeholders come from the notification context: week, new_alerts, open_alerts, alert_lines (one line per alert).
"""

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "insights_quality_digest": {
        "en": (
            "Quality alerts, week {week}: {new_alerts} new",
            "Return-reason quality alerts for week {week}.\n"
            "New this week: {new_alerts}. Still open: {open_alerts}.\n\n{alert_lines}\n\n"
            "Open the Insights page of the after-sales app to see the evidence and acknowledge them.",
        ),
        "zh-hans": (
            "质量预警周报（第 {week} 周）：新增 {new_alerts} 条",
            "第 {week} 周退货原因质量预警。\n本周新增：{new_alerts} 条；仍未处理：{open_alerts} 条。\n\n{alert_lines}\n\n"
            "请在售后应用的“数据洞察”页面查看证据并确认处理。",
        ),
    },
}
