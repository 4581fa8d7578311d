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


@register.simple_tag
def choice_label(row, field: str, language: str = "en") -> str:
    """`{% choice_label case "priority" t.lang_code %}`: the label of any choice field in en / zh-hans."""
    if row is None or not hasattr(row, "_meta"):
        return ""
    return labels.choice_label(row, field, getattr(row, field, "") or "", language)


@register.filter
def entry_kind_label(value: str, language: str = "en") -> str:
    return labels.entry_kind_label(value or "", language)


@register.filter
def case_transition_label(name: str, language: str = "en") -> str:
    return labels.case_transition_label(name or "", language)


@register.filter
def metric_label(name: str, language: str = "en") -> str:
    return labels.metric_label(name or "", language)


@register.filter
def actor_label(actor_type: str, language: str = "en") -> str:
    return labels.actor_label(actor_type or "", language)


@register.simple_tag
def event_label(domain: str, event_type: str, language: str = "en") -> str:
    """`{% event_label "warranty" event.type t.lang_code %}`: a timeline row's text (the domain's TIMELINE_TEXTS)."""
    return labels.event_label(domain, event_type or "", language)


@register.filter
def remedy_labels(names, language: str = "en") -> str:
    return ", ".join(labels.remedy_label(name, language) for name in names or ())


@register.filter
def remedy_label(name: str, language: str = "en") -> str:
    return labels.remedy_label(name or "", language)


@register.simple_tag
def status_value_label(row, value: str, language: str = "en") -> str:
    """The label of another status value of `row`'s model (a timeline's from/to status)."""
    if row is None or not hasattr(row, "_meta") or not value:
        return ""
    return labels.status_label(row, value, language)


@register.simple_tag
def value_label(model_label: str, field: str, value: str, language: str = "en") -> str:
    """`{% value_label "returns.ReturnReason" "category" reason.category t.lang_code %}` for rows that are not
    model instances (catalogue entries)."""
    from django.apps import apps

    return labels.choice_label(apps.get_model(model_label), field, value or "", language)
