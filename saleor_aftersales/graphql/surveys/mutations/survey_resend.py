import graphene

from ....core.errors import NotFoundError
from ....core.ids import from_global_id
from ....installations.permissions import SaleorPermission
from ....surveys import actions
from ....surveys.models import Survey as SurveyModel
from ...core.mutations import BaseMutation
from ..types import Survey, SurveyError


class SurveyResend(BaseMutation):
    survey = graphene.Field(Survey)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(SurveyError)))

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Email a fresh link (the old one stops working). Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, id):
        requestor = cls.requestor(info)
        installation = requestor.require_staff(SaleorPermission.MANAGE_ORDERS)
        try:
            kind, pk = from_global_id(id)
            survey = (
                SurveyModel.objects.get(installation=installation, pk=int(pk)) if kind == "Survey" else None
            )
        except (ValueError, SurveyModel.DoesNotExist):
            survey = None
        if survey is None:
            raise NotFoundError("No such survey.", "id")
        return cls(survey=actions.resend_survey(survey=survey, actor=requestor.actor))
