"""Customer notifications of the surveys capability: {event: {language: (subject, body)}}.

Placeholders come from the notification context: reference (the case/return/claim/repair number), subject_en,
subject_zh_hans (what it was about), link (the signed one-time survey link), expires_on.
"""

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "survey_requested": {
        "en": (
            "How did we do with {subject_en} {reference}?",
            "Your {subject_en} {reference} is resolved. Tell us how we did: it takes one minute.\n\n"
            "{link}\n\nThe link works once and until {expires_on}.",
        ),
        "zh-hans": (
            "您对{subject_zh_hans} {reference} 的服务满意吗？",
            "您的{subject_zh_hans} {reference} 已处理完成。请花一分钟告诉我们您的评价：\n\n"
            "{link}\n\n该链接仅可使用一次，有效期至 {expires_on}。",
        ),
    },
}
