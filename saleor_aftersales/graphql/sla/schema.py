"""GraphQL queries and mutations of the sla capability: calendars and policies (staff, MANAGE_ORDERS)."""

import graphene

from ...installations.permissions import SaleorPermission
from ...sla.models import BusinessCalendar
from ...sla.models import SlaPolicy as SlaPolicyModel
from ..core.context import get_requestor
from .mutations.sla_config import SlaCalendarDelete, SlaCalendarSave, SlaPolicyDelete, SlaPolicySave
from .types import SlaCalendar, SlaPolicy


class SlaQueries(graphene.ObjectType):
    sla_calendars = graphene.List(graphene.NonNull(SlaCalendar), required=True, description="MANAGE_ORDERS.")
    sla_policies = graphene.List(
        graphene.NonNull(SlaPolicy),
        required=True,
        subject_type=graphene.String(),
        description="MANAGE_ORDERS. Without a policy: 30 min first response, 4 h next response, 24 h resolution.",
    )

    @staticmethod
    def resolve_sla_calendars(_root, info):
        installation = get_requestor(info).require_staff(SaleorPermission.MANAGE_ORDERS)
        return list(BusinessCalendar.objects.filter(installation=installation).order_by("name"))

    @staticmethod
    def resolve_sla_policies(_root, info, subject_type=None):
        installation = get_requestor(info).require_staff(SaleorPermission.MANAGE_ORDERS)
        qs = SlaPolicyModel.objects.filter(installation=installation).select_related("calendar")
        if subject_type:
            qs = qs.filter(subject_type=subject_type)
        return list(qs.order_by("subject_type", "metric", "priority", "channel"))


class SlaMutations(graphene.ObjectType):
    sla_calendar_save = SlaCalendarSave.Field()
    sla_calendar_delete = SlaCalendarDelete.Field()
    sla_policy_save = SlaPolicySave.Field()
    sla_policy_delete = SlaPolicyDelete.Field()
