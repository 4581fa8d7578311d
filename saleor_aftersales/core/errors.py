"""Domain errors. Actions raise them; the GraphQL layer turns them into `errors { field code message }`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorDetail:
    code: str
    message: str
    field: str | None = None


class DomainError(Exception):
    """One or more typed, user-facing errors. Nothing is written when it is raised inside an action."""

    def __init__(
        self, code: str, message: str, field: str | None = None, *, details: Iterable[ErrorDetail] = ()
    ):
        self.details: list[ErrorDetail] = list(details) or [
            ErrorDetail(code=str(code), message=message, field=field)
        ]
        super().__init__(message)

    @property
    def code(self) -> str:
        return self.details[0].code

    @classmethod
    def many(cls, details: Iterable[ErrorDetail]) -> DomainError:
        details = list(details)
        first = details[0]
        return cls(first.code, first.message, first.field, details=details)


class PermissionDeniedError(DomainError):
    def __init__(
        self, message: str = "You do not have permission to perform this action.", field: str | None = None
    ):
        super().__init__("PERMISSION_DENIED", message, field)


class NotFoundError(DomainError):
    def __init__(self, message: str = "Not found.", field: str | None = None):
        super().__init__("NOT_FOUND", message, field)
