import graphene

from ....surveys import actions
from ...core.mutations import BaseMutation
from ..types import SurveyConfig, SurveyError, SurveySubjectTypeEnum, enum_value

PERMISSION = "MANAGE_SETTINGS"


class SurveyConfigInput(graphene.InputObjectType):
    is_active = graphene.Boolean()
    subject_types = graphene.List(graphene.NonNull(SurveySubjectTypeEnum))
    ask_nps = graphene.Boolean()
    low_csat_threshold = graphene.Int(
        description="A CSAT at or below this opens a follow-up case (0: never)."
    )
    link_max_age_days = graphene.Int()


def config_payload(config) -> SurveyConfig:
    return SurveyConfig(
        is_active=config.is_active,
        subject_types=list(config.subject_types),
        ask_nps=config.ask_nps,
        low_csat_threshold=config.low_csat_threshold,
        link_max_age_days=config.link_max_age_days,
    )


class SurveyConfigUpdate(BaseMutation):
    config = graphene.Field(SurveyConfig)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(SurveyError)))

    class Arguments:
        input = SurveyConfigInput(required=True)

    class Meta:
        description = "Which subjects get surveys, NPS on/off, the low-score threshold, link lifetime. Requires MANAGE_SETTINGS."

    @classmethod
    def perform_mutation(cls, root, info, input):
        requestor = cls.requestor(info)
        installation = requestor.require_staff(PERMISSION)
        values = dict(input)
        if values.get("subject_types") is not None:
            values["subject_types"] = [enum_value(v) for v in values["subject_types"]]
        config = actions.save_config(installation=installation, actor=requestor.actor, values=values)
        return cls(config=config_payload(config))
