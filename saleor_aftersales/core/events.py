"""One way to write an audit row (`core.models.EventRecord`): who did what to which object, and when.

Each domain binds it to its event model and the field that points at the object:

    record_event = EventRecorder(ReturnEvent, "request")
    record_event(request, type="approve", actor=actor, from_status="requested", to_status="approved")
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from django.db import models

from .actors import Actor

E = TypeVar("E", bound=models.Model)


class EventRecorder(Generic[E]):
    def __init__(self, model: type[E], subject_field: str) -> None:
        self.model = model
        self.subject_field = subject_field

    def __call__(
        self,
        subject: Any,
        *,
        type: str,
        actor: Actor,
        from_status: str = "",
        to_status: str = "",
        note: str = "",
        data: dict | None = None,
    ) -> E:
        return self.model._default_manager.create(
            **{self.subject_field: subject},
            type=type,
            from_status=from_status,
            to_status=to_status,
            note=note,
            data=data or {},
            **actor.as_record(),
        )
