import graphene

from ....knowledge import actions
from ...core.mutations import BaseMutation
from ..types import KnowledgeError
from .common import article_for_staff


class KnowledgeArticleDelete(BaseMutation):
    deleted_id = graphene.ID(description="The id of the deleted article.")
    errors = graphene.NonNull(graphene.List(graphene.NonNull(KnowledgeError)))

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Delete an article (its audit trail stays). Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, id):
        article, requestor = article_for_staff(info, id)
        actions.delete_article(article=article, actor=requestor.actor)
        return cls(deleted_id=id)
