"""Shared parts of the knowledge mutations."""

from __future__ import annotations

from ....core.errors import NotFoundError
from ....core.ids import from_global_id
from ....installations.permissions import SaleorPermission
from ....knowledge.models import KnowledgeArticle as KnowledgeArticleModel
from ...core.context import get_requestor

# Support agents write the help articles, so the permission is the one that already guards cases and returns.
STAFF_PERMISSION = SaleorPermission.MANAGE_ORDERS


def article_pk(global_id: str) -> int:
    try:
        kind, pk = from_global_id(global_id)
        if kind != "KnowledgeArticle":
            raise ValueError(kind)
        return int(pk)
    except ValueError:
        raise NotFoundError("Unknown article.", "id") from None


def article_for_staff(info, global_id: str):
    """(article, requestor) for a staff member with the permission; the article of their installation only."""
    requestor = get_requestor(info)
    installation = requestor.require_staff(STAFF_PERMISSION)
    article = KnowledgeArticleModel.objects.filter(
        installation=installation, pk=article_pk(global_id)
    ).first()
    if article is None:
        raise NotFoundError("Unknown article.", "id")
    return article, requestor
