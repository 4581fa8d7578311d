"""Signed one-time survey links: `django.core.signing` with a salt (HMAC over SECRET_KEY) and a timestamp.

The token carries the survey id and the survey's nonce; a forged or altered token fails the signature, an old
one fails `max_age`, a token of a re-sent survey (new nonce) no longer matches, and an answered survey refuses
a second answer. Nothing secret is stored: the link itself is the proof.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from django.core import signing

from ..core.errors import DomainError
from . import error_codes

SALT = "saleor-aftersales.surveys.link.v1"
MAX_AGE_DAYS = 366  # hard cap of the signature; the survey's own `expires_at` is the deadline that applies


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def make_token(survey_id: int, nonce: str) -> str:
    return signing.dumps({"s": survey_id, "n": nonce}, salt=SALT, compress=False)


@dataclass(frozen=True)
class TokenClaims:
    survey_id: int
    nonce: str


def read_token(token: str, *, max_age_days: int) -> TokenClaims:
    if not token or len(token) > 500:
        raise DomainError(error_codes.INVALID_TOKEN, "This survey link is not valid.", "token")
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age_days * 86400)
    except signing.SignatureExpired:
        raise DomainError(error_codes.EXPIRED, "This survey link has expired.", "token") from None
    except signing.BadSignature:
        raise DomainError(error_codes.INVALID_TOKEN, "This survey link is not valid.", "token") from None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int) or not isinstance(data.get("n"), str):
        raise DomainError(error_codes.INVALID_TOKEN, "This survey link is not valid.", "token")
    return TokenClaims(survey_id=data["s"], nonce=data["n"])


def nonce_matches(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())
