"""Triage intents, their labels, and the return reason each one pre-fills.

The reason codes are those of the returns capability's catalogue (`returns/reasons.py`); they are kept here as
plain strings because knowledge sits below returns in the layers and must not import it.
"""

from __future__ import annotations

SIZE_FIT = "size_fit"
DEFECT_QUALITY = "defect_quality"
WRONG_ITEM = "wrong_item"
DELIVERY_SHIPPING = "delivery_shipping"
REFUND_STATUS = "refund_status"
RETURN_REQUEST_HOWTO = "return_request_howto"
CARE_MAINTENANCE = "care_maintenance"
WARRANTY_REPAIR = "warranty_repair"
LOYALTY_POINTS = "loyalty_points"
OTHER = "other"

INTENTS: tuple[str, ...] = (
    SIZE_FIT,
    DEFECT_QUALITY,
    WRONG_ITEM,
    DELIVERY_SHIPPING,
    REFUND_STATUS,
    RETURN_REQUEST_HOWTO,
    CARE_MAINTENANCE,
    WARRANTY_REPAIR,
    LOYALTY_POINTS,
    OTHER,
)

LABELS: dict[str, dict[str, str]] = {
    SIZE_FIT: {"en": "Size and fit", "zh-hans": "尺码与合脚"},
    DEFECT_QUALITY: {"en": "Defect or quality problem", "zh-hans": "质量问题"},
    WRONG_ITEM: {"en": "Wrong or missing item", "zh-hans": "发错货或漏发"},
    DELIVERY_SHIPPING: {"en": "Delivery and shipping", "zh-hans": "物流配送"},
    REFUND_STATUS: {"en": "Refund status", "zh-hans": "退款进度"},
    RETURN_REQUEST_HOWTO: {"en": "How to return", "zh-hans": "如何退换货"},
    CARE_MAINTENANCE: {"en": "Care and maintenance", "zh-hans": "保养护理"},
    WARRANTY_REPAIR: {"en": "Warranty and repair", "zh-hans": "保修与维修"},
    LOYALTY_POINTS: {"en": "Loyalty points", "zh-hans": "会员积分"},
    OTHER: {"en": "Something else", "zh-hans": "其他问题"},
}

# Intent -> return reason code (returns/reasons.py). None: the intent is a question, not a return reason.
RETURN_REASON_CODES: dict[str, str | None] = {
    SIZE_FIT: "wrong-size",
    DEFECT_QUALITY: "quality-defect",
    WRONG_ITEM: "wrong-item",
    DELIVERY_SHIPPING: None,  # a late parcel is no return reason; transit damage is refined below
    REFUND_STATUS: None,
    RETURN_REQUEST_HOWTO: None,
    CARE_MAINTENANCE: None,
    WARRANTY_REPAIR: "quality-defect",
    LOYALTY_POINTS: None,
    OTHER: "other",
}

# Words that turn a delivery or wrong-item message into a more precise reason of the same category.
TRANSIT_DAMAGE_MARKERS = (
    "damaged",
    "crushed",
    "broken box",
    "torn",
    "wet",
    "压坏",
    "破损",
    "损坏",
    "压扁",
    "摔坏",
    "湿了",
    "烂了",
)
MISSING_MARKERS = (
    "missing",
    "only one",
    "only got one",
    "not in the box",
    "少了",
    "漏发",
    "少发",
    "缺了",
    "只有一只",
)


def return_reason_code(intent: str, normalized_text: str) -> str | None:
    """The return reason to pre-fill for an intent, refined by a few unambiguous words of the text."""
    if intent == DELIVERY_SHIPPING and any(marker in normalized_text for marker in TRANSIT_DAMAGE_MARKERS):
        return "damaged-in-transit"
    if intent == WRONG_ITEM and any(marker in normalized_text for marker in MISSING_MARKERS):
        return "missing-item"
    return RETURN_REASON_CODES.get(intent)
