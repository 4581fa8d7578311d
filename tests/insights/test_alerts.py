"""Quality alerts: the binomial test per SKU / category / supplier with BH control, evidence, acknowledgement, digest."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from scipy.stats import binomtest

from saleor_aftersales.core.actors import Actor, ActorType
from saleor_aftersales.core.errors import DomainError
from saleor_aftersales.core.ids import to_global_id
from saleor_aftersales.insights import actions, alerts
from saleor_aftersales.insights.models import InsightsSettings, QualityAlert
from saleor_aftersales.insights.rollups import refresh_rollups
from saleor_aftersales.notifications.models import Notification
from saleor_aftersales.returns.models import ReturnPhoto

from .factories import at, order, return_request

TODAY = at(20, 12)
STAFF = Actor(type=ActorType.STAFF, user_id="VXNlcjo5MDA=", email="staff@example.com")
ACME = {"supplier": ["acme"]}


@pytest.fixture
def quality_shop(installation):
    """
    Baseline (08-01, inside 182 days before the recent window 10-23..11-19): BAD 200 units / 2 defects (1 %),
    OK 200 / 2. Recent (11-01): BAD 100 units / 15 defects, OK 100 / 2. Category C1: recent 200 / 17 vs 400 / 4.
    """
    InsightsSettings.objects.create(installation=installation, supplier_attribute="supplier")
    with time_machine.travel(at(1, month=8), tick=False):
        old, (bad_old, ok_old) = order(
            installation,
            lines=[("BAD", "PB", "C1", "30.00", 200, ACME), ("OK", "PO", "C1", "30.00", 200)],
            fulfilled_at=at(1, 9, month=8),
        )
        return_request(
            installation, old, created_at=at(10, month=8), status="resolved",
            lines=[(bad_old, 2, "quality-defect", "quality", 2), (ok_old, 2, "quality-defect", "quality", 2)],
        )  # fmt: skip
    recent, (bad, ok) = order(
        installation,
        lines=[("BAD", "PB", "C1", "30.00", 100, ACME), ("OK", "PO", "C1", "30.00", 100)],
        fulfilled_at=at(1, 9),
    )
    photo_request = None
    for n, units in enumerate((5, 5, 5)):
        created = return_request(
            installation, recent, created_at=at(5 + n), status="requested", comment=f"Seam split #{n}",
            lines=[(bad, units, "quality-defect", "quality", 0)],
        )  # fmt: skip
        photo_request = photo_request or created
    ReturnPhoto.objects.create(
        request=photo_request, line=photo_request.lines.first(), file="returns/seam.png", content_type="image/png",
        size=10,
    )  # fmt: skip
    return_request(
        installation,
        recent,
        created_at=at(9),
        status="requested",
        lines=[(ok, 2, "not-as-described", "quality", 0)],
    )
    return_request(
        installation,
        recent,
        created_at=at(9),
        status="requested",
        lines=[(bad, 9, "wrong-size", "no_reason", 0)],
    )
    with time_machine.travel(TODAY, tick=False):
        refresh_rollups(installation)
    return installation


def _sweep(installation, day=TODAY):
    with time_machine.travel(day, tick=False):
        return alerts.sweep_quality_alerts(installation, today=day.date())


def test_windows_are_complete_days():
    w = alerts.windows_for(date(2026, 11, 20), recent_days=28, baseline_days=182)
    assert (w.recent_start, w.recent_end) == (date(2026, 10, 23), date(2026, 11, 19))
    assert (w.baseline_start, w.baseline_end) == (date(2026, 4, 24), date(2026, 10, 22))


def test_sweep_raises_sku_category_and_supplier_alerts(quality_shop):
    raised = _sweep(quality_shop)

    by_level = {a.level: a for a in raised}
    assert sorted(by_level) == ["category", "sku", "supplier"]
    sku = by_level["sku"]
    assert (sku.key, sku.units, sku.defects, sku.comparison) == ("BAD", 100, 15, "baseline")
    assert sku.rate == pytest.approx(0.15)
    assert sku.expected_rate == pytest.approx(0.01)
    assert sku.p_value == pytest.approx(binomtest(15, 100, 0.01, alternative="greater").pvalue)
    assert sku.adjusted_p_value < 0.05
    assert sku.label == "SKU-BAD Product PB / Variant BAD"
    category = by_level["category"]
    assert (category.key, category.units, category.defects) == ("C1", 200, 17)
    assert category.expected_rate == pytest.approx(4 / 400)
    assert (by_level["supplier"].key, by_level["supplier"].defects) == ("acme", 15)


def test_the_wrong_size_returns_are_not_defects_and_ok_has_too_few(quality_shop):
    raised = _sweep(quality_shop)

    assert "OK" not in {a.key for a in raised}
    assert QualityAlert.objects.filter(installation=quality_shop, key="OK").count() == 0


def test_alert_evidence(quality_shop):
    sku = next(a for a in _sweep(quality_shop) if a.level == "sku")

    evidence = sku.evidence
    assert evidence["reasons"] == [{"code": "quality-defect", "units": 15, "lines": 3}]
    assert [c["comment"] for c in evidence["sample_comments"]] == [
        "Seam split #2",
        "Seam split #1",
        "Seam split #0",
    ]
    photo = ReturnPhoto.objects.get()
    assert evidence["photo_ids"] == [to_global_id("ReturnPhoto", photo.pk)]
    assert len(evidence["requests"]) == 3
    category = QualityAlert.objects.get(level="category")
    assert category.evidence["top_skus"] == [
        {"variant_id": "BAD", "sku": "SKU-BAD", "units": 15},
        {"variant_id": "OK", "sku": "SKU-OK", "units": 2},
    ]


def test_sweep_is_idempotent_and_acknowledged_alerts_stay_quiet(quality_shop):
    _sweep(quality_shop)
    _sweep(quality_shop)
    assert QualityAlert.objects.filter(installation=quality_shop).count() == 3

    sku = QualityAlert.objects.get(level="sku")
    actions.acknowledge_alert(alert=sku, actor=STAFF, note="Supplier informed")
    _sweep(quality_shop, day=at(21, 12))

    sku.refresh_from_db()
    assert (sku.status, sku.acknowledged_by, sku.acknowledge_note) == (
        "acknowledged",
        STAFF.email,
        "Supplier informed",
    )
    assert QualityAlert.objects.filter(installation=quality_shop, level="sku").count() == 1
    assert list(sku.events.values_list("type", "actor_type")) == [
        ("raised", "system"),
        ("refreshed", "system"),
        ("acknowledged", "staff"),
    ]
    with pytest.raises(DomainError) as caught:
        actions.acknowledge_alert(alert=sku, actor=STAFF)
    assert caught.value.code == "ALREADY_ACKNOWLEDGED"


def test_no_alert_without_significance(installation):
    # 40 units, 3 defects vs a 5 % baseline: lift 1.5 but P(X >= 3 | 40, 0.05) = 0.32 -> no alert.
    with time_machine.travel(at(1, month=8), tick=False):
        old, (line_old,) = order(
            installation, lines=[("S", "P", "C", "10.00", 200)], fulfilled_at=at(1, 9, month=8)
        )
        return_request(
            installation, old, created_at=at(5, month=8), status="resolved",
            lines=[(line_old, 10, "quality-defect", "quality", 10)],
        )  # fmt: skip
    recent, (line,) = order(installation, lines=[("S", "P", "C", "10.00", 40)], fulfilled_at=at(1, 9))
    return_request(
        installation,
        recent,
        created_at=at(5),
        status="requested",
        lines=[(line, 3, "quality-defect", "quality", 0)],
    )
    with time_machine.travel(TODAY, tick=False):
        refresh_rollups(installation)

    assert _sweep(installation) == []


def test_weekly_digest_goes_once_per_address_and_week(quality_shop, django_capture_on_commit_callbacks):
    actions.update_insights_settings(
        installation=quality_shop,
        actor=STAFF,
        values={"digest_emails": ["QA@example.com", "ops@example.com"]},
    )
    _sweep(quality_shop)

    with time_machine.travel(TODAY, tick=False):
        first = actions.send_weekly_digest(installation=quality_shop, today=TODAY.date())
        again = actions.send_weekly_digest(installation=quality_shop, today=TODAY.date())

    sent = Notification.objects.filter(installation=quality_shop, event="insights_quality_digest")
    assert (first, again, sent.count()) == (2, 2, 2)
    mail = sent.get(recipient_email="qa@example.com")
    assert mail.context["new_alerts"] == 3
    assert mail.context["open_alerts"] == 3
    assert mail.context["week"] == "2026-W47"
    assert "[sku] SKU-BAD" in mail.context["alert_lines"]


def test_settings_validation(installation):
    with pytest.raises(DomainError) as caught:
        actions.update_insights_settings(
            installation=installation,
            actor=STAFF,
            values={"digest_emails": ["not-an-email"], "alpha": "0.9", "recent_window_days": 2},
        )

    assert [(d.code, d.field) for d in caught.value.details] == [
        ("INVALID_EMAIL", "digestEmails"),
        ("OUT_OF_RANGE", "alpha"),
        ("OUT_OF_RANGE", "recentWindowDays"),
    ]
    assert not InsightsSettings.objects.filter(installation=installation).exists()


def test_dashboard_shows_the_evidence_and_acknowledges(quality_shop, client, staff_token):
    from tests.conftest import TEST_API_URL

    _sweep(quality_shop)
    sku = QualityAlert.objects.get(level="sku")
    photo = ReturnPhoto.objects.get()
    with time_machine.travel(TODAY, tick=False):
        headers = {
            "HTTP_AUTHORIZATION_BEARER": staff_token("MANAGE_ORDERS"),
            "HTTP_SALEOR_API_URL": TEST_API_URL,
        }
        body = client.get(
            "/dashboard/frag/insights?start=2026-11-01&end=2026-11-19", **headers
        ).content.decode()

        # Three alerts (SKU, category, supplier), each with its evidence row: counts, reasons, comments, photo.
        assert body.count("data-alert=") == 3 and body.count("data-evidence=") == 3
        assert "Data as of 2026-11-20 12:00 UTC" in body
        row = body[body.index(f'data-evidence="{sku.pk}"') :].split("</tr>")[0]
        assert "15 / 100" in row and 'data-reason="quality-defect">quality-defect × 15<' in row
        assert row.count("data-comment") == 3 and "Seam split #2" in row
        assert f'data-photo="{photo.pk}"' in row and "/media/returns/seam.png" in row
        response = client.post(f"/dashboard/frag/insights/alerts/{sku.pk}/acknowledge", **headers)

    sku.refresh_from_db()
    assert (sku.status, sku.acknowledged_by) == ("acknowledged", "staff@example.com")
    assert response.content.decode().count("data-alert=") == 2


def test_weekly_digest_texts_render_in_both_languages_from_the_beat_task(
    quality_shop, django_capture_on_commit_callbacks
):
    from saleor_aftersales.insights import tasks
    from saleor_aftersales.insights.notification_texts import TEXTS
    from saleor_aftersales.insights.schedule import SCHEDULE

    actions.update_insights_settings(
        installation=quality_shop,
        actor=STAFF,
        values={"digest_emails": ["qa@example.com"], "digest_language": "zh-hans"},
    )
    _sweep(quality_shop)
    assert SCHEDULE["insights-weekly-digest"]["task"] == tasks.send_all_weekly_digests_task.name

    with time_machine.travel(TODAY, tick=False), django_capture_on_commit_callbacks(execute=False):
        tasks.send_all_weekly_digests_task()  # beat -> one task per installation (eager) -> notify

    mail = Notification.objects.get(installation=quality_shop, event="insights_quality_digest")
    assert (mail.recipient_email, mail.language) == ("qa@example.com", "zh-hans")
    for language in ("en", "zh-hans"):
        subject, body = (text.format(**mail.context) for text in TEXTS["insights_quality_digest"][language])
        assert "2026-W47" in subject and "3" in subject
        assert "[sku] SKU-BAD Product PB / Variant BAD: 15/100 defect returns" in body
        assert "{" not in subject + body
