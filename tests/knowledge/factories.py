"""Factories for knowledge tests."""

from __future__ import annotations

from saleor_aftersales.core.actors import Actor, ActorType
from saleor_aftersales.knowledge import actions

STAFF = Actor(type=ActorType.STAFF, user_id="VXNlcjo5MDA=", email="staff@example.com")


def make_article(
    installation,
    slug: str,
    *,
    language: str = "en",
    title: str | None = None,
    body: str = "Body.",
    intents=(),
    published: bool = True,
):
    return actions.create_article(
        installation=installation,
        actor=STAFF,
        slug=slug,
        language=language,
        title=title or slug.replace("-", " ").title(),
        body=body,
        intents=list(intents),
        is_published=published,
    )
