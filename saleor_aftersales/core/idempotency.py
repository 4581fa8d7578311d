"""Client-chosen idempotency keys of our create mutations (`idempotencyKey`), stored per installation.

Why a digest of who sent it: a storefront picks its keys (a UUID per submit, usually), so two customers could pick
the same one; keyed by the requester, a retry answers the first result only to the customer who caused it, never
to someone else. The digest also fits the 64-character key columns whatever the client sends."""

from __future__ import annotations

import hashlib

from .actors import Actor


def scoped_key(actor: Actor, client_key: str | None) -> str:
    """ "" when the client sent no key (every submit creates); else a key unique to this requester and client key."""
    client_key = (client_key or "").strip()
    if not client_key:
        return ""
    who = f"{actor.type}:{actor.user_id or actor.email.strip().lower()}"
    return "api:" + hashlib.sha256(f"{who}\0{client_key}".encode()).hexdigest()[:56]
