"""Pure rules of surveys: score ranges, what counts as low, CSAT and NPS aggregates. No ORM, no clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..core.errors import DomainError, ErrorDetail

CSAT_MIN, CSAT_MAX = 1, 5
NPS_MIN, NPS_MAX = 0, 10
MAX_COMMENT = 2000
PROMOTER_MIN = 9
DETRACTOR_MAX = 6
SATISFIED_MIN = 4


def check_answer(*, csat: object, nps: object, comment: str, ask_nps: bool = True) -> None:
    """DomainError (all problems at once) unless CSAT is 1-5, NPS empty or 0-10, the comment short enough."""
    problems: list[ErrorDetail] = []
    if not isinstance(csat, int) or isinstance(csat, bool) or not CSAT_MIN <= csat <= CSAT_MAX:
        problems.append(ErrorDetail("OUT_OF_RANGE", f"CSAT is {CSAT_MIN} to {CSAT_MAX}.", "csat"))
    if nps is not None:
        if not ask_nps:
            problems.append(ErrorDetail("INVALID", "This survey does not ask for NPS.", "nps"))
        elif not isinstance(nps, int) or isinstance(nps, bool) or not NPS_MIN <= nps <= NPS_MAX:
            problems.append(ErrorDetail("OUT_OF_RANGE", f"NPS is {NPS_MIN} to {NPS_MAX}.", "nps"))
    if len(comment or "") > MAX_COMMENT:
        problems.append(ErrorDetail("TOO_LONG", f"At most {MAX_COMMENT} characters.", "comment"))
    if problems:
        raise DomainError.many(problems)


def is_low_score(csat: int, *, threshold: int) -> bool:
    return csat <= threshold


def expires_at(*, requested_at: datetime, max_age_days: int) -> datetime:
    return requested_at + timedelta(days=max_age_days)


def nps_category(nps: int) -> str:
    if nps >= PROMOTER_MIN:
        return "promoter"
    if nps <= DETRACTOR_MAX:
        return "detractor"
    return "passive"


@dataclass(frozen=True)
class Aggregate:
    responses: int
    csat_average: float | None
    csat_percent: float | None  # share of 4 and 5 answers, 0-100
    nps_responses: int
    nps_score: float | None  # % promoters - % detractors, -100..100
    promoters: int
    passives: int
    detractors: int
    low_scores: int


def aggregate(
    *,
    responses: int,
    csat_sum: int,
    satisfied: int,
    promoters: int,
    passives: int,
    detractors: int,
    low_scores: int,
) -> Aggregate:
    nps_responses = promoters + passives + detractors
    return Aggregate(
        responses=responses,
        csat_average=round(csat_sum / responses, 2) if responses else None,
        csat_percent=round(100 * satisfied / responses, 1) if responses else None,
        nps_responses=nps_responses,
        nps_score=round(100 * (promoters - detractors) / nps_responses, 1) if nps_responses else None,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        low_scores=low_scores,
    )


def aggregate_answers(answers: list[tuple[int, int | None]], *, threshold: int) -> Aggregate:
    """The same figures from raw (csat, nps) pairs (the reference the SQL aggregation is tested against)."""
    categories = [nps_category(n) for _, n in answers if n is not None]
    return aggregate(
        responses=len(answers),
        csat_sum=sum(c for c, _ in answers),
        satisfied=sum(1 for c, _ in answers if c >= SATISFIED_MIN),
        promoters=categories.count("promoter"),
        passives=categories.count("passive"),
        detractors=categories.count("detractor"),
        low_scores=sum(1 for c, _ in answers if is_low_score(c, threshold=threshold)),
    )
