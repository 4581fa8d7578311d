"""Case clocks plugged into the SLA engine's sweep: a warning notes the case, a breach escalates it."""

from __future__ import annotations

from ..sla.escalation import on_breach, on_warning
from ..sla.models import SlaClock
from .models import ServiceCase

SUBJECT = "service_case"


def _case_of(clock: SlaClock) -> ServiceCase | None:
    if not clock.subject_id.isdigit():
        return None
    return ServiceCase.objects.filter(installation_id=clock.installation_id, pk=int(clock.subject_id)).first()


@on_warning(SUBJECT)
def warn_case_clock(clock: SlaClock) -> None:
    from .actions import warn_case

    case = _case_of(clock)
    if case is not None:
        warn_case(case=case, metric=clock.metric)


@on_breach(SUBJECT)
def escalate_case_clock(clock: SlaClock) -> None:
    from .actions import escalate_case

    case = _case_of(clock)
    if case is not None:
        escalate_case(case=case, metric=clock.metric)
