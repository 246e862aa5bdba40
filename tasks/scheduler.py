"""The scheduler: claims due reminders every second and enqueues their delivery.

Also re-enqueues claims that were never delivered (a crashed worker, a lost
message) once they are older than ``SCHEDULER_STALE_CLAIM_SECONDS``. Running
two schedulers is safe: rows are claimed with ``FOR UPDATE SKIP LOCKED`` and
only one scheduler holds the loop lock at a time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import dramatiq
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django_scopes import scopes_disabled

from workflows.models import Reminder

log = logging.getLogger(__name__)

LOCK_KEY = 0x5348_4352  # "SHCR": the PostgreSQL advisory lock id of the loop


def _claim(qs, now: dt.datetime, limit: int) -> list[int]:
    with transaction.atomic():
        ids = list(
            qs.order_by("due_at")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            Reminder.objects.filter(pk__in=ids).update(
                status=Reminder.Status.CLAIMED, claimed_at=now, attempts=F("attempts") + 1
            )
    return ids


def tick(now: dt.datetime | None = None) -> dict[str, int]:
    """One pass: claim due reminders, re-claim stale ones, enqueue after commit."""
    return _tick(now)[0]


def _tick(now: dt.datetime | None = None) -> tuple[dict[str, int], bool]:
    """``tick()``, and whether the pass filled the room it had (more may be due)."""
    from tasks.reminders import deliver_reminder

    now = now or timezone.now()
    # Backpressure: claim no more than the workers have room for, so a claim is
    # only "stale" when its message was really lost, not merely queued.
    room = settings.SCHEDULER_BATCH_SIZE
    backlog = queue_backlog(deliver_reminder.queue_name)
    if backlog is not None:
        room = max(0, min(room, settings.SCHEDULER_MAX_BACKLOG - backlog))
    stale_before = now - dt.timedelta(seconds=settings.SCHEDULER_STALE_CLAIM_SECONDS)
    due: list[int] = []
    stale: list[int] = []
    with scopes_disabled():
        if room:
            due = _claim(
                Reminder.objects.filter(status=Reminder.Status.PENDING, due_at__lte=now),
                now,
                room,
            )
        if room - len(due) > 0:
            stale = _claim(
                Reminder.objects.filter(
                    status=Reminder.Status.CLAIMED, claimed_at__lt=stale_before
                ),
                now,
                room - len(due),
            )
    for reminder_id in due + stale:
        deliver_reminder.send(reminder_id)
    if stale:
        log.warning("re-enqueued %d stale reminder claims", len(stale))
    return {"due": len(due), "stale": len(stale)}, room > 0 and len(due) + len(stale) >= room


def queue_backlog(queue_name: str) -> int | None:
    """Messages waiting or in flight on a queue; None when the broker cannot tell."""
    broker = dramatiq.get_broker()
    try:
        if hasattr(broker, "do_qsize"):  # Redis
            return int(broker.do_qsize(queue_name))
        queue = getattr(broker, "queues", {}).get(queue_name)  # in-process StubBroker
        return queue.qsize() if queue is not None else 0
    except Exception:  # a broker hiccup must not stop the scheduler
        log.warning("cannot read the %s queue size", queue_name, exc_info=True)
        return None


@contextlib.contextmanager
def loop_lock(wait: bool = True) -> Iterator[bool]:
    """Hold the scheduler lock: a PostgreSQL advisory lock, or a file lock on SQLite."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            while True:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
                if cursor.fetchone()[0]:
                    break
                if not wait:
                    yield False
                    return
                time.sleep(1)
            try:
                yield True
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
        return
    path = Path(settings.SQLITE_PATH).with_suffix(".scheduler.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        flags = fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB
        try:
            fcntl.flock(handle, flags)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_forever(interval: float | None = None, stop=None) -> None:
    """The loop; ``stop`` is an optional threading.Event for the embedded server."""
    interval = interval or settings.SCHEDULER_INTERVAL_SECONDS
    log.info("scheduler waiting for the loop lock")
    with loop_lock(wait=True):
        log.info("scheduler running (every %.1fs)", interval)
        while stop is None or not stop.is_set():
            started = time.monotonic()
            full = False
            try:
                full = _tick()[1]
            except Exception:  # the loop must survive a bad tick; the next one retries
                log.exception("scheduler tick failed")
            if full:  # more is due than one batch: go on at once (backpressure bounds it)
                time.sleep(0.05)
                continue
            time.sleep(max(0.0, interval - (time.monotonic() - started)))
