import graphene

from ....knowledge import actions
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ..types import KnowledgeArticle, KnowledgeError
from .common import STAFF_PERMISSION


class KnowledgeArticleLoadDefaults(BaseMutation):
    created = graphene.List(
        graphene.NonNull(KnowledgeArticle), description="The articles added by this call."
    )
    errors = graphene.NonNull(graphene.List(graphene.NonNull(KnowledgeError)))

    class Meta:
        description = (
            "Add the shipped default articles (en + zh-hans) this shop does not have yet; existing ones are "
            "left as edited. Requires MANAGE_ORDERS."
        )

    @classmethod
    def perform_mutation(cls, root, info):
        requestor = get_requestor(info)
        installation = requestor.require_staff(STAFF_PERMISSION)
        return cls(created=actions.load_default_articles(installation, actor=requestor.actor))
