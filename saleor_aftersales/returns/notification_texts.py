"""Customer notifications of the returns capability: {event: {language: (subject, body)}}.

Placeholders come from the notification context: reference (RMA number), order_number, note, amount, currency.
"""

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "return_approved": {
        "en": (
            "Your return {reference} is approved",
            "Good news: your return {reference} for order #{order_number} is approved. {note}\n"
            "Please send the items back, then add the tracking number or book a pickup.",
        ),
        "zh-hans": (
            "您的退货申请 {reference} 已通过",
            "您的订单 #{order_number} 的退货申请 {reference} 已审核通过。{note}\n请寄回商品，并填写物流单号或预约上门取件。",
        ),
    },
    "return_rejected": {
        "en": (
            "Your return {reference} could not be accepted",
            "We are sorry: your return {reference} for order #{order_number} was not accepted. Reason: {note}",
        ),
        "zh-hans": (
            "您的退货申请 {reference} 未通过",
            "很抱歉，您的订单 #{order_number} 的退货申请 {reference} 未通过审核。原因：{note}",
        ),
    },
    "return_received": {
        "en": (
            "We received your return {reference}",
            "Your parcel for return {reference} (order #{order_number}) has arrived. We will inspect it and settle it soon.",
        ),
        "zh-hans": (
            "我们已收到您的退货 {reference}",
            "您的退货 {reference}（订单 #{order_number}）已签收，我们将尽快验货并完成处理。",
        ),
    },
    "return_refunded": {
        "en": (
            "Your return {reference} is settled",
            "We have issued {amount} {currency} for return {reference} (order #{order_number}).",
        ),
        "zh-hans": (
            "您的退货 {reference} 已处理完成",
            "退货 {reference}（订单 #{order_number}）的 {amount} {currency} 已为您办理。",
        ),
    },
    "return_resolved": {
        "en": (
            "Your return {reference} is resolved",
            "Your return {reference} (order #{order_number}) is resolved. "
            "Any replacement or exchange ships separately.",
        ),
        "zh-hans": (
            "您的退货 {reference} 已处理完成",
            "退货 {reference}（订单 #{order_number}）已处理完成。换货或补发商品将另行寄出。",
        ),
    },
}
