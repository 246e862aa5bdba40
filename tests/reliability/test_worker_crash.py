"""A worker killed with SIGKILL mid-run loses nothing: the scheduler re-enqueues
the claims it held, every reminder is delivered exactly once (one notification
each), in bounded time. Real Redis, real worker processes, the test database
shared with them (PostgreSQL)."""

from __future__ import annotations

import threading
import time
from collections import Counter

import dramatiq
import pytest

from crm.activities.models import Notification
from tasks import scheduler
from tests.conftest import uses_postgres, uses_redis
from tests.reliability.helpers import due_reminders, kill_group, start_worker
from workflows.models import Reminder

N = 5_000  # enough that a loaded machine's poll still sees delivery under way before it ends
DEADLINE = 90  # seconds for the whole delivery, crash included

pytestmark = pytest.mark.skipif(
    not (uses_postgres() and uses_redis()),
    reason="needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL; CI sets both): the killed "
    "worker is a separate process, so it needs a shared database and a real broker",
)


def _count_sent(ids) -> int:
    return Reminder.objects.filter(pk__in=ids, status=Reminder.Status.SENT).count()


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(180)
def test_killed_worker_loses_nothing_and_duplicates_nothing(admin, settings, tmp_path):
    import tasks.actors  # noqa: F401 - the queues the scheduler enqueues on

    settings.SCHEDULER_STALE_CLAIM_SECONDS = 8
    settings.SCHEDULER_BATCH_SIZE = 500
    broker = dramatiq.get_broker()
    broker.flush_all()
    ids = due_reminders(admin, N, per_lead=4)
    assert len(ids) == N

    logs = [open(tmp_path / f"worker{i}.log", "w") for i in range(3)]
    workers = [start_worker(threads=4, log=logs[0]), start_worker(threads=4, log=logs[1])]
    stop = threading.Event()
    ticks = {"due": 0, "stale": 0}

    def run_scheduler():
        # Two schedulers at once, as two machines would run them.
        from django.db import connection

        try:
            while not stop.is_set():
                result = scheduler.tick()
                ticks["due"] += result["due"]
                ticks["stale"] += result["stale"]
                time.sleep(0.2)
        finally:
            connection.close()

    schedulers = [threading.Thread(target=run_scheduler) for _ in range(2)]
    started = time.monotonic()
    try:
        for t in schedulers:
            t.start()
        # Kill one worker (its whole process group) as soon as delivery is under way
        # (on a quiet machine a whole batch of 2,000 can land between two polls).
        while _count_sent(ids) < 1:
            assert time.monotonic() - started < DEADLINE, "delivery never started"
            assert all(w.poll() is None for w in workers), "a worker died on its own"
            time.sleep(0.01)
        killed_at = _count_sent(ids)
        kill_group(workers[0])
        assert killed_at < N, "too late: everything was delivered before the kill"
        workers.append(start_worker(threads=4, log=logs[2]))

        while _count_sent(ids) < N:
            assert time.monotonic() - started < DEADLINE, (
                f"only {_count_sent(ids)} of {N} delivered after {DEADLINE}s"
            )
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        time.sleep(1)  # late duplicates, if any, would land now
    finally:
        stop.set()
        for t in schedulers:
            t.join(10)
        for w in workers:
            kill_group(w)
        for log in logs:
            log.close()
        broker.flush_all()

    per_reminder = Counter(
        Notification.objects.filter(reminder_id__in=ids).values_list("reminder_id", flat=True)
    )
    lost = [i for i in ids if per_reminder[i] == 0]
    duplicated = [i for i, n in per_reminder.items() if n > 1]
    assert not lost, f"{len(lost)} reminders never notified"
    assert not duplicated, f"{len(duplicated)} reminders notified twice"
    assert Notification.objects.filter(recipient=admin).count() == N
    assert ticks["due"] == N, "each due reminder claimed by exactly one scheduler tick"
    print(
        f"\n{N} reminders: killed a worker after {killed_at}, all delivered in {elapsed:.1f}s; "
        f"stale claims re-enqueued: {ticks['stale']}"
    )
