"""Request-scoped loaders for service cases (constant SQL per list, whatever its length)."""

from __future__ import annotations

from ...installations.permissions import SaleorPermission
from ...service.contact import owns_case
from ...service.models import CaseTag, ServiceAttachment, ServiceCase, ServiceMessage
from ...sla.models import SlaClock
from ..core.dataloaders import DataLoader, by_key, grouped


class MessagesByCaseIdLoader(DataLoader):
    def batch_load(self, keys):
        return grouped(
            ServiceMessage.objects.filter(case_id__in=keys).order_by("created_at", "id"), keys, "case_id"
        )


class AttachmentsByMessageIdLoader(DataLoader):
    def batch_load(self, keys):
        return grouped(
            ServiceAttachment.objects.filter(message_id__in=keys).order_by("id"), keys, "message_id"
        )


class TagsByCaseIdLoader(DataLoader):
    def batch_load(self, keys):
        rows = CaseTag.objects.filter(case_id__in=keys).order_by("id")
        return [[row.tag for row in group] for group in grouped(rows, keys, "case_id")]


class SlaClocksByCaseIdLoader(DataLoader):
    def batch_load(self, keys):
        # Scoped by installation so the (installation, subject_type, subject_id, metric) unique index serves it.
        clocks = SlaClock.objects.filter(
            installation=self.context.requestor.installation,
            subject_type="service_case",
            subject_id__in=[str(k) for k in keys],
        )
        by_subject: dict[str, list] = {}
        for clock in clocks.order_by("started_at", "id"):
            by_subject.setdefault(clock.subject_id, []).append(clock)
        return [by_subject.get(str(key), []) for key in keys]


def may_see(requestor, case: ServiceCase | None) -> bool:
    if case is None or requestor.installation is None or case.installation_id != requestor.installation.pk:
        return False
    if requestor.is_staff:
        return requestor.has_perm(SaleorPermission.MANAGE_ORDERS)
    if requestor.is_customer:
        actor = requestor.actor
        return owns_case(case, user_id=actor.user_id or "", email=actor.email or "")
    return False


class VisibleServiceCaseByPkLoader(DataLoader):
    """A ServiceCase by pk for `_entities`, or None when the requestor may not see it."""

    def batch_load(self, keys):
        requestor = self.context.requestor
        if requestor.installation is None:
            return [None] * len(keys)
        rows = ServiceCase.objects.filter(installation=requestor.installation, pk__in=keys).select_related(
            "last_message", "last_public_message"
        )
        return [case if may_see(requestor, case) else None for case in by_key(rows, keys, "pk")]


class ServiceCasesByUserLoader(DataLoader):
    """`User.serviceCases`: keys are (saleor user id, email) pairs as the gateway sends them (one query).

    Only the customer themself or staff with MANAGE_ORDERS get rows; everybody else gets an empty list.
    """

    def batch_load(self, keys):
        from django.db.models import Q

        from ...service.contact import email_digest
        from ..federation_entities.dataloaders import user_matches

        requestor = self.context.requestor
        installation = requestor.installation

        def allowed(key) -> bool:
            if not user_matches(requestor, *key):
                return False
            return not requestor.is_staff or requestor.has_perm(SaleorPermission.MANAGE_ORDERS)

        wanted = [key for key in keys if allowed(key)]
        user_ids = {user_id for user_id, _email in wanted if user_id}
        digests = {email_digest(email) for user_id, email in wanted if not user_id and email}
        rows: list[ServiceCase] = []
        if user_ids or digests:
            rows = list(
                ServiceCase.objects.filter(
                    Q(customer_user_id__in=user_ids) | Q(customer_email_digest__in=digests),
                    installation=installation,
                )
                .select_related("last_message", "last_public_message")
                .order_by("-created_at", "-id")
            )
        result = []
        for key in keys:
            user_id, email = key
            if key not in wanted:
                result.append([])
            elif user_id:
                result.append([row for row in rows if row.customer_user_id == user_id])
            else:
                digest = email_digest(email)
                result.append([row for row in rows if row.customer_email_digest == digest])
        return result
