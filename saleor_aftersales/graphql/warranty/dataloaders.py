"""Request-scoped loaders of the warranty capability (constant SQL per list, whatever its length)."""

from __future__ import annotations

from ...installations.models import Installation
from ...installations.permissions import SaleorPermission
from ...sla.models import SlaClock
from ...warranty import selectors
from ...warranty.models import (
    ClaimEvent,
    ClaimPhoto,
    RepairEvent,
    RepairLine,
    RepairOrder,
    ServiceCenter,
    Technician,
    Warranty,
    WarrantyClaim,
    WarrantyEvent,
    WarrantyProof,
    WarrantySettlement,
)
from ...warranty.state import CLAIM_OPEN
from ..core.dataloaders import DataLoader, by_key, grouped


class OpenClaimsByWarrantyIdLoader(DataLoader):
    def batch_load(self, keys):
        rows = WarrantyClaim.objects.filter(warranty_id__in=keys, status__in=CLAIM_OPEN).order_by(
            "-created_at"
        )
        return grouped(rows, keys, "warranty_id")


class ClaimsByWarrantyIdLoader(DataLoader):
    def batch_load(self, keys):
        return grouped(WarrantyClaim.objects.filter(warranty_id__in=keys), keys, "warranty_id")


class WarrantyByIdLoader(DataLoader):
    def batch_load(self, keys):
        return by_key(Warranty.objects.filter(pk__in=keys).select_related("order", "order_line"), keys)


class ProofsByWarrantyIdLoader(DataLoader):
    def batch_load(self, keys):
        return grouped(WarrantyProof.objects.filter(warranty_id__in=keys), keys, "warranty_id")


class CompletedRepairCountByWarrantyIdLoader(DataLoader):
    """How often each warranty's item was repaired already (for the repair-or-replace rule)."""

    def batch_load(self, keys):
        from django.db.models import Count

        counts = dict(
            RepairOrder.objects.filter(warranty_id__in=keys, status="completed", is_paid=False)
            .values("warranty_id")
            .annotate(n=Count("id"))
            .values_list("warranty_id", "n")
        )
        return [counts.get(key, 0) for key in keys]


class ClaimByIdLoader(DataLoader):
    def batch_load(self, keys):
        return by_key(WarrantyClaim.objects.filter(pk__in=keys), keys)


class WarrantyEventsByWarrantyIdLoader(DataLoader):
    def batch_load(self, keys):
        return grouped(WarrantyEvent.objects.filter(warranty_id__in=keys), keys, "warranty_id")


class ClaimEventsByClaimIdLoader(DataLoader):
    def batch_load(self, keys):
        return grouped(ClaimEvent.objects.filter(claim_id__in=keys), keys, "claim_id")


class ClaimPhotosByClaimIdLoader(DataLoader):
    def batch_load(self, keys):
        return grouped(ClaimPhoto.objects.filter(claim_id__in=keys), keys, "claim_id")


class RepairOrdersByClaimIdLoader(DataLoader):
    def batch_load(self, keys):
        return grouped(RepairOrder.objects.filter(claim_id__in=keys), keys, "claim_id")


class SettlementsByClaimIdLoader(DataLoader):
    def batch_load(self, keys):
        return grouped(WarrantySettlement.objects.filter(claim_id__in=keys), keys, "claim_id")


class SettlementsByRepairIdLoader(DataLoader):
    def batch_load(self, keys):
        return grouped(WarrantySettlement.objects.filter(repair_order_id__in=keys), keys, "repair_order_id")


class RepairEventsByRepairIdLoader(DataLoader):
    def batch_load(self, keys):
        return grouped(RepairEvent.objects.filter(repair_order_id__in=keys), keys, "repair_order_id")


class RepairLinesByRepairIdLoader(DataLoader):
    def batch_load(self, keys):
        return grouped(RepairLine.objects.filter(repair_order_id__in=keys), keys, "repair_order_id")


class ServiceCenterByIdLoader(DataLoader):
    def batch_load(self, keys):
        return by_key(ServiceCenter.objects.filter(pk__in=keys), keys)


class TechnicianByIdLoader(DataLoader):
    def batch_load(self, keys):
        return by_key(Technician.objects.filter(pk__in=keys), keys)


class TechniciansByCenterIdLoader(DataLoader):
    def batch_load(self, keys):
        return grouped(Technician.objects.filter(center_id__in=keys), keys, "center_id")


class CareGuidesByInstallationIdLoader(DataLoader):
    def batch_load(self, keys):
        return [selectors.care_guides(Installation(pk=key)) for key in keys]


class SymptomCatalogueByInstallationIdLoader(DataLoader):
    def batch_load(self, keys):
        return [selectors.symptom_catalogue(Installation(pk=key)) for key in keys]


def _clock_loader(subject_type: str):
    class Loader(DataLoader):
        def batch_load(self, keys):
            clocks = SlaClock.objects.filter(subject_type=subject_type, subject_id__in=[str(k) for k in keys])
            by_subject: dict[str, list] = {}
            for clock in clocks:
                by_subject.setdefault(clock.subject_id, []).append(clock)
            return [by_subject.get(str(key), []) for key in keys]

    Loader.__name__ = f"SlaClocksBy{subject_type.title().replace('_', '')}IdLoader"
    return Loader


SlaClocksByClaimIdLoader = _clock_loader("warranty_claim")
SlaClocksByRepairIdLoader = _clock_loader("repair_order")


def _visible(requestor, row):
    if row is None:
        return None
    if requestor.is_staff:
        return row if requestor.has_perm(SaleorPermission.MANAGE_ORDERS) else None
    if requestor.is_customer:
        actor = requestor.actor
        return row if selectors.owns(row, user_id=actor.user_id or "", email=actor.email or "") else None
    return None


class VisibleWarrantyByPkLoader(DataLoader):
    """A Warranty by pk for `_entities`, or None when the requestor may not see it."""

    def batch_load(self, keys):
        requestor = self.context.requestor
        if requestor.installation is None:
            return [None] * len(keys)
        rows = Warranty.objects.filter(installation=requestor.installation, pk__in=keys).select_related(
            "order"
        )
        return [_visible(requestor, row) for row in by_key(rows, keys)]


class VisibleRepairOrderByPkLoader(DataLoader):
    def batch_load(self, keys):
        requestor = self.context.requestor
        if requestor.installation is None:
            return [None] * len(keys)
        rows = RepairOrder.objects.filter(installation=requestor.installation, pk__in=keys)
        return [_visible(requestor, row) for row in by_key(rows, keys)]
