import graphene

from ....insights import actions
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ..access import staff_installation
from ..types import InsightsError, InsightsSettings


class InsightsSettingsInput(graphene.InputObjectType):
    digest_emails = graphene.List(
        graphene.NonNull(graphene.String), description="Staff who get the weekly digest."
    )
    digest_language = graphene.String(description="en or zh-hans")
    supplier_attribute = graphene.String(description="Product attribute slug whose value names the supplier.")
    defect_reason_categories = graphene.List(graphene.NonNull(graphene.String))
    recent_window_days = graphene.Int()
    baseline_days = graphene.Int()
    alpha = graphene.Decimal(description="False discovery rate (0, 0.2].")
    min_units = graphene.Int()
    min_defects = graphene.Int()
    min_lift = graphene.Decimal()


class InsightsSettingsUpdate(BaseMutation):
    insights_settings = graphene.Field(InsightsSettings)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(InsightsError)))

    class Arguments:
        input = InsightsSettingsInput(required=True)

    class Meta:
        description = "Configure quality alerts and the weekly digest. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        installation = staff_installation(info)
        row = actions.update_insights_settings(
            installation=installation, actor=get_requestor(info).actor, values=dict(data["input"])
        )
        return cls(insights_settings=row)
