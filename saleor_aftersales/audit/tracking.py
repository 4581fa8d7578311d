"""Record every saved configuration row as a `ConfigurationChange`, whichever screen, mutation or command saved it.

Why model signals here, when state changes elsewhere are written by the actions themselves: configuration rows
have no state machine and are saved by some twenty actions across nine domains (plus Django admin); hooking the
save of the models listed in TRACKED records them all in one place, and a new settings action cannot forget to.
The actor is `core.actors.current_actor` (set when a request is authenticated); writes outside a request are
attributed to the system. Bulk `QuerySet.update()` / `bulk_create()` send no signals: settings actions save rows
one by one (`tests/audit` shows each settings screen lands here).
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import uuid
from typing import Any

from django.apps import apps
from django.core.signals import request_finished, request_started
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

from ..core.actors import Actor, current_actor

# Model label -> attribute path to its installation id.
TRACKED: dict[str, str] = {
    "returns.ReturnPolicy": "installation_id",
    "returns.ReturnPolicyRule": "policy.installation_id",
    "returns.ReturnReason": "installation_id",
    "warranty.WarrantyTerms": "installation_id",
    "warranty.WarrantySettings": "installation_id",
    "warranty.WarrantySymptom": "installation_id",
    "warranty.ServiceCenter": "installation_id",
    "warranty.Technician": "installation_id",
    "warranty.CareGuide": "installation_id",
    "loyalty.Programme": "installation_id",
    "loyalty.EarnRule": "programme.installation_id",
    "loyalty.Tier": "programme.installation_id",
    "loyalty.Reward": "installation_id",
    "loyalty.StaffAdjustmentLimit": "installation_id",
    "sla.SlaPolicy": "installation_id",
    "sla.BusinessCalendar": "installation_id",
    "notifications.NotificationTemplate": "installation_id",
    "notifications.WebhookEndpoint": "installation_id",
    "service.EscalationRule": "installation_id",
    "surveys.SurveyConfig": "installation_id",
    "insights.InsightsSettings": "installation_id",
}
UNTRACKED_FIELDS = {"id", "created_at", "updated_at", "installation"}
SECRET_MARKERS = ("secret", "token", "password")
MASK = "••••••"
MAX_VALUE_CHARS = 500


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in UNTRACKED_FIELDS and not f.primary_key and f.attname not in UNTRACKED_FIELDS
    ]


def _plain(field: models.Field, value: Any) -> Any:
    """A JSON value of `value` for the history (masked for secrets, cut when long)."""
    if value is None:
        return None
    if any(marker in field.name for marker in SECRET_MARKERS):
        return MASK
    if isinstance(value, decimal.Decimal):
        return str(value.normalize()) if value == value.to_integral() else str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | bytes | memoryview):
        return str(value) if isinstance(value, uuid.UUID) else MASK
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        return value[:MAX_VALUE_CHARS] + "…"
    return value


def _snapshot(instance: models.Model) -> dict[str, Any]:
    return {f.attname: _plain(f, f.value_from_object(instance)) for f in _fields(type(instance))}


def _installation_id(instance: models.Model, path: str) -> int | None:
    value: Any = instance
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


LABEL_FIELDS = ("name", "name_en", "title_en", "label_en", "code", "event", "url", "metric")


def _label(instance: models.Model) -> str:
    """What staff call the row: its own __str__ where it has one, else its name, title, label or code."""
    if type(instance).__str__ is not models.Model.__str__:
        with contextlib.suppress(Exception):  # a __str__ needing a missing relation must not fail the save
            return str(instance)[:256]
    for name in LABEL_FIELDS:
        value = getattr(instance, name, "")
        if value:
            return str(value)[:256]
    return ""


def _record(instance: models.Model, *, action: str, changes: dict[str, list]) -> None:
    from .models import ConfigurationChange

    label = instance._meta.label
    installation_id = _installation_id(instance, TRACKED[label])
    if installation_id is None:
        return
    actor = current_actor.get() or Actor.system()
    ConfigurationChange.objects.create(
        installation_id=installation_id,
        type=action,
        target_type=label,
        target_id=str(instance.pk),
        target_label=_label(instance),
        data={"changes": changes},
        **actor.as_record(),
    )


def _before_save(sender, instance, raw=False, **kwargs) -> None:
    if raw:  # fixtures load rows as they were
        return
    before = None
    if instance.pk is not None and not instance._state.adding:
        attnames = [f.attname for f in _fields(sender)]
        row = sender._default_manager.filter(pk=instance.pk).values(*attnames).first()
        if row is not None:
            fields = {f.attname: f for f in _fields(sender)}
            before = {name: _plain(fields[name], value) for name, value in row.items()}
    instance._audit_before = before


def _after_save(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:
        return
    before = getattr(instance, "_audit_before", None)
    after = _snapshot(instance)
    if created or before is None:
        changes = {name: [None, value] for name, value in after.items() if value not in (None, "", [], {})}
        _record(instance, action="created", changes=changes)
        return
    changes = {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}
    if changes:
        _record(instance, action="updated", changes=changes)


def _after_delete(sender, instance, origin=None, **kwargs) -> None:
    from ..installations.models import Installation

    if isinstance(origin, Installation):  # the whole installation goes, its history with it
        return
    before = {name: [value, None] for name, value in _snapshot(instance).items() if value not in (None, "")}
    _record(instance, action="deleted", changes=before)


def _clear_actor(**kwargs) -> None:
    current_actor.set(None)


def _clear_task_actor(task=None, **kwargs) -> None:
    # An eager task (the embedded default) runs inside the request that queued it: its writes are that user's.
    if task is not None and getattr(task.request, "is_eager", False):
        return
    current_actor.set(None)


def connect() -> None:
    for label in TRACKED:
        model = apps.get_model(label)
        uid = f"audit:{label}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=uid + ":pre")
        post_save.connect(_after_save, sender=model, dispatch_uid=uid + ":post")
        post_delete.connect(_after_delete, sender=model, dispatch_uid=uid + ":delete")
    request_started.connect(_clear_actor, dispatch_uid="audit:clear-actor")
    request_finished.connect(_clear_actor, dispatch_uid="audit:clear-actor-finished")
    try:
        from celery.signals import task_prerun
    except ImportError:  # pragma: no cover - Celery is a dependency
        return
    task_prerun.connect(_clear_task_actor, dispatch_uid="audit:clear-actor-task", weak=False)
