"""Every write of the knowledge capability. Keyword-only, atomic; bad input raises DomainError before any write."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from ..core.actors import Actor
from ..core.errors import DomainError, NotFoundError
from ..core.time import now as clock_now
from . import error_codes, events
from .intents import INTENTS
from .models import ArticleLanguage, KnowledgeArticle, KnowledgeArticleFeedback, KnowledgeArticleTerm
from .text import document_terms

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 100
MAX_TITLE = 200
MAX_BODY = 20_000
MAX_INTENTS = 5
DEFAULT_ARTICLES_DIR = Path(__file__).resolve().parent / "data" / "articles"


def clean_language(value: str | None, field: str = "language") -> str:
    """en or zh-hans (also accepts zh-Hans, ZH_HANS); anything else is refused, not guessed."""
    normalized = (value or "").strip().lower().replace("_", "-")
    if normalized not in ArticleLanguage.values:
        raise DomainError(error_codes.UNSUPPORTED_LANGUAGE, "Language must be en or zh-hans.", field)
    return normalized


def _clean_slug(value: str) -> str:
    slug = (value or "").strip()
    if not slug:
        raise DomainError("REQUIRED", "A slug is required.", "slug")
    if len(slug) > MAX_SLUG:
        raise DomainError("TOO_LONG", f"At most {MAX_SLUG} characters.", "slug")
    if not SLUG.match(slug):
        raise DomainError(
            error_codes.INVALID_SLUG, "Use lower-case letters, digits and single hyphens.", "slug"
        )
    return slug


def _clean_text(value: str | None, *, limit: int, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError("REQUIRED", "This field is required.", field)
    if len(text) > limit:
        raise DomainError("TOO_LONG", f"At most {limit} characters.", field)
    return text


def _clean_intents(values) -> list[str]:
    intents = list(dict.fromkeys(str(v).strip().lower() for v in values or () if str(v).strip()))
    unknown = [i for i in intents if i not in INTENTS]
    if unknown:
        raise DomainError(
            error_codes.UNKNOWN_INTENT,
            f"Unknown intent {unknown[0]!r}; choose from: {', '.join(INTENTS)}.",
            "intents",
        )
    if len(intents) > MAX_INTENTS:
        raise DomainError("OUT_OF_RANGE", f"At most {MAX_INTENTS} intents.", "intents")
    return intents


def _reindex(article: KnowledgeArticle) -> None:
    KnowledgeArticleTerm.objects.filter(article=article).delete()
    KnowledgeArticleTerm.objects.bulk_create(
        [
            KnowledgeArticleTerm(article=article, term=term, weight=weight)
            for term, weight in document_terms(
                title=article.title, body=article.body, intents=article.intents
            ).items()
        ]
    )


def _ensure_slug_free(installation_id: int, slug: str, language: str, exclude_pk: int | None = None) -> None:
    taken = KnowledgeArticle.objects.filter(installation_id=installation_id, slug=slug, language=language)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise DomainError("DUPLICATE", f"An article {slug!r} in {language} already exists.", "slug")


def _save_unique(article: KnowledgeArticle) -> None:
    # The check above answers nicely; this catches the race of two editors saving the same slug at once.
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError:
        raise DomainError(
            "DUPLICATE", f"An article {article.slug!r} in {article.language} already exists.", "slug"
        ) from None


@transaction.atomic
def create_article(
    *,
    installation,
    actor: Actor,
    slug: str,
    language: str,
    title: str,
    body: str,
    intents=(),
    is_published: bool = False,
    default_key: str = "",
) -> KnowledgeArticle:
    article = KnowledgeArticle(
        installation=installation,
        slug=_clean_slug(slug),
        language=clean_language(language),
        title=_clean_text(title, limit=MAX_TITLE, field="title"),
        body=_clean_text(body, limit=MAX_BODY, field="body"),
        intents=_clean_intents(intents),
        is_published=bool(is_published),
        published_at=clock_now() if is_published else None,
        default_key=default_key,
    )
    _ensure_slug_free(installation.pk, article.slug, article.language)
    _save_unique(article)
    _reindex(article)
    events.record_event(article, type=events.CREATED, actor=actor, to_status=events.status_of(article))
    return article


@transaction.atomic
def update_article(
    *,
    article: KnowledgeArticle,
    actor: Actor,
    slug: str | None = None,
    title: str | None = None,
    body: str | None = None,
    intents=None,
) -> KnowledgeArticle:
    """Change the given fields (None = keep). The language of an article is fixed: translate by creating."""
    changes: dict[str, object] = {}
    if slug is not None:
        changes["slug"] = _clean_slug(slug)
    if title is not None:
        changes["title"] = _clean_text(title, limit=MAX_TITLE, field="title")
    if body is not None:
        changes["body"] = _clean_text(body, limit=MAX_BODY, field="body")
    if intents is not None:
        changes["intents"] = _clean_intents(intents)
    changed = [name for name, value in changes.items() if getattr(article, name) != value]
    if not changed:
        return article
    if "slug" in changed:
        _ensure_slug_free(article.installation_id, str(changes["slug"]), article.language, article.pk)
    for name in changed:
        setattr(article, name, changes[name])
    _save_unique(article)
    if {"title", "body", "intents"} & set(changed):
        _reindex(article)
    events.record_event(article, type=events.UPDATED, actor=actor, data={"fields": changed})
    return article


@transaction.atomic
def set_article_published(*, article: KnowledgeArticle, actor: Actor, is_published: bool) -> KnowledgeArticle:
    """Publish or unpublish; asking for the current state changes nothing (idempotent, no event)."""
    if article.is_published == is_published:
        return article
    before = events.status_of(article)
    article.is_published = is_published
    article.published_at = clock_now() if is_published else None
    article.save(update_fields=["is_published", "published_at", "updated_at"])
    events.record_event(
        article,
        type=events.PUBLISHED if is_published else events.UNPUBLISHED,
        actor=actor,
        from_status=before,
        to_status=events.status_of(article),
    )
    return article


@transaction.atomic
def delete_article(*, article: KnowledgeArticle, actor: Actor) -> None:
    events.record_event(article, type=events.DELETED, actor=actor, from_status=events.status_of(article))
    article.delete()


def guest_voter_key(installation_id: int, client_address: str) -> str:
    """A guest votes once per address; the address itself is not stored (keyed hash)."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{installation_id}:{client_address}".encode(), hashlib.sha256
    ).hexdigest()
    return f"guest:{digest[:40]}"


