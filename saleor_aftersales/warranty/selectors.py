"""Reads of the warranty capability: settings, terms, catalogues, ownership, lists, suggestions."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from ..installations.models import Installation
from ..orders.models import Order
from . import care, policies, symptoms
from .models import (
    CareGuide,
    RepairOrder,
    ServiceCenter,
    Warranty,
    WarrantyClaim,
    WarrantySettings,
    WarrantySymptom,
    WarrantyTerms,
)
from .state import CLAIM_OPEN, REPAIR_OPEN


def settings_for(installation: Installation) -> WarrantySettings:
    row = WarrantySettings.objects.filter(installation=installation).first()
    return row or WarrantySettings(installation=installation)


def terms_of(row: WarrantyTerms) -> policies.Terms:
    return policies.Terms(
        scope=row.scope,
        target_id=row.target_id,
        duration_months=row.duration_months,
        covered_issues=tuple(row.covered_issues or ()),
        excluded_issues=tuple(row.excluded_issues or ()),
        remedies=tuple(row.remedies or ()),
        max_repairs_before_replace=row.max_repairs_before_replace,
        key=row.pk,
    )


def terms_candidates(installation: Installation) -> tuple[list[policies.Terms], dict[int, WarrantyTerms]]:
    rows = list(WarrantyTerms.objects.filter(installation=installation, is_active=True))
    return [terms_of(row) for row in rows], {row.pk: row for row in rows}


# The terms of an installation that has configured none (shoes and leather goods).
BUILT_IN_TERMS = policies.Terms(
    covered_issues=symptoms.DEFAULT_COVERED, excluded_issues=symptoms.DEFAULT_EXCLUDED
)


def snapshot(terms: policies.Terms, row: WarrantyTerms | None, duration_months: int) -> dict:
    return {
        "terms_id": row.pk if row else None,
        "name": row.name if row else "Standard warranty",
        "scope": terms.scope,
        "duration_months": duration_months,
        "covered_issues": list(terms.covered_issues),
        "excluded_issues": list(terms.excluded_issues),
        "remedies": list(terms.remedies),
        "max_repairs_before_replace": terms.max_repairs_before_replace,
        "text_en": row.text_en if row else "Covers manufacturing defects for the warranty period.",
        "text_zh_hans": row.text_zh_hans if row else "保修期内的质量问题均可免费维修。",
    }


def symptom_catalogue(installation: Installation) -> dict[str, symptoms.Symptom]:
    return symptoms.catalogue(WarrantySymptom.objects.filter(installation=installation))


def care_guides(installation: Installation) -> list[care.Guide]:
    return care.guides(CareGuide.objects.filter(installation=installation))


def owns(obj, *, user_id: str, email: str) -> bool:
    """Customers own warranties, claims and repair orders by Saleor user id, else by email."""
    if obj.customer_user_id and user_id:
        return obj.customer_user_id == user_id
    return bool(email) and obj.customer_email.lower() == email.lower()


def order_pk_of(obj) -> int | None:
    """The order a warranty, claim or repair order stems from (None: registered without a Saleor order)."""
    if isinstance(obj, Warranty):
        return obj.order_id
    if isinstance(obj, WarrantyClaim):
        return obj.warranty.order_id
    if isinstance(obj, RepairOrder):
        return obj.order_id or (obj.warranty.order_id if obj.warranty_id else None)
    return None


def guest_warranties(installation: Installation, order: Order) -> QuerySet[Warranty]:
    """The warranties registered from one order, for the guest who proved it (its number + email)."""
    # A warranty transferred to someone else carries their email: no longer the guest's.
    return Warranty.objects.filter(
        installation=installation, order=order, customer_email__iexact=order.user_email
    )


def _who(user_id: str, email: str) -> Q:
    query = Q(pk__in=[])
    if user_id:
        query |= Q(customer_user_id=user_id)
    if email:
        query |= Q(customer_user_id="", customer_email__iexact=email)
    return query


def customer_warranties(installation: Installation, *, user_id: str, email: str) -> QuerySet[Warranty]:
    return Warranty.objects.filter(installation=installation).filter(_who(user_id, email))


def customer_claims(installation: Installation, *, user_id: str, email: str) -> QuerySet[WarrantyClaim]:
    return WarrantyClaim.objects.filter(installation=installation).filter(_who(user_id, email))


def customer_repairs(installation: Installation, *, user_id: str, email: str) -> QuerySet[RepairOrder]:
    return RepairOrder.objects.filter(installation=installation).filter(_who(user_id, email))


def open_claim_of(warranty: Warranty) -> WarrantyClaim | None:
    return warranty.claims.filter(status__in=CLAIM_OPEN).first()


def center_infos(installation: Installation) -> list[policies.Center]:
    rows = ServiceCenter.objects.filter(installation=installation).annotate(
        open_orders=Count("repair_orders", filter=Q(repair_orders__status__in=REPAIR_OPEN))
    )
    return [
        policies.Center(
            key=row.pk,
            category_ids=tuple(row.category_ids or ()),
            capacity=row.capacity,
            open_orders=row.open_orders,
            latitude=float(row.latitude) if row.latitude is not None else None,
            longitude=float(row.longitude) if row.longitude is not None else None,
            is_active=row.is_active,
        )
        for row in rows
    ]


def suggested_centers(
    installation: Installation,
    *,
    category_id: str,
    latitude: float | None = None,
    longitude: float | None = None,
) -> list[tuple[ServiceCenter, policies.Suggestion]]:
    ranked = policies.suggest_centers(
        center_infos(installation), category_id=category_id, latitude=latitude, longitude=longitude
    )
    rows = ServiceCenter.objects.in_bulk([s.key for s in ranked])
    return [(rows[s.key], s) for s in ranked]
