"""Reads of service cases: a customer's own cases and the staff inbox (filters in SQL, constant query count)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast

from ..installations.models import Installation
from ..sla.models import SlaClock
from .contact import email_digest
from .models import CaseTag, ServiceCase

SUBJECT = "service_case"


def cases_for(installation: Installation) -> QuerySet[ServiceCase]:
    return ServiceCase.objects.filter(installation=installation)


def customer_cases(installation: Installation, *, user_id: str, email: str) -> QuerySet[ServiceCase]:
    """By Saleor user id when the case has one; by email for cases opened without an account."""
    who = Q(customer_email_digest=email_digest(email)) if email else Q(pk__in=[])
    if user_id:
        who = Q(customer_user_id=user_id) | (who & Q(customer_user_id=""))
    return cases_for(installation).filter(who)


def inbox(
    installation: Installation,
    *,
    now: datetime,
    statuses: Iterable[str] = (),
    priorities: Iterable[str] = (),
    kind: str = "",
    channel: str = "",
    assignee_user_id: str = "",
    unassigned: bool = False,
    tag: str = "",
    breached: bool | None = None,
    customer_email: str = "",
    search: str = "",
) -> QuerySet[ServiceCase]:
    """The staff inbox, latest activity first, with the last message joined (one query)."""
    qs = cases_for(installation).select_related("last_message")
    statuses, priorities = list(statuses), list(priorities)
    if statuses:
        qs = qs.filter(status__in=statuses)
    if priorities:
        qs = qs.filter(priority__in=priorities)
    if kind:
        qs = qs.filter(kind=kind)
    if channel:
        qs = qs.filter(channel=channel)
    if assignee_user_id:
        qs = qs.filter(assignee_user_id=assignee_user_id)
    if unassigned:
        qs = qs.filter(assignee_user_id="")
    if tag:
        qs = qs.filter(Exists(CaseTag.objects.filter(case=OuterRef("pk"), tag=tag.strip().lower())))
    if customer_email:
        qs = qs.filter(customer_email_digest=email_digest(customer_email))
    if breached is not None:
        overdue = SlaClock.objects.filter(subject_type=SUBJECT, subject_id=OuterRef("pk_text")).filter(
            Q(status="breached") | Q(status="running", due_at__lt=now)
        )
        qs = qs.annotate(pk_text=Cast("pk", CharField()))
        qs = qs.filter(Exists(overdue)) if breached else qs.exclude(Exists(overdue))
    term = (search or "").strip()
    if term:
        qs = qs.filter(
            Q(number__iexact=term) | Q(subject__icontains=term) | Q(customer_email_digest=email_digest(term))
        )
    return qs.order_by("-last_message_at", "-id")
