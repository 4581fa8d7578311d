"""GraphQL queries and mutations of the knowledge capability (help articles and triage)."""

from __future__ import annotations

import graphene

from ...core.errors import DomainError
from ...core.i18n import normalize_language
from ...core.ratelimit import enforce
from ...knowledge import actions, selectors, triage
from ...knowledge.text import detect_language
from ..core.context import get_requestor
from ..core.types import page_size
from .mutations.common import STAFF_PERMISSION
from .mutations.knowledge_article_create import KnowledgeArticleCreate
from .mutations.knowledge_article_delete import KnowledgeArticleDelete
from .mutations.knowledge_article_load_defaults import KnowledgeArticleLoadDefaults
from .mutations.knowledge_article_mark_helpful import KnowledgeArticleMarkHelpful
from .mutations.knowledge_article_publish import KnowledgeArticlePublish
from .mutations.knowledge_article_update import KnowledgeArticleUpdate
from .types import KnowledgeArticle, TriageIntentEnum, TriageSuggestion, enum_value, suggestion

MAX_SEARCH_LENGTH = 200
# Guests reach these queries with only a header: limit per client address (classification costs CPU).
GUEST_RATE = "120/minute"


def _guard_guest(info, requestor, installation) -> None:
    if not requestor.is_authenticated:
        enforce(
            GUEST_RATE, "knowledge-guest-ip", str(installation.pk), info.context.META.get("REMOTE_ADDR", "")
        )


def _language(info, language: str | None, text: str = "") -> str:
    """The explicit argument (validated), else the text's own script, else Accept-Language."""
    if language:
        return actions.clean_language(language)
    if text:
        return detect_language(text)
    return normalize_language(info.context.headers.get("Accept-Language", "en")[:7])


def _include_unpublished(requestor, include_unpublished: bool) -> bool:
    if include_unpublished:
        requestor.require_staff(STAFF_PERMISSION)
    return include_unpublished


class KnowledgeQueries(graphene.ObjectType):
    knowledge_articles = graphene.List(
        graphene.NonNull(KnowledgeArticle),
        required=True,
        search=graphene.String(
            description="Words or a question, in English or Chinese; ranked by relevance."
        ),
        language=graphene.String(
            description="en or zh-hans (default: the search text's, else Accept-Language)."
        ),
        intent=graphene.Argument(TriageIntentEnum, description="Only articles tagged with this intent."),
        include_unpublished=graphene.Boolean(default_value=False, description="Staff (MANAGE_ORDERS) only."),
        first=graphene.Int(default_value=20),
        description=(
            "Help articles of this shop (customers and guests: published ones; guests send Saleor-Api-Url). "
            "Without `search`, the most helpful first."
        ),
    )
    knowledge_article = graphene.Field(
        KnowledgeArticle,
        slug=graphene.String(required=True),
        language=graphene.String(description="en or zh-hans (default: Accept-Language)."),
        description="One published article (staff: any); counts a view for customers and guests.",
    )
    triage_suggest = graphene.Field(
        TriageSuggestion,
        required=True,
        text=graphene.String(required=True, description="The customer's message or return comment."),
        language=graphene.String(description="Language of the suggested articles (default: the text's)."),
        description=(
            "What the text is about (intent and confidence), the return reason to pre-fill and up to three "
            "articles, from a classifier that runs inside the app. Customers, guests and staff."
        ),
    )

    @staticmethod
    def resolve_knowledge_articles(
        _root, info, search=None, language=None, intent=None, include_unpublished=False, first=20
    ):
        requestor = get_requestor(info)
        installation = requestor.require_installation()
        published_only = not _include_unpublished(requestor, include_unpublished)
        limit = page_size(first)
        text = (search or "").strip()
        if len(text) > MAX_SEARCH_LENGTH:
            raise DomainError("TOO_LONG", f"At most {MAX_SEARCH_LENGTH} characters.", "search")
        _guard_guest(info, requestor, installation)
        if text:
            return selectors.search_articles(
                installation,
                text=text,
                language=_language(info, language, text),
                limit=limit,
                published_only=published_only,
            )
        # Staff without a language see every translation; storefronts get theirs (Accept-Language).
        list_language = None if requestor.is_staff and not language else _language(info, language)
        return selectors.list_articles(
            installation,
            language=list_language,
            limit=limit,
            published_only=published_only,
            intent=enum_value(intent) if intent else None,
        )

    @staticmethod
    def resolve_knowledge_article(_root, info, slug, language=None):
        requestor = get_requestor(info)
        installation = requestor.require_installation()
        article = selectors.article_by_slug(
            installation,
            slug=slug,
            language=_language(info, language),
            published_only=not requestor.has_perm(STAFF_PERMISSION),
        )
        if article is not None and not requestor.is_staff:
            actions.record_article_view(article=article)
        return article

    @staticmethod
    def resolve_triage_suggest(_root, info, text, language=None):
        requestor = get_requestor(info)
        installation = requestor.require_installation()
        value = triage.check_text(text)
        _guard_guest(info, requestor, installation)
        result = triage.classify(value, language=_language(info, language, value), installation=installation)
        return suggestion(result)


class KnowledgeMutations(graphene.ObjectType):
    knowledge_article_create = KnowledgeArticleCreate.Field()
    knowledge_article_update = KnowledgeArticleUpdate.Field()
    knowledge_article_publish = KnowledgeArticlePublish.Field()
    knowledge_article_delete = KnowledgeArticleDelete.Field()
    knowledge_article_load_defaults = KnowledgeArticleLoadDefaults.Field()
    knowledge_article_mark_helpful = KnowledgeArticleMarkHelpful.Field()
