import graphene

from ....core.errors import DomainError
from ....surveys import actions
from ...core.mutations import BaseMutation
from ..types import Survey, SurveyError, SurveyResponse, SurveySubjectTypeEnum, enum_value


class SurveyResponseSubmit(BaseMutation):
    survey = graphene.Field(Survey)
    response = graphene.Field(SurveyResponse)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(SurveyError)))

    class Arguments:
        token = graphene.String(description="The token of the emailed link (no sign-in needed).")
        subject_type = SurveySubjectTypeEnum(
            description="Signed-in customers: the subject instead of a token."
        )
        subject_id = graphene.String()
        csat = graphene.Int(required=True, description="1-5")
        nps = graphene.Int(description="0-10, optional")
        comment = graphene.String()

    class Meta:
        description = (
            "Answer a survey once: with the link's token, or as the signed-in customer for their own subject. "
            "ALREADY_ANSWERED, INVALID_TOKEN, EXPIRED, OUT_OF_RANGE are typed errors."
        )

    @classmethod
    def perform_mutation(
        cls, root, info, csat, token=None, subject_type=None, subject_id=None, nps=None, comment=""
    ):
        if token:
            response = actions.submit_with_token(
                token=token, csat=csat, nps=nps, comment=comment or "", channel="api"
            )
        else:
            requestor = cls.requestor(info)
            installation = requestor.require_customer()
            if not subject_type or not subject_id:
                raise DomainError("REQUIRED", "Give the link's token, or the subject type and id.", "token")
            response = actions.submit_as_customer(
                installation=installation,
                actor=requestor.actor,
                subject_type=enum_value(subject_type),
                subject_id=subject_id,
                csat=csat,
                nps=nps,
                comment=comment or "",
            )
        return cls(survey=response.survey, response=response)
