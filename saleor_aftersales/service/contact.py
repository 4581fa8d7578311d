"""Lookups of encrypted contact data: a keyed digest of the normalised email (HMAC-SHA256).

The email itself is stored encrypted (Fernet, rotatable); equality lookups (a customer's own cases, export and
erasure by email) match the digest, which reveals nothing without the key. The key is
`settings.PERSONAL_DATA_DIGEST_KEY` (default: derived from SECRET_KEY); it is not rotated with the field keys.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def normalize_email(email: str | None) -> str:
    return (email or "").strip().lower()


def email_digest(email: str | None) -> str:
    value = normalize_email(email)
    if not value:
        return ""
    key = getattr(settings, "PERSONAL_DATA_DIGEST_KEY", "") or ("aftersales-digest:" + settings.SECRET_KEY)
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


def owns_case(case, *, user_id: str, email: str) -> bool:
    """The customer of a case: by Saleor user id when both sides have one, else by email."""
    if case.customer_user_id and user_id:
        return case.customer_user_id == user_id
    return (
        bool(email) and bool(case.customer_email_digest) and case.customer_email_digest == email_digest(email)
    )
