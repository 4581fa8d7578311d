"""What happens on a low score, plugged in from above (surveys must not import service).

The service capability registers its case opener from its `AppConfig.ready()`:

    from saleor_aftersales.surveys.registry import on_low_score

    @on_low_score
    def open_follow_up_case(low: LowScore) -> str | None:
        case = open_case(...)
        return case.number  # recorded on the response as `follow_up_reference`

Handlers run in the transaction that records the answer, each in a savepoint: a failing handler is logged and
recorded as a `follow_up_failed` event, and the customer's answer is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..installations.models import Installation


@dataclass(frozen=True)
class LowScore:
    installation: Installation
    survey_id: int
    response_id: int
    subject_type: str
    subject_id: str
    reference: str
    customer_email: str
    customer_user_id: str
    language: str
    csat: int
    nps: int | None
    comment: str


LowScoreHandler = Callable[[LowScore], "str | None"]
_handlers: list[LowScoreHandler] = []


def on_low_score(fn: LowScoreHandler) -> LowScoreHandler:
    if fn not in _handlers:
        _handlers.append(fn)
    return fn


def remove_low_score_handler(fn: LowScoreHandler) -> None:
    if fn in _handlers:
        _handlers.remove(fn)


def low_score_handlers() -> list[LowScoreHandler]:
    return list(_handlers)
