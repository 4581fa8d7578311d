"""The base of every mutation: thin (clean input -> action -> payload), never a 500 for bad input."""

from __future__ import annotations

import logging
from typing import Any

import graphene
from django.db import DatabaseError

from ...core.errors import DomainError, ErrorDetail
from .context import get_requestor
from .errors import code_members

logger = logging.getLogger(__name__)


class BaseMutation(graphene.Mutation):
    """Subclasses declare `errors = NonNull(List(NonNull(<Domain>Error)))` and implement `perform_mutation`."""

    class Meta:
        abstract = True

    @classmethod
    def perform_mutation(cls, root, info, **data) -> Any:
        raise NotImplementedError

    @classmethod
    def _error_type(cls):
        field = cls._meta.fields["errors"]
        of_type = field.type
        while hasattr(of_type, "of_type"):
            of_type = of_type.of_type
        return of_type

    @classmethod
    def _errors_payload(cls, details: list[ErrorDetail]):
        error_cls = cls._error_type()
        allowed = code_members(error_cls._meta.fields["code"].type.of_type)
        return cls(
            errors=[
                error_cls(field=d.field, code=d.code if d.code in allowed else "INVALID", message=d.message)
                for d in details
            ]
        )

    @classmethod
    def mutate(cls, root, info, **data):
        try:
            result = cls.perform_mutation(root, info, **data)
        except DomainError as exc:
            return cls._errors_payload(exc.details)
        except DatabaseError:
            logger.exception("mutation failed in the database", extra={"mutation": cls.__name__})
            return cls._errors_payload(
                [
                    ErrorDetail(
                        code="GRAPHQL_ERROR", message="The change could not be saved. Please try again."
                    )
                ]
            )
        if isinstance(result, cls):
            if getattr(result, "errors", None) is None:
                result.errors = []
            return result
        return result

    @staticmethod
    def requestor(info):
        return get_requestor(info)
