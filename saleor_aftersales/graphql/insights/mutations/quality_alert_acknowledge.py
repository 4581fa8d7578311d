import graphene

from ....insights import actions
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ..access import alert_for_staff
from ..types import InsightsError, QualityAlert


class QualityAlertAcknowledge(BaseMutation):
    quality_alert = graphene.Field(QualityAlert)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(InsightsError)))

    class Arguments:
        id = graphene.ID(required=True)
        note = graphene.String(description="What was done about it (e.g. supplier informed).")

    class Meta:
        description = "Acknowledge a quality alert. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        alert = alert_for_staff(info, data["id"])
        alert = actions.acknowledge_alert(
            alert=alert, actor=get_requestor(info).actor, note=(data.get("note") or "").strip()
        )
        return cls(quality_alert=alert)
