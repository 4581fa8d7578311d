"""Staff CRUD of business-hours calendars and SLA policies (MANAGE_ORDERS)."""

import graphene

from ....core.errors import DomainError
from ....installations.permissions import SaleorPermission
from ....sla import actions
from ....sla.models import BusinessCalendar
from ....sla.models import SlaPolicy as SlaPolicyModel
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ...service.access import pk_of
from ..types import SlaCalendar, SlaError, SlaPolicy


def _installation(info):
    return get_requestor(info).require_staff(SaleorPermission.MANAGE_ORDERS)


def _calendar(installation, global_id, field="id"):
    calendar = BusinessCalendar.objects.filter(
        installation=installation, pk=pk_of(global_id, "SlaCalendar", field)
    ).first()
    if calendar is None:
        raise DomainError("NOT_FOUND", "Unknown calendar.", field)
    return calendar


class SlaCalendarInput(graphene.InputObjectType):
    name = graphene.String(required=True)
    time_zone = graphene.String(default_value="UTC")
    is_24_7 = graphene.Boolean(default_value=False)
    weekly_hours = graphene.JSONString(description='{"0": [["09:00", "18:00"]], ...}; Monday = "0".')
    holidays = graphene.List(graphene.NonNull(graphene.String), description="ISO dates, e.g. 2026-10-01.")


class SlaCalendarSave(BaseMutation):
    calendar = graphene.Field(SlaCalendar)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(SlaError)))

    class Arguments:
        id = graphene.ID(description="Omit to create.")
        input = SlaCalendarInput(required=True)

    class Meta:
        description = "Create or update a business-hours calendar with time zone and holidays."

    @classmethod
    def perform_mutation(cls, root, info, input, id=None):
        installation = _installation(info)
        weekly = input.get("weekly_hours") or {}
        if not isinstance(weekly, dict):
            raise DomainError("INVALID_HOURS", "An object of weekday -> intervals.", "weeklyHours")
        calendar = actions.save_calendar(
            installation=installation,
            calendar=_calendar(installation, id) if id else None,
            name=input.get("name") or "",
            time_zone=input.get("time_zone") or "UTC",
            weekly_hours=weekly,
            holidays=input.get("holidays") or [],
            is_24_7=bool(input.get("is_24_7")),
        )
        return cls(calendar=calendar)


class SlaCalendarDelete(BaseMutation):
    ok = graphene.Boolean()
    errors = graphene.NonNull(graphene.List(graphene.NonNull(SlaError)))

    class Arguments:
        id = graphene.ID(required=True)

    @classmethod
    def perform_mutation(cls, root, info, id):
        actions.delete_calendar(calendar=_calendar(_installation(info), id))
        return cls(ok=True)


class SlaPolicyInput(graphene.InputObjectType):
    subject_type = graphene.String(default_value="service_case")
    metric = graphene.String(required=True)
    priority = graphene.String(description="low, normal, high, urgent; empty: any.")
    channel = graphene.String(description="storefront, email, phone, chat, social; empty: any.")
    target_minutes = graphene.Int(required=True)
    warning_minutes_before = graphene.Int(default_value=0)
    calendar_id = graphene.ID()
    is_active = graphene.Boolean(default_value=True)


class SlaPolicySave(BaseMutation):
    policy = graphene.Field(SlaPolicy)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(SlaError)))

    class Arguments:
        id = graphene.ID(description="Omit to create.")
        input = SlaPolicyInput(required=True)

    class Meta:
        description = "Create or update an SLA target by subject, metric, priority and channel."

    @classmethod
    def perform_mutation(cls, root, info, input, id=None):
        from ....service.models import CaseChannel, CasePriority

        installation = _installation(info)
        policy = None
        if id:
            policy = SlaPolicyModel.objects.filter(
                installation=installation, pk=pk_of(id, "SlaPolicy", "id")
            ).first()
            if policy is None:
                raise DomainError("NOT_FOUND", "Unknown policy.", "id")
        priority = (input.get("priority") or "").lower()
        channel = (input.get("channel") or "").lower()
        if priority and priority not in CasePriority.values:
            raise DomainError("INVALID", "low, normal, high, urgent or empty.", "priority")
        if channel and channel not in CaseChannel.values:
            raise DomainError("INVALID", "storefront, email, phone, chat, social or empty.", "channel")
        policy = actions.save_policy(
            installation=installation,
            policy=policy,
            subject_type=(input.get("subject_type") or "service_case").strip(),
            metric=(input.get("metric") or "").strip(),
            priority=priority,
            channel=channel,
            target_minutes=input["target_minutes"],
            warning_minutes_before=input.get("warning_minutes_before") or 0,
            calendar=_calendar(installation, input["calendar_id"], "calendarId")
            if input.get("calendar_id")
            else None,
            is_active=input.get("is_active", True),
        )
        return cls(policy=policy)


class SlaPolicyDelete(BaseMutation):
    ok = graphene.Boolean()
    errors = graphene.NonNull(graphene.List(graphene.NonNull(SlaError)))

    class Arguments:
        id = graphene.ID(required=True)

    @classmethod
    def perform_mutation(cls, root, info, id):
        installation = _installation(info)
        policy = SlaPolicyModel.objects.filter(
            installation=installation, pk=pk_of(id, "SlaPolicy", "id")
        ).first()
        if policy is None:
            raise DomainError("NOT_FOUND", "Unknown policy.", "id")
        actions.delete_policy(policy=policy)
        return cls(ok=True)
