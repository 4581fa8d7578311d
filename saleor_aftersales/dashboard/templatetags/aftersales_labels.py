"""`{{ row|status_label:t.lang_code }}` and `{{ row.sla|sla_label:t.lang_code }}`: labels in en / zh-hans."""

from __future__ import annotations

from django import template

from .. import labels

register = template.Library()


@register.filter
def status_label(row, language: str = "en") -> str:
    if row is None or not hasattr(row, "_meta"):
        return ""
    return labels.status_label(row, row.status, language)


@register.filter
def sla_label(value: str, language: str = "en") -> str:
    return labels.sla_label(value or "", language)


@register.filter
def repair_transition_label(name: str, language: str = "en") -> str:
    return labels.repair_transition_label(name or "", language)
