"""Bulk approve / receive for the staff queue: each request in its own transaction, errors per item."""

import graphene

from ....core.errors import DomainError
from ....returns import actions
from ...core.mutations import BaseMutation
from ..access import request_for_requestor
from ..types import ReturnError, ReturnRequest


class _Bulk(BaseMutation):
    class Meta:
        abstract = True

    @classmethod
    def act(cls, request, actor):
        raise NotImplementedError

    @classmethod
    def perform_mutation(cls, root, info, ids):
        if len(ids) > 100:
            raise DomainError("OUT_OF_RANGE", "At most 100 requests at once.", "ids")
        done, errors = [], []
        error_cls = cls._error_type()
        for index, global_id in enumerate(ids):
            try:
                request, actor = request_for_requestor(info, global_id, staff_only=True)
                done.append(cls.act(request, actor))
            except DomainError as exc:
                if exc.code == "PERMISSION_DENIED":
                    raise
                errors.extend(
                    error_cls(field=f"ids.{index}", code=d.code, message=d.message) for d in exc.details
                )
        return cls(count=len(done), return_requests=done, errors=errors)


class ReturnRequestBulkApprove(_Bulk):
    count = graphene.Int(required=True)
    return_requests = graphene.List(graphene.NonNull(ReturnRequest), required=True)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ReturnError)))

    class Arguments:
        ids = graphene.List(graphene.NonNull(graphene.ID), required=True)

    class Meta:
        description = "Approve many requests in full. Requires MANAGE_ORDERS."

    @classmethod
    def act(cls, request, actor):
        return actions.approve_return_request(request=request, actor=actor)


class ReturnRequestBulkReceive(_Bulk):
    count = graphene.Int(required=True)
    return_requests = graphene.List(graphene.NonNull(ReturnRequest), required=True)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ReturnError)))

    class Arguments:
        ids = graphene.List(graphene.NonNull(graphene.ID), required=True)

    class Meta:
        description = "Receive all approved units of many requests. Requires MANAGE_ORDERS."

    @classmethod
    def act(cls, request, actor):
        return actions.receive_return_request(request=request, actor=actor)
