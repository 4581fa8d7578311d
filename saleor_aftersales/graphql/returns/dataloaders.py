"""Request-scoped loaders for return requests (constant SQL per list, whatever its length)."""

from __future__ import annotations

from ...installations.models import Installation
from ...installations.permissions import SaleorPermission
from ...returns.models import ReturnEvent, ReturnLine, ReturnPhoto, ReturnRequest, Settlement
from ...returns.selectors import customer_owns_request, reason_catalogue
from ...sla.models import SlaClock
from ..core.dataloaders import DataLoader, by_key, grouped


class ReturnLinesByRequestIdLoader(DataLoader):
    def batch_load(self, keys):
        return grouped(
            ReturnLine.objects.filter(request_id__in=keys).select_related("order_line"), keys, "request_id"
        )


class ReturnEventsByRequestIdLoader(DataLoader):
    def batch_load(self, keys):
        return grouped(
            ReturnEvent.objects.filter(request_id__in=keys).order_by("created_at", "id"), keys, "request_id"
        )


class ReturnPhotosByRequestIdLoader(DataLoader):
    def batch_load(self, keys):
        return grouped(ReturnPhoto.objects.filter(request_id__in=keys), keys, "request_id")


class SettlementsByRequestIdLoader(DataLoader):
    def batch_load(self, keys):
        return grouped(Settlement.objects.filter(request_id__in=keys), keys, "request_id")


class SlaClocksByRequestIdLoader(DataLoader):
    def batch_load(self, keys):
        clocks = SlaClock.objects.filter(subject_type="return_request", subject_id__in=[str(k) for k in keys])
        by_subject: dict[str, list] = {}
        for clock in clocks:
            by_subject.setdefault(clock.subject_id, []).append(clock)
        return [by_subject.get(str(key), []) for key in keys]


class ReasonCatalogueByInstallationIdLoader(DataLoader):
    def batch_load(self, keys):
        return [reason_catalogue(Installation(pk=key)) for key in keys]


class VisibleReturnRequestByPkLoader(DataLoader):
    """A ReturnRequest by pk for `_entities`, or None when the requestor may not see it."""

    def batch_load(self, keys):
        requestor = self.context.requestor
        if requestor.installation is None:
            return [None] * len(keys)
        rows = ReturnRequest.objects.filter(installation=requestor.installation, pk__in=keys).select_related(
            "order"
        )

        def visible(request):
            if request is None:
                return None
            if requestor.is_staff:
                return request if requestor.has_perm(SaleorPermission.MANAGE_ORDERS) else None
            if requestor.is_customer:
                actor = requestor.actor
                owns = customer_owns_request(request, user_id=actor.user_id or "", email=actor.email or "")
                return request if owns else None
            return None

        return [visible(request) for request in by_key(rows, keys, "pk")]
