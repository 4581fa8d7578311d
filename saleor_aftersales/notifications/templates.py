"""Default texts per event, in English and Simplified Chinese. `{name}` placeholders come from the context."""

from __future__ import annotations

from ..core.i18n import pick
from .models import Notification

DEFAULT_TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "generic": {
        "en": ("Update on your request", "There is an update on your request {reference}."),
        "zh-hans": ("您的申请有新进展", "您的申请 {reference} 有新的进展。"),
    },
}


class _Default(dict):
    def __missing__(self, key):
        return ""


def render_notification(notification: Notification) -> tuple[str, str]:
    templates = DEFAULT_TEMPLATES.get(notification.event) or DEFAULT_TEMPLATES["generic"]
    subject_t, body_t = templates.get(notification.language) or templates["en"]
    ctx = _Default(notification.context)
    return subject_t.format_map(ctx), body_t.format_map(ctx)


def localized(texts: dict[str, str], language: str) -> str:
    return pick(texts, language)
