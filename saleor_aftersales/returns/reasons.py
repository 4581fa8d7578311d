"""The reason catalogue: built-in reasons (en + zh-hans) merged with an installation's own rows.

A merchant's ReturnReason with a built-in code overrides it (labels, evidence, active flag); new codes add
reasons. `saleor_reason` is the text sent as Saleor's per-line return/refund `reason` (3.23+).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    code: str
    category: str
    label_en: str
    label_zh_hans: str
    parent_code: str = ""
    saleor_reason: str = ""
    requires_evidence: bool = False
    is_active: bool = True
    position: int = 0

    def label(self, language: str) -> str:
        return self.label_zh_hans if language == "zh-hans" else self.label_en

    @property
    def saleor_text(self) -> str:
        return self.saleor_reason or self.label_en


DEFAULT_REASONS: tuple[Reason, ...] = (
    Reason("quality", "quality", "Quality problem", "质量问题", position=10),
    Reason(
        "quality-defect",
        "quality",
        "Quality defect",
        "商品有质量缺陷",
        "quality",
        "Quality defect",
        True,
        position=11,
    ),
    Reason(
        "not-as-described",
        "quality",
        "Not as described",
        "与描述不符",
        "quality",
        "Not as described",
        True,
        position=12,
    ),
    Reason("logistics", "logistics", "Delivery problem", "物流问题", position=20),
    Reason(
        "damaged-in-transit",
        "logistics",
        "Damaged in transit",
        "运输途中损坏",
        "logistics",
        "Damaged in transit",
        True,
        position=21,
    ),
    Reason(
        "wrong-item", "logistics", "Wrong item sent", "发错商品", "logistics", "Wrong item", True, position=22
    ),
    Reason(
        "missing-item",
        "logistics",
        "Item missing from the parcel",
        "包裹内商品缺失",
        "logistics",
        "Missing item",
        position=23,
    ),
    Reason("no-reason", "no_reason", "No reason needed", "七天无理由退货", position=30),
    Reason("wrong-size", "no_reason", "Wrong size", "尺码不合适", "no-reason", "Wrong size", position=31),
    Reason(
        "changed-mind", "no_reason", "Changed my mind", "不想要了", "no-reason", "Changed mind", position=32
    ),
    Reason("other", "other", "Other", "其他原因", position=90),
)

# Top-level nodes group the tree; customers pick a leaf (or a top-level reason that has no children).
CLAIM_CATEGORIES = ("logistics", "quality")


def merge_catalogue(rows) -> dict[str, Reason]:
    """{code: Reason}: built-ins overridden or extended by the installation's rows (any objects with the fields)."""
    catalogue = {reason.code: reason for reason in DEFAULT_REASONS}
    for row in rows:
        catalogue[row.code] = Reason(
            code=row.code,
            category=row.category,
            label_en=row.label_en,
            label_zh_hans=row.label_zh_hans,
            parent_code=row.parent_code,
            saleor_reason=row.saleor_reason,
            requires_evidence=row.requires_evidence,
            is_active=row.is_active,
            position=row.position,
        )
    return catalogue


def selectable(catalogue: dict[str, Reason]) -> dict[str, Reason]:
    """Active reasons a customer can pick: leaves, or top-level reasons without active children."""
    parents = {r.parent_code for r in catalogue.values() if r.parent_code and r.is_active}
    return {code: r for code, r in catalogue.items() if r.is_active and code not in parents}
