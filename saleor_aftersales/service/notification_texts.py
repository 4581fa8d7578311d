"""Notification texts of service cases: {event: {language: (subject, body)}} (merged by notifications).

Placeholders: reference (case number), subject, message, metric.
"""

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "case_opened": {
        "en": (
            "We received your case {reference}",
            'Thank you for contacting us about "{subject}". Your case number is {reference}; '
            "we reply as soon as we can and you can follow its progress in your account.",
        ),
        "zh-hans": (
            "我们已收到您的服务单 {reference}",
            "感谢您就“{subject}”联系我们。您的服务单号为 {reference}，我们会尽快回复，您可在账户中随时查看处理进度。",
        ),
    },
    "case_replied": {
        "en": (
            "New reply on your case {reference}",
            "We replied to your case {reference} ({subject}):\n\n{message}\n\nReply to continue the conversation.",
        ),
        "zh-hans": (
            "您的服务单 {reference} 有新回复",
            "我们已回复您的服务单 {reference}（{subject}）：\n\n{message}\n\n如需继续沟通，请直接回复。",
        ),
    },
    "case_resolved": {
        "en": (
            "Your case {reference} is resolved",
            "We marked your case {reference} ({subject}) as resolved. If anything is still open, just reply.",
        ),
        "zh-hans": (
            "您的服务单 {reference} 已解决",
            "您的服务单 {reference}（{subject}）已标记为已解决。如仍有问题，请直接回复。",
        ),
    },
    "case_sla_warning": {
        "en": (
            "Case {reference}: {metric} target at risk",
            "The {metric} target of case {reference} ({subject}) is about to be missed.",
        ),
        "zh-hans": (
            "服务单 {reference}：{metric} 即将超时",
            "服务单 {reference}（{subject}）的 {metric} 时限即将到期。",
        ),
    },
    "case_sla_breached": {
        "en": (
            "Case {reference}: {metric} target missed",
            "The {metric} target of case {reference} ({subject}) was missed; the case was escalated.",
        ),
        "zh-hans": (
            "服务单 {reference}：{metric} 已超时",
            "服务单 {reference}（{subject}）的 {metric} 时限已超出，已升级处理。",
        ),
    },
}
