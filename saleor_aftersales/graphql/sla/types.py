"""GraphQL types of SLA configuration: business-hours calendars and policies."""

from __future__ import annotations

import graphene

from ...core.ids import to_global_id
from ...service import error_codes
from ..core.errors import error_code_enum, error_type

SlaErrorCode = error_code_enum("SlaErrorCode", error_codes.ALL)
SlaError = error_type("SlaError", SlaErrorCode)


class SlaCalendar(graphene.ObjectType):
    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    time_zone = graphene.String(required=True, description="IANA zone, e.g. Asia/Shanghai.")
    is_24_7 = graphene.Boolean(required=True)
    weekly_hours = graphene.JSONString(
        required=True, description='{"0": [["09:00", "18:00"]], ...}: Monday = "0", local wall-clock times.'
    )
    holidays = graphene.List(graphene.NonNull(graphene.Date), required=True, description="Closed all day.")

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("SlaCalendar", root.pk)

    @staticmethod
    def resolve_holidays(root, _info):
        from datetime import date

        return [date.fromisoformat(h) for h in root.holidays or []]


class SlaPolicy(graphene.ObjectType):
    id = graphene.ID(required=True)
    subject_type = graphene.String(required=True, description="service_case, return_request, repair_order.")
    metric = graphene.String(required=True, description="first_response, next_response, resolution, ...")
    priority = graphene.String(required=True, description="Empty: any priority.")
    channel = graphene.String(required=True, description="Empty: any channel.")
    target_minutes = graphene.Int(required=True, description="Business minutes within the calendar.")
    warning_minutes_before = graphene.Int(required=True)
    calendar = graphene.Field(SlaCalendar)
    is_active = graphene.Boolean(required=True)

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("SlaPolicy", root.pk)
