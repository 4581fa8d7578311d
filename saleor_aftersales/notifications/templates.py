"""The template registry: default texts of every capability, per-installation overrides, safe rendering.

Defaults: `DEFAULT_TEMPLATES` below merged with `TEXTS` of every installed app's `<app>.notification_texts`
module ({event: {language: (subject, body)}}; imported lazily by app name, a missing module is fine).
Overrides: `NotificationTemplate` rows (installation, event, language). Placeholders are `{name}` fields filled
from the notification context; the placeholders an event accepts are those its default texts use (plus the
module's optional `PLACEHOLDERS = {event: [...]}`), so an override cannot ask for data the event does not carry.
Rendering looks up override(language) -> default(language) -> default(en) -> generic.
"""

from __future__ import annotations

import importlib
import string
from dataclasses import dataclass
from functools import lru_cache

from django.apps import apps
from django.utils.html import urlize

from ..core.errors import DomainError
from ..core.i18n import SUPPORTED_LANGUAGES, normalize_language, pick
from ..installations.models import Installation
from . import error_codes
from .models import Notification, NotificationTemplate

Texts = dict[str, dict[str, tuple[str, str]]]

GENERIC = "generic"
DEFAULT_TEMPLATES: Texts = {
    GENERIC: {
        "en": ("Update on your request", "There is an update on your request {reference}."),
        "zh-hans": ("您的申请有新进展", "您的申请 {reference} 有新的进展。"),
    },
}


@lru_cache(maxsize=1)
def _registry() -> tuple[Texts, dict[str, frozenset[str]]]:
    texts: Texts = {k: dict(v) for k, v in DEFAULT_TEMPLATES.items()}
    extra: dict[str, set[str]] = {}
    for config in apps.get_app_configs():
        module_name = f"{config.name}.notification_texts"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        for event, by_language in getattr(module, "TEXTS", {}).items():
            texts.setdefault(event, {}).update(by_language)
        for event, names in getattr(module, "PLACEHOLDERS", {}).items():
            extra.setdefault(event, set()).update(names)
    allowed: dict[str, frozenset[str]] = {}
    for event, by_language in texts.items():
        names = set(extra.get(event, ()))
        for subject, body in by_language.values():
            names |= placeholders(subject) | placeholders(body)
        allowed[event] = frozenset(names)
    return texts, allowed


def default_texts() -> Texts:
    return _registry()[0]


def events() -> list[str]:
    """Every event with texts (the generic fallback excluded), sorted."""
    return sorted(e for e in default_texts() if e != GENERIC)


def allowed_placeholders(event: str) -> frozenset[str]:
    return _registry()[1].get(event, frozenset())


def placeholders(text: str) -> set[str]:
    """The `{name}` fields of a template; DomainError for anything but plain names (no attributes, indexes,
    conversions or format specs: context values are shown as they are)."""
    names: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise DomainError(
            error_codes.INVALID_TEMPLATE, f"Unbalanced braces: {exc}. Write {{{{ for a brace."
        ) from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise DomainError(
                error_codes.INVALID_TEMPLATE, f"Write placeholders as {{name}}, not {{{name}}}."
            )
        names.add(name)
    return names


def check_template(event: str, subject: str, body: str) -> None:
    """Raise DomainError unless the event is known and every placeholder is one the event provides."""
    if event not in default_texts() or event == GENERIC:
        raise DomainError(error_codes.UNKNOWN_EVENT, f"Unknown notification event {event!r}.", "event")
    allowed = allowed_placeholders(event)
    for field, text in (("subject", subject), ("body", body)):
        try:
            unknown = placeholders(text) - allowed
        except DomainError as exc:
            raise DomainError(exc.code, exc.details[0].message, field) from None
        if unknown:
            raise DomainError(
                error_codes.UNKNOWN_PLACEHOLDER,
                f"Unknown placeholder(s) {', '.join('{' + n + '}' for n in sorted(unknown))}; "
                f"this event provides: {', '.join('{' + n + '}' for n in sorted(allowed)) or 'none'}.",
                field,
            )


class _Blank(dict):
    def __missing__(self, key):
        return ""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    language: str
    overridden: bool


def _fill(template: str, context: dict) -> str:
    values = _Blank({k: "" if v is None else v for k, v in context.items()})
    return template.format_map(values)


def html_body(text: str, language: str) -> str:
    paragraphs = "".join(
        "<p>" + urlize(part, autoescape=True).replace("\n", "<br>") + "</p>"
        for part in text.split("\n\n")
        if part.strip()
    )
    lang = "zh-Hans" if language == "zh-hans" else "en"
    return f'<!doctype html><html lang="{lang}"><body>{paragraphs}</body></html>'


def template_for(
    installation: Installation, event: str, language: str, *, override: NotificationTemplate | None = None
) -> tuple[str, str, bool]:
    """(subject, body, overridden) of an event in a language: the installation's, else the default."""
    language = normalize_language(language)
    if override is None:
        override = NotificationTemplate.objects.filter(
            installation=installation, event=event, language=language
        ).first()
    if override is not None:
        return override.subject, override.body, True
    by_language = default_texts().get(event) or default_texts()[GENERIC]
    subject, body = by_language.get(language) or by_language.get("en") or next(iter(by_language.values()))
    return subject, body, False


def render(
    installation: Installation,
    event: str,
    language: str,
    context: dict,
    *,
    subject: str | None = None,
    body: str | None = None,
) -> Rendered:
    language = normalize_language(language)
    default_subject, default_body, overridden = template_for(installation, event, language)
    subject_t = default_subject if subject is None else subject
    body_t = default_body if body is None else body
    rendered_subject = " ".join(_fill(subject_t, context).split())  # no header injection
    text = _fill(body_t, context)
    return Rendered(
        subject=rendered_subject[:255],
        text=text,
        html=html_body(text, language),
        language=language,
        overridden=overridden or subject is not None or body is not None,
    )


def render_notification(notification: Notification) -> Rendered:
    return render(notification.installation, notification.event, notification.language, notification.context)


def sample_context(event: str) -> dict:
    """Placeholder values for previews: `[name]`."""
    return {name: f"[{name}]" for name in allowed_placeholders(event)}


def localized(texts: dict[str, str], language: str) -> str:
    return pick(texts, language)


__all__ = [
    "DEFAULT_TEMPLATES",
    "SUPPORTED_LANGUAGES",
    "Rendered",
    "allowed_placeholders",
    "check_template",
    "default_texts",
    "events",
    "placeholders",
    "render",
    "render_notification",
]
