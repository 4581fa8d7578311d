"""Customer notifications of the warranty capability: {event: {language: (subject, body)}}.

Placeholders come from the notification context: reference (claim / repair number), product, decision, note,
amount, currency, carrier, tracking, sender, token, guide, tips.
"""

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "warranty_claim_received": {
        "en": (
            "We received your warranty claim {reference}",
            "Your claim {reference} for {product} is received; "
            "we will get back to you within two working days.",
        ),
        "zh-hans": (
            "已收到您的保修申请 {reference}",
            "您关于 {product} 的保修申请 {reference} 已收到，我们将在两个工作日内回复。",
        ),
    },
    "warranty_claim_decided": {
        "en": (
            "Your warranty claim {reference}: {decision}",
            "We decided on your claim {reference}: {decision}. {note}",
        ),
        "zh-hans": (
            "您的保修申请 {reference} 处理结果：{decision}",
            "您的保修申请 {reference} 处理结果：{decision}。{note}",
        ),
    },
    "warranty_repair_quote": {
        "en": (
            "Repair {reference}: your quote",
            "The repair {reference} costs {amount} {currency}. "
            "Please accept or decline the quote in your account.",
        ),
        "zh-hans": (
            "维修单 {reference} 报价",
            "维修单 {reference} 的费用为 {amount} {currency}，请在您的账户中接受或拒绝报价。",
        ),
    },
    "warranty_repair_shipped": {
        "en": (
            "Repair {reference} is on its way back",
            "Your repaired item is on its way: {carrier} {tracking}.",
        ),
        "zh-hans": ("维修单 {reference} 已寄回", "您维修好的商品已寄出：{carrier} {tracking}。"),
    },
    "warranty_transfer_offered": {
        "en": (
            "A warranty was transferred to you",
            "{sender} transfers the warranty of {product} to you. "
            "Sign in and accept it with the code {token}.",
        ),
        "zh-hans": (
            "有人向您转让了保修",
            "{sender} 将 {product} 的保修转让给您。请登录并使用代码 {token} 接受。",
        ),
    },
    "warranty_registration_verified": {
        "en": (
            "Your warranty for {product} is active",
            "We verified your proof of purchase: the warranty is active.",
        ),
        "zh-hans": ("您的 {product} 保修已生效", "您的购买凭证已审核通过，保修已生效。"),
    },
    "warranty_registration_rejected": {
        "en": (
            "We could not register your warranty",
            "We could not verify the purchase of {product}: {note}",
        ),
        "zh-hans": ("保修登记未通过", "我们无法核实 {product} 的购买信息：{note}"),
    },
    "warranty_care_reminder": {
        "en": (
            "Time to care for your {product}",
            "{guide}: {tips}. A little care now keeps them going for years.",
        ),
        "zh-hans": ("该保养您的 {product} 了", "{guide}：{tips}。定期保养，经久耐穿。"),
    },
}
