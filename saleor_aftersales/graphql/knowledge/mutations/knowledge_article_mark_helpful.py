import graphene

from ....core.errors import NotFoundError
from ....core.ratelimit import enforce
from ....knowledge import actions
from ....knowledge.models import KnowledgeArticle as KnowledgeArticleModel
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ..types import KnowledgeArticle, KnowledgeError
from .common import article_pk

GUEST_VOTE_RATE = "30/hour"


class KnowledgeArticleMarkHelpful(BaseMutation):
    article = graphene.Field(KnowledgeArticle)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(KnowledgeError)))

    class Arguments:
        id = graphene.ID(required=True)
        helpful = graphene.Boolean(default_value=True, description="false: the article did not help.")

    class Meta:
        description = "Was this article helpful? One vote per customer (guests: per address); voting again changes the vote."

    @classmethod
    def perform_mutation(cls, root, info, id, helpful=True):
        requestor = get_requestor(info)
        installation = requestor.require_installation()
        article = KnowledgeArticleModel.objects.filter(
            installation=installation, pk=article_pk(id), is_published=True
        ).first()
        if article is None:
            raise NotFoundError("Unknown article.", "id")
        if requestor.is_authenticated:
            voter = actions.customer_voter_key(requestor.actor)
        else:
            address = info.context.META.get("REMOTE_ADDR", "")
            enforce(GUEST_VOTE_RATE, "knowledge-vote-ip", str(installation.pk), address, field="id")
            voter = actions.guest_voter_key(installation.pk, address)
        return cls(article=actions.mark_article_helpful(article=article, voter_key=voter, helpful=helpful))
