"""The symptom catalogue claims choose from: built-in defaults (leather goods and shoes), merchant rows override
or add by code."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Symptom:
    code: str
    label_en: str
    label_zh_hans: str
    is_active: bool = True
    position: int = 0

    def label(self, language: str) -> str:
        return self.label_zh_hans if language == "zh-hans" else self.label_en


DEFAULT_SYMPTOMS: list[Symptom] = [
    Symptom("sole-detachment", "Sole detaching", "鞋底开胶", position=1),
    Symptom("stitching", "Stitching coming loose", "缝线开裂", position=2),
    Symptom("zipper", "Zipper broken", "拉链损坏", position=3),
    Symptom("heel-damage", "Heel broken or loose", "鞋跟断裂或松动", position=4),
    Symptom("upper-crack", "Leather cracking", "皮面开裂", position=5),
    Symptom("hardware", "Buckle or eyelet broken", "鞋扣或鞋眼损坏", position=6),
    Symptom("wear", "Normal wear and tear", "正常磨损", position=7),
    Symptom("water-damage", "Water damage", "进水损坏", position=8),
    Symptom("misuse", "Damage from misuse", "使用不当造成的损坏", position=9),
    Symptom("other", "Something else", "其他问题", position=10),
]

DEFAULT_COVERED = (
    "sole-detachment",
    "stitching",
    "zipper",
    "heel-damage",
    "upper-crack",
    "hardware",
    "other",
)
DEFAULT_EXCLUDED = ("wear", "water-damage", "misuse")


def catalogue(rows) -> dict[str, Symptom]:
    """Defaults overlaid with the merchant's rows (same code = override)."""
    result = {s.code: s for s in DEFAULT_SYMPTOMS}
    for row in rows:
        result[row.code] = Symptom(row.code, row.label_en, row.label_zh_hans, row.is_active, row.position)
    return result