def customer_voter_key(actor: Actor) -> str:
    return f"user:{actor.user_id}" if actor.user_id else f"email:{actor.email.strip().lower()}"


@transaction.atomic
def mark_article_helpful(*, article: KnowledgeArticle, voter_key: str, helpful: bool) -> KnowledgeArticle:
    """One vote per voter: the same vote again changes nothing; a different vote moves the counters."""
    if not article.is_published:
        raise NotFoundError("Unknown article.", "id")
    vote = (
        KnowledgeArticleFeedback.objects.select_for_update()
        .filter(article=article, voter_key=voter_key)
        .first()
    )
    counter = "helpful_count" if helpful else "not_helpful_count"
    if vote is None:
        try:
            with transaction.atomic():
                KnowledgeArticleFeedback.objects.create(
                    installation_id=article.installation_id,
                    article=article,
                    voter_key=voter_key,
                    helpful=helpful,
                )
        except IntegrityError:
            # A concurrent first vote of the same voter won; this one counts as a repeat.
            article.refresh_from_db()
            return article
        KnowledgeArticle.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
    elif vote.helpful != helpful:
        previous = "not_helpful_count" if helpful else "helpful_count"
        vote.helpful = helpful
        vote.save(update_fields=["helpful", "updated_at"])
        KnowledgeArticle.objects.filter(pk=article.pk).update(
            **{counter: F(counter) + 1, previous: F(previous) - 1}
        )
    article.refresh_from_db()
    return article


def record_article_view(*, article: KnowledgeArticle) -> None:
    """Count a customer's view (one UPDATE, no lock: a lost race costs a view, never a wrong state)."""
    KnowledgeArticle.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)


@dataclass(frozen=True)
class DefaultArticle:
    slug: str
    language: str
    title: str
    intents: list[str]
    body: str


def parse_default_article(source: str, *, name: str) -> DefaultArticle:
    """`<slug>.<language>.md`: a `---` header (title:, intents: a, b) then the Markdown body."""
    slug, _, language = name.removesuffix(".md").rpartition(".")
    header, body = "", source
    if source.startswith("---\n"):
        header, _, body = source[4:].partition("\n---\n")
    fields = {
        key.strip(): value.strip() for key, _, value in (line.partition(":") for line in header.splitlines())
    }
    return DefaultArticle(
        slug=slug,
        language=language,
        title=fields.get("title", ""),
        intents=[i.strip() for i in fields.get("intents", "").split(",") if i.strip()],
        body=body.strip(),
    )


def default_articles(directory: Path = DEFAULT_ARTICLES_DIR) -> list[DefaultArticle]:
    return [
        parse_default_article(path.read_text(encoding="utf-8"), name=path.name)
        for path in sorted(directory.glob("*.md"))
    ]


@transaction.atomic
def load_default_articles(installation, *, actor: Actor | None = None) -> list[KnowledgeArticle]:
    """Create the shipped default articles (published) that the installation does not have yet.

    Idempotent: an existing article with the same slug and language is left alone (the merchant may have
    edited it). Returns the articles created by this call.
    """
    actor = actor or Actor.system("load_default_articles")
    existing = set(KnowledgeArticle.objects.filter(installation=installation).values_list("slug", "language"))
    created = []
    for default in default_articles():
        if (default.slug, default.language) in existing:
            continue
        created.append(
            create_article(
                installation=installation,
                actor=actor,
                slug=default.slug,
                language=default.language,
                title=default.title,
                body=default.body,
                intents=default.intents,
                is_published=True,
                default_key=default.slug,
            )
        )
    return created
