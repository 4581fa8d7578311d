"""Triage: what a customer's message is about, which return reason it suggests, and which articles help.

Public API for other capabilities (service cases, return comments):

    classify(text, language=None, installation=None) -> TriageResult
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.errors import DomainError
from ..core.i18n import normalize_language
from . import classifier, selectors
from .intents import return_reason_code
from .models import KnowledgeArticle
from .text import detect_language, normalize

MAX_TEXT_LENGTH = 2000
ARTICLES_PER_SUGGESTION = 3
# Below this confidence no return reason is pre-filled: a wrong pre-fill costs the customer more than none.
REASON_MIN_CONFIDENCE = 0.5


@dataclass(frozen=True)
class IntentScore:
    intent: str
    confidence: float


@dataclass(frozen=True)
class TriageResult:
    intent: str
    confidence: float
    return_reason_code: str | None
    language: str
    alternatives: list[IntentScore] = field(default_factory=list)  # the next most likely intents
    articles: list[KnowledgeArticle] = field(default_factory=list)


def check_text(text: str | None, field_name: str = "text") -> str:
    value = (text or "").strip()
    if not value:
        raise DomainError("REQUIRED", "Describe the problem in a few words.", field_name)
    if len(value) > MAX_TEXT_LENGTH:
        raise DomainError("TOO_LONG", f"At most {MAX_TEXT_LENGTH} characters.", field_name)
    return value


def predict(text: str) -> list[IntentScore]:
    """Every intent with its probability, most likely first."""
    model = classifier.model()
    probabilities = model.predict_proba([text])[0]
    scores = [
        IntentScore(intent=str(intent), confidence=float(p))
        for intent, p in zip(model.classes_, probabilities, strict=True)
    ]
    return sorted(scores, key=lambda score: (-score.confidence, score.intent))


def classify(text: str, language: str | None = None, installation=None) -> TriageResult:
    """Classify a customer message (zh-Hans or English, mixed allowed).

    `language` picks the articles (default: detected from the text). With `installation`, `.articles` holds
    up to three published articles for the intent in that language (one query); without, it is empty.
    Raises DomainError REQUIRED / TOO_LONG (field "text") for empty or oversized text.
    """
    value = check_text(text)
    scores = predict(value)
    best = scores[0]
    article_language = normalize_language(language) if language else detect_language(value)
    reason = (
        return_reason_code(best.intent, normalize(value))
        if best.confidence >= REASON_MIN_CONFIDENCE
        else None
    )
    articles = (
        selectors.articles_for_intent(
            installation, intent=best.intent, language=article_language, limit=ARTICLES_PER_SUGGESTION
        )
        if installation is not None
        else []
    )
    return TriageResult(
        intent=best.intent,
        confidence=round(best.confidence, 4),
        return_reason_code=reason,
        language=article_language,
        alternatives=[IntentScore(s.intent, round(s.confidence, 4)) for s in scores[1:3]],
        articles=articles,
    )


def warm_up() -> None:
    """Train the model now (e.g. in a worker's startup) instead of on the first customer's request."""
    classifier.model()
