"""The warranty capability's resolutions ask for feedback: a claim that ends with its decision, a repair shipped back."""

from __future__ import annotations

from saleor_aftersales.notifications.actions import notify
from saleor_aftersales.surveys.models import Survey

EMAIL = "owner@example.com"


def _notify(installation, event, subject_type, subject_id, **context):
    notify(
        installation=installation,
        event=event,
        recipient_email=EMAIL,
        dedupe_key=f"{event}:{subject_id}",
        language="zh-hans",
        context={"reference": f"REF-{subject_id}", **context},
        subject_type=subject_type,
        subject_id=subject_id,
    )


def test_claims_decided_for_good_and_repairs_shipped_back_ask_for_feedback(installation):
    _notify(installation, "warranty_claim_decided", "warranty_claim", 1, decision="replace")
    _notify(installation, "warranty_claim_decided", "warranty_claim", 2, decision="reject")
    _notify(installation, "warranty_claim_decided", "warranty_claim", 3, decision="repair")
    _notify(installation, "warranty_claim_decided", "warranty_claim", 4, decision="paid_repair")
    _notify(installation, "warranty_repair_shipped", "repair_order", 9, carrier="SF", tracking="SF1")

    surveys = sorted(Survey.objects.values_list("subject_type", "subject_id", "reference", "language"))
    assert surveys == [
        ("repair_order", "9", "REF-9", "zh-hans"),
        ("warranty_claim", "1", "REF-1", "zh-hans"),
        ("warranty_claim", "2", "REF-2", "zh-hans"),
    ]
    assert set(Survey.objects.values_list("customer_email", flat=True)) == {EMAIL}
