"""Care knowledge: the built-in leather-shoe guide (en + zh-Hans); merchant rows with the same code override it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Guide:
    code: str
    title_en: str
    title_zh_hans: str
    sections: list[dict]
    product_type_ids: list[str] = field(default_factory=list)
    category_ids: list[str] = field(default_factory=list)
    match_keywords: list[str] = field(default_factory=list)
    reminder_interval_months: int | None = None
    is_active: bool = True
    pk: int | None = None


LEATHER_SHOES = Guide(
    code="leather-shoes",
    title_en="Caring for your leather shoes",
    title_zh_hans="皮鞋保养指南",
    match_keywords=["shoe", "boot", "loafer", "鞋", "靴"],
    reminder_interval_months=6,
    sections=[
        {
            "topic": "cleaning",
            "title_en": "Cleaning",
            "title_zh_hans": "清洁",
            "body_en": "Brush off dust after each wear with a soft horsehair brush. Wipe marks with a damp cloth, "
            "never soak the leather, and let the shoes dry at room temperature away from radiators.",
            "body_zh_hans": "每次穿着后用柔软的马毛刷刷去灰尘。用微湿的布擦拭污渍，切勿浸泡皮革，"
            "并在室温下自然晾干，远离暖气等热源。",
        },
        {
            "topic": "conditioning",
            "title_en": "Conditioning",
            "title_zh_hans": "滋养护理",
            "body_en": "Every one to three months, work a thin layer of leather conditioner or cream polish into "
            "the upper with a cloth, leave it ten minutes, then buff to keep the leather supple.",
            "body_zh_hans": "每一至三个月，用布在鞋面上薄涂一层皮革护理油或鞋乳，静置十分钟后抛光，保持皮革柔软。",
        },
        {
            "topic": "storage",
            "title_en": "Storage",
            "title_zh_hans": "存放",
            "body_en": "Insert cedar shoe trees after wearing, store in the cotton dust bag away from sunlight, "
            "and rest each pair a day between wears.",
            "body_zh_hans": "穿后放入雪松木鞋撑，装入棉质防尘袋，避免阳光直射；每双鞋穿一天后休息一天。",
        },
        {
            "topic": "sole_care",
            "title_en": "Sole care",
            "title_zh_hans": "鞋底护理",
            "body_en": "Check soles and heels regularly; have heel tips replaced before the heel block wears, "
            "and resole leather soles before the welt is reached. Avoid wet pavements with new leather soles.",
            "body_zh_hans": "定期检查鞋底和鞋跟；在鞋跟磨到跟座之前更换鞋跟皮，在磨到沿条之前更换皮底。"
            "新皮底应避免在湿滑路面行走。",
        },
    ],
)

DEFAULT_GUIDES: list[Guide] = [LEATHER_SHOES]
TOPICS = ("cleaning", "conditioning", "storage", "sole_care")


def guides(rows) -> list[Guide]:
    result = {g.code: g for g in DEFAULT_GUIDES}
    for row in rows:
        result[row.code] = Guide(
            code=row.code,
            title_en=row.title_en,
            title_zh_hans=row.title_zh_hans,
            sections=list(row.sections or []),
            product_type_ids=list(row.product_type_ids or []),
            category_ids=list(row.category_ids or []),
            match_keywords=list(row.match_keywords or []),
            reminder_interval_months=row.reminder_interval_months,
            is_active=row.is_active,
            pk=row.pk,
        )
    return [g for g in result.values() if g.is_active]


def guide_for(
    all_guides: list[Guide], *, product_type_id: str, product_type_name: str = "", category_id: str = ""
) -> Guide | None:
    """By product type id first, then by category id, then by a keyword in the product type name."""
    for guide in all_guides:
        if product_type_id and product_type_id in guide.product_type_ids:
            return guide
    for guide in all_guides:
        if category_id and category_id in guide.category_ids:
            return guide
    name = (product_type_name or "").lower()
    if name:
        for guide in all_guides:
            if any(keyword.lower() in name for keyword in guide.match_keywords):
                return guide
    return None
