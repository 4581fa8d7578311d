"""Settings → Knowledge base: list and search (drafts included), create, edit and publish help articles in English
and Simplified Chinese, through `knowledge.actions` behind the permission of the GraphQL staff mutations."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ...core.errors import DomainError
from ...installations.auth import Requestor
from ...knowledge import actions as knowledge_actions
from ...knowledge import selectors as knowledge_selectors
from ...knowledge.intents import INTENTS
from ...knowledge.models import ArticleLanguage, KnowledgeArticle
from ..labels import field_choices
from .common import failure, form_error, staff, success, with_trigger

PERMISSION = "MANAGE_ORDERS"  # graphql.knowledge.mutations.common.STAFF_PERMISSION
ARTICLE_ROWS = 50


def _filters(request: HttpRequest) -> tuple[str, str]:
    data = request.GET if request.method == "GET" else request.POST
    query = (data.get("q") or "").strip()[:200]
    language = data.get("lang", "")
    return query, language if language in ArticleLanguage.values else ""


def render_knowledge(
    request: HttpRequest,
    requestor: Requestor,
    *,
    editing: KnowledgeArticle | None = None,
    error: dict | None = None,
    trigger: dict | None = None,
    posted: dict | None = None,
) -> HttpResponse:
    installation = requestor.installation
    query, language = _filters(request)
    if query:
        languages = [language] if language else list(ArticleLanguage.values)
        articles = [
            article
            for lang in languages
            for article in knowledge_selectors.search_articles(
                installation, text=query, language=lang, limit=ARTICLE_ROWS, published_only=False
            )
        ]
    else:
        articles = list(
            knowledge_selectors.articles_for(installation, language=language or None, published_only=False)
            .defer("body")
            .order_by("slug", "language")[:ARTICLE_ROWS]
        )
    if posted is not None:
        form = posted
        form_intents = posted.get("intents", [])
    elif editing is not None:
        form = {
            "slug": editing.slug,
            "language": editing.language,
            "title": editing.title,
            "body": editing.body,
        }
        form_intents = editing.intents
    else:
        form = {"language": request.language}  # type: ignore[attr-defined]
        form_intents = []
    context = {
        "t": request.texts,  # type: ignore[attr-defined]
        "tab": "knowledge",
        "articles": articles,
        "query": query,
        "lang": language,
        "languages": field_choices(KnowledgeArticle, "language", request.language),  # type: ignore[attr-defined]
        "intents": INTENTS,
        "editing": editing,
        "form": form,
        "form_intents": form_intents,
        "error": error,
    }
    return with_trigger(render(request, "dashboard/settings_knowledge.html", context), trigger)


def _article(requestor: Requestor, pk) -> KnowledgeArticle:
    article = KnowledgeArticle.objects.filter(installation=requestor.installation, pk=pk).first()
    if article is None:
        raise Http404
    return article


@csrf_exempt
@require_GET
def knowledge_fragment(request: HttpRequest) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    edit = request.GET.get("edit", "")
    editing = _article(requestor, int(edit)) if edit.isdigit() else None
    return render_knowledge(request, requestor, editing=editing)


@csrf_exempt
@require_POST
def article_save_fragment(request: HttpRequest) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    data = request.POST
    editing = _article(requestor, int(data["id"])) if data.get("id", "").isdigit() else None
    intents = data.getlist("intents")
    try:
        if editing is None:
            article = knowledge_actions.create_article(
                installation=requestor.installation,
                actor=requestor.actor,
                slug=data.get("slug", ""),
                language=data.get("language", ""),
                title=data.get("title", ""),
                body=data.get("body", ""),
                intents=intents,
                is_published=data.get("is_published") == "on",
            )
        else:
            article = knowledge_actions.update_article(
                article=editing,
                actor=requestor.actor,
                slug=data.get("slug", ""),
                title=data.get("title", ""),
                body=data.get("body", ""),
                intents=intents,
            )
    except DomainError as exc:
        posted = {**data.dict(), "intents": intents}
        editing = _article(requestor, editing.pk) if editing else None
        return render_knowledge(
            request, requestor, editing=editing, error=form_error(exc), trigger=failure(exc), posted=posted
        )
    return render_knowledge(request, requestor, trigger=success(request.texts["saved"], article.title))


@csrf_exempt
@require_POST
def article_publish_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    article = knowledge_actions.set_article_published(
        article=_article(requestor, pk),
        actor=requestor.actor,
        is_published=request.POST.get("published") == "1",
    )
    title = request.texts["published"] if article.is_published else request.texts["draft"]
    return render_knowledge(request, requestor, trigger=success(title, article.title))


@csrf_exempt
@require_POST
def load_defaults_fragment(request: HttpRequest) -> HttpResponse:
    """Add the shipped help articles (en + zh-hans) the shop does not have yet; edited ones are left alone."""
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    created = knowledge_actions.load_default_articles(requestor.installation, actor=requestor.actor)
    return render_knowledge(
        request, requestor, trigger=success(request.texts["defaults_loaded"], str(len(created)))
    )
