"""Group commit of webhook deliveries (PostgreSQL, autocommit): concurrent deliveries share one INSERT and one
commit, each caller hears about its own row only after that commit, and a failed batch stores nothing."""

import threading
import time

import pytest
from django.db import IntegrityError, connection

from saleor_aftersales.webhooks import inbox
from saleor_aftersales.webhooks.models import DeliveryStatus, WebhookDelivery

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def autocommit_installation(transactional_db, jwks):
    from saleor_aftersales.installations.models import Installation

    from ..conftest import TEST_API_URL, TEST_APP_ID

    return Installation.objects.create(
        saleor_api_url=TEST_API_URL,
        saleor_domain="127.0.0.1:9",
        app_id=TEST_APP_ID,
        auth_token="t",
        jwks=jwks,
    )


def _row(installation_id: int, n: int):
    return (installation_id, "CUSTOMER_CREATED", f"{n:064x}", f'{{"n": {n}}}', None, False)


def test_write_batch_counts_a_key_repeated_inside_the_batch_and_across_batches(autocommit_installation):
    a, b = _row(autocommit_installation.pk, 1), _row(autocommit_installation.pk, 2)
    first = inbox.write_batch([a, a, b])
    assert [created for _, created in first] == [True, False, True]
    assert first[0][0] == first[1][0] != first[2][0]
    again = inbox.write_batch([a])
    assert again == [(first[0][0], False)]
    counts = dict(WebhookDelivery.objects.values_list("body_sha256", "duplicates"))
    assert counts == {a[2]: 2, b[2]: 0}
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.RECEIVED}


class _HeldGroupCommit(inbox.GroupCommit):
    """The first leader waits until the test lets it write, so the next callers queue up behind it."""

    def __init__(self):
        super().__init__()
        self.release = threading.Event()
        self.batches: list[int] = []
        self._first = True

    def _write(self, rows):
        self.batches.append(len(rows))
        first, self._first = self._first, False
        if first:
            self.release.wait(10)
        return super()._write(rows)


def _store_concurrently(group, rows, started_first=None):
    results: dict[int, object] = {}

    def store(i, row):
        try:
            results[i] = group.store(row)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=store, args=(i, row)) for i, row in enumerate(rows)]
    threads[0].start()
    deadline = time.monotonic() + 10
    while not group.batches and time.monotonic() < deadline:
        time.sleep(0.001)
    for t in threads[1:]:
        t.start()
    while len(group._queue) < len(rows) and time.monotonic() < deadline:  # all queued behind the held leader
        time.sleep(0.001)
    group.release.set()
    for t in threads:
        t.join(10)
    return results


def test_callers_queued_behind_a_write_share_the_next_statement(autocommit_installation):
    group = _HeldGroupCommit()
    pk = autocommit_installation.pk
    rows = [_row(pk, 10)] + [_row(pk, n) for n in range(11, 17)] + [_row(pk, 11)]  # 8 callers, one repeat
    results = _store_concurrently(group, rows)
    assert group.batches == [1, 7]  # the held leader alone, then everyone who queued meanwhile: one statement
    assert all(isinstance(r, tuple) for r in results.values()), results
    assert sorted(created for _, created in results.values()) == [False] + [True] * 7
    stored = dict(WebhookDelivery.objects.values_list("body_sha256", "pk"))
    assert len(stored) == 7
    assert {i: results[i][0] for i in results} == {i: stored[row[2]] for i, row in enumerate(rows)}
    assert WebhookDelivery.objects.get(body_sha256=rows[1][2]).duplicates == 1
    # One statement per batch: rows of one batch share the statement's received_at.
    assert WebhookDelivery.objects.values("received_at").distinct().count() == 2


def test_a_failed_batch_fails_every_caller_in_it_and_stores_none_of_it(autocommit_installation):
    group = _HeldGroupCommit()
    pk = autocommit_installation.pk
    no_such_installation = pk + 1000
    rows = [_row(pk, 20), _row(pk, 21), _row(no_such_installation, 22), _row(pk, 23)]
    results = _store_concurrently(group, rows)
    assert group.batches == [1, 3]
    assert isinstance(results[0], tuple) and results[0][1] is True
    assert all(isinstance(results[i], IntegrityError) for i in (1, 2, 3)), results
    assert list(WebhookDelivery.objects.values_list("body_sha256", flat=True)) == [rows[0][2]]
    # The group is usable afterwards: the next caller leads a new batch.
    group.release.set()
    assert group.store(_row(pk, 21))[1] is True


def test_many_threads_through_the_shared_group_lose_nothing(autocommit_installation):
    pk = autocommit_installation.pk
    rows = [_row(pk, 100 + n % 40) for n in range(80)]  # 40 distinct deliveries, each sent twice
    results: list[tuple[int, bool]] = []
    lock = threading.Lock()

    def worker(chunk):
        for row in chunk:
            result = inbox._group_commit.store(row)
            with lock:
                results.append(result)
        connection.close()

    threads = [threading.Thread(target=worker, args=(rows[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 80
    assert sum(created for _, created in results) == 40
    assert WebhookDelivery.objects.count() == 40
    assert sum(WebhookDelivery.objects.values_list("duplicates", flat=True)) == 40
