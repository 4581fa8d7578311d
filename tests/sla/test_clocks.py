"""Clocks: policy targets, pause/resume on business time, and the sweep that warns and breaches exactly once."""

from datetime import UTC, datetime, timedelta

import pytest

from saleor_aftersales.sla import actions, escalation, selectors
from saleor_aftersales.sla.models import BusinessCalendar, ClockStatus, SlaClock, SlaPolicy

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai


@pytest.fixture
def office(installation):
    return BusinessCalendar.objects.create(
        installation=installation,
        name="Shanghai office",
        time_zone="Asia/Shanghai",
        weekly_hours={str(d): [["09:00", "18:00"]] for d in range(5)},
    )


def test_defaults_without_policies(installation):
    assert selectors.target_for(
        installation=installation, subject_type="service_case", metric="first_response"
    ) == (
        30,
        None,
    )
    assert selectors.target_for(
        installation=installation, subject_type="service_case", metric="resolution"
    ) == (
        1440,
        None,
    )


def test_most_specific_policy_wins(installation, office):
    def policy(priority="", channel="", minutes=0):
        SlaPolicy.objects.create(
            installation=installation,
            subject_type="service_case",
            metric="first_response",
            priority=priority,
            channel=channel,
            target_minutes=minutes,
            calendar=office,
        )

    policy(minutes=60)
    policy(channel="email", minutes=120)
    policy(priority="urgent", minutes=15)
    policy(priority="urgent", channel="email", minutes=10)

    def target(priority, channel):
        return selectors.target_for(
            installation=installation,
            subject_type="service_case",
            metric="first_response",
            priority=priority,
            channel=channel,
        )[0]

    assert target("urgent", "email") == 10
    assert target("urgent", "chat") == 15
    assert target("normal", "email") == 120
    assert target("normal", "chat") == 60


def _start(installation, calendar=None, minutes=120, warning=30, subject=1):
    return actions.start_clock(
        installation=installation,
        subject_type="service_case",
        subject_id=subject,
        metric="resolution",
        target_minutes=minutes,
        started_at=T0,
        calendar=calendar,
        warning_minutes=warning,
    )


def test_start_is_idempotent_and_sets_warning(installation, office):
    clock = _start(installation, office)
    again = _start(installation, office, minutes=999)
    assert again.pk == clock.pk and again.target_minutes == 120
    assert clock.due_at == T0 + timedelta(hours=2)
    assert clock.warn_at == T0 + timedelta(minutes=90)


def test_pause_over_the_night_pushes_due_by_business_time_only(installation, office):
    clock = _start(installation, office)  # due Monday 11:00 local
    pause_at = T0 + timedelta(minutes=60)  # 10:00 local, 60 business minutes left
    resume_at = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # Tuesday 08:00 local (before opening)
    assert (
        actions.pause_clocks(
            installation=installation, subject_type="service_case", subject_id=1, at=pause_at
        )
        == 1
    )
    assert selectors.sla_state(SlaClock.objects.get(pk=clock.pk), pause_at + timedelta(hours=5)) == "paused"
    assert (
        actions.resume_clocks(
            installation=installation, subject_type="service_case", subject_id=1, at=resume_at
        )
        == 1
    )
    clock.refresh_from_db()
    assert clock.status == ClockStatus.RUNNING
    # Paused 10:00 Mon -> 08:00 Tue = 8 business hours (10:00-18:00); 60 minutes remain from Tue 09:00.
    assert clock.paused_minutes == 8 * 60
    assert clock.due_at == datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 10:00 local
    assert clock.warn_at == datetime(2026, 11, 24, 1, 30, tzinfo=UTC)


def test_clock_stopped_while_paused_is_judged_at_the_pause(installation):
    _start(installation, minutes=60, warning=0)
    actions.pause_clocks(
        installation=installation, subject_type="service_case", subject_id=1, at=T0 + timedelta(minutes=30)
    )
    clock = actions.stop_clock(
        installation=installation,
        subject_type="service_case",
        subject_id=1,
        metric="resolution",
        at=T0 + timedelta(days=3),
    )
    assert clock.status == ClockStatus.MET


def test_sweep_marks_each_clock_once_and_calls_handlers_once(installation):
    seen = {"warned": [], "breached": []}
    escalation.on_warning("sweep_test")(lambda clock: seen["warned"].append(clock.subject_id))
    escalation.on_breach("sweep_test")(lambda clock: seen["breached"].append(clock.subject_id))
    for n, minutes in enumerate([10, 100, 1000]):
        actions.start_clock(
            installation=installation,
            subject_type="sweep_test",
            subject_id=n,
            metric="resolution",
            target_minutes=minutes,
            started_at=T0,
            warning_minutes=50,
        )
    at = T0 + timedelta(minutes=60)
    # clock 0: due at +10 (breached; warn at 0 also passed); clock 1: warn at +50 passed, due +100 not.
    assert escalation.sweep(at) == {"warned": 2, "breached": 1}
    assert escalation.sweep(at) == {"warned": 0, "breached": 0}
    assert sorted(seen["warned"]) == ["0", "1"]
    assert seen["breached"] == ["0"]
    states = {
        c.subject_id: selectors.sla_state(c, at) for c in SlaClock.objects.filter(subject_type="sweep_test")
    }
    assert states == {"0": "breached", "1": "at_risk", "2": "on_track"}
    # A clock breached by the sweep and stopped later is recorded as breached with when it stopped.
    stopped = actions.stop_clock(
        installation=installation, subject_type="sweep_test", subject_id=0, metric="resolution", at=at
    )
    assert (stopped.status, stopped.stopped_at) == (ClockStatus.BREACHED, at)


def test_a_failing_handler_does_not_stop_the_sweep(installation):
    calls = []

    @escalation.on_breach("failing_test")
    def broken(clock):
        calls.append(clock.subject_id)
        raise RuntimeError("escalation target is down")

    for n in range(2):
        actions.start_clock(
            installation=installation,
            subject_type="failing_test",
            subject_id=n,
            metric="resolution",
            target_minutes=1,
            started_at=T0,
        )
    assert escalation.sweep(T0 + timedelta(minutes=5))["breached"] == 2
    assert sorted(calls) == ["0", "1"]
    assert SlaClock.objects.filter(subject_type="failing_test", breached_at__isnull=False).count() == 2


def test_attainment_counts_met_and_breached(installation):
    for n, stop_after in enumerate([5, 20, 50]):
        actions.start_clock(
            installation=installation,
            subject_type="service_case",
            subject_id=n,
            metric="first_response",
            target_minutes=30,
            started_at=T0,
        )
        actions.stop_clock(
            installation=installation,
            subject_type="service_case",
            subject_id=n,
            metric="first_response",
            at=T0 + timedelta(minutes=stop_after),
        )
    [row] = selectors.attainment(installation)
    assert (row["met"], row["breached"], row["total"]) == (2, 1, 3)
    assert row["share_met"] == pytest.approx(2 / 3)
