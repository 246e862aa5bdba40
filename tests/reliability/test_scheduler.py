"""Schedulers running at once never double-deliver; only one holds the loop."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from crm.activities.models import Notification
from tasks import scheduler
from tests.conftest import uses_postgres
from tests.reliability.helpers import due_reminders
from workflows.models import Reminder


def _together(n: int, fn) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list = []

    def run(i):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_claim_each_due_reminder_once(admin, worker, settings):
    settings.SCHEDULER_BATCH_SIZE = 50  # several batches each, interleaved
    ids = due_reminders(admin, 300)

    sent: list[int] = []
    original = scheduler.tick

    def ticks():
        out = {"due": 0, "stale": 0}
        while True:
            result = original()
            out["due"] += result["due"]
            out["stale"] += result["stale"]
            if result["due"] == 0:
                return out

    from tasks.reminders import deliver_reminders

    real_send = deliver_reminders.send
    batches: list[list[int]] = []

    def spy(reminder_ids):
        # Recorded now, sent after the ticks (SQLite's in-memory test database
        # cannot take writes from worker threads while the ticks run).
        batches.append(list(reminder_ids))
        sent.extend(reminder_ids)

    deliver_reminders.send = spy
    try:
        if uses_postgres():
            results = _together(2, ticks)
        else:
            # SQLite's in-memory test database locks whole tables across threads;
            # there the two schedulers' ticks interleave in one thread instead.
            results = [{"due": 0, "stale": 0}, {"due": 0, "stale": 0}]
            for turn in range(len(ids)):
                got = original()
                results[turn % 2]["due"] += got["due"]
                if got["due"] == 0:
                    break
    finally:
        deliver_reminders.send = real_send

    assert sum(r["due"] for r in results) == len(ids)
    assert sorted(sent) == sorted(ids), "each due reminder enqueued exactly once"
    assert all(r["due"] > 0 for r in results) or len(ids) <= 50

    assert max(len(b) for b in batches) <= settings.SCHEDULER_MESSAGE_SIZE
    for batch in batches:
        real_send(batch)
    worker.drain()
    assert Reminder.objects.filter(pk__in=ids, status="sent").count() == len(ids)
    per_reminder = Counter(
        Notification.objects.filter(reminder_id__in=ids).values_list("reminder_id", flat=True)
    )
    assert len(per_reminder) == len(ids)
    assert set(per_reminder.values()) == {1}


@pytest.mark.django_db(transaction=True)
def test_a_second_scheduler_waits_for_the_loop_lock(db):
    held = threading.Event()
    release = threading.Event()
    outcome = {}

    def first():
        with scheduler.loop_lock(wait=False) as got:
            outcome["first"] = got
            held.set()
            release.wait(10)
        connection.close()

    t = threading.Thread(target=first)
    t.start()
    assert held.wait(10)
    with scheduler.loop_lock(wait=False) as got:
        outcome["second"] = got
    release.set()
    t.join(10)
    assert outcome == {"first": True, "second": False}
    with scheduler.loop_lock(wait=False) as got:  # released: the next one gets it
        assert got is True


@pytest.mark.django_db(transaction=True)
def test_delivering_the_same_reminder_twice_notifies_once(admin, worker):
    from tasks.reminders import deliver_reminder

    (reminder_id,) = due_reminders(admin, 1)
    scheduler.tick()
    for _ in range(3):  # a redelivered message, a re-enqueued stale claim...
        deliver_reminder.send(reminder_id)
    worker.drain()
    assert Notification.objects.filter(reminder_id=reminder_id).count() == 1
    assert Reminder.objects.get(pk=reminder_id).status == "sent"
