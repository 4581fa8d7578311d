"""Typed failures of calls to Saleor."""

from __future__ import annotations

from dataclasses import dataclass, field


class SaleorError(Exception):
    """Base class. `retryable` says whether the same call may succeed later."""

    retryable = False
    # True when Saleor may have executed the call although we saw no answer (timeouts, 5xx):
    # before retrying a mutation, the outbox reconciles instead of blindly sending it again.
    ambiguous = False


class SaleorTransportError(SaleorError):
    """Network failure, timeout or 5xx: retried with backoff."""

    retryable = True
    ambiguous = True


class SaleorRateLimited(SaleorTransportError):
    ambiguous = False


class SaleorAuthError(SaleorError):
    """401/403, or a GraphQL PermissionDenied: the token is wrong or lacks a permission."""


@dataclass
class SaleorGraphQLError(SaleorError):
    """Top-level GraphQL `errors` (a bad document, a permission problem, an internal error)."""

    errors: list[dict] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(str(e.get("message")) for e in self.errors) or "GraphQL error"


@dataclass
class SaleorMutationError(SaleorError):
    """A mutation answered with `errors { field code message }`."""

    mutation: str = ""
    errors: list[dict] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return [str(e.get("code")) for e in self.errors]

    def __str__(self) -> str:
        return f"{self.mutation}: " + "; ".join(
            f"{e.get('field')}: {e.get('code')} {e.get('message')}" for e in self.errors
        )
