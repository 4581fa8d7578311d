"""Customer-facing text in English and Simplified Chinese."""

from __future__ import annotations

SUPPORTED_LANGUAGES = ("en", "zh-hans")


def normalize_language(code: str | None) -> str:
    """Map Saleor's codes (`EN`, `ZH_HANS`, `zh-Hans`, `zh`, `zh_CN`) onto ours; English otherwise."""
    value = (code or "").strip().lower().replace("_", "-")
    if value.startswith("zh"):
        return "zh-hans"
    return "en"


def pick(texts: dict[str, str] | None, language: str | None, default: str = "") -> str:
    """Choose a text from a {language: text} dict, falling back to English, then to any."""
    if not texts:
        return default
    lang = normalize_language(language)
    return texts.get(lang) or texts.get("en") or next(iter(texts.values()), default)
