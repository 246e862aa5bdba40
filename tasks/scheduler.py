"""The scheduler: claims due reminders and enqueues their delivery in batches.

It wakes at the next due moment (at most every ``SCHEDULER_INTERVAL_SECONDS``,
at least ``SCHEDULER_MIN_INTERVAL_SECONDS`` apart) and sends one
``deliver_reminders`` message per ``SCHEDULER_MESSAGE_SIZE`` claimed ids.

Also re-enqueues claims that were never delivered (a crashed worker, a lost
message) once they are older than ``SCHEDULER_STALE_CLAIM_SECONDS``, and every
``SCHEDULER_IMPORT_RECOVERY_SECONDS`` hands imports whose worker died or whose
message was lost to a worker again (``tasks.imports.recover_stale_imports``).
Running two schedulers is safe: rows are claimed with ``FOR UPDATE SKIP
LOCKED``, imports by a conditional update, and only one scheduler holds the
loop lock at a time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import dramatiq
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django_scopes import scopes_disabled

from workflows.models import Reminder

log = logging.getLogger(__name__)


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


def _not_held(qs):
    """``qs`` without the reminders of modules their company switched off: they stay
    as they are (pending) and are claimed once the module is back on."""
    from crm.core.modules import held_reminders_q

    held = held_reminders_q()
    return qs if held is None else qs.exclude(held)


def tick(now: dt.datetime | None = None) -> dict[str, int]:
    """One pass: claim due reminders, re-claim stale ones, enqueue after commit."""
    return _tick(now)[0]


def batches(ids: list[int], size: int) -> list[list[int]]:
    """``ids`` in as few messages of at most ``size`` as possible, of even sizes
    (so the workers share a tick's claims evenly)."""
    if not ids:
        return []
    count = -(-len(ids) // max(1, size))
    per, extra = divmod(len(ids), count)
    out, start = [], 0
    for n in range(count):
        end = start + per + (1 if n < extra else 0)
        out.append(ids[start:end])
        start = end
    return out


def next_due_in(now: dt.datetime | None = None) -> float | None:
    """Seconds until the next pending reminder is due (<= 0: already due); None if none."""
    from django.db.models import Min

    now = now or timezone.now()
    with scopes_disabled():
        first = _not_held(Reminder.objects.filter(status=Reminder.Status.PENDING)).aggregate(
            first=Min("due_at")
        )["first"]
    return None if first is None else (first - now).total_seconds()


def pause(interval: float, elapsed: float) -> float:
    """How long the loop sleeps after a tick that emptied what was due: until the next
    reminder is due, within [SCHEDULER_MIN_INTERVAL_SECONDS, interval] from the tick's start
    (new rows due sooner are seen within ``interval``)."""
    floor = min(settings.SCHEDULER_MIN_INTERVAL_SECONDS, interval)
    wait = interval
    try:
        due_in = next_due_in()
    except Exception:  # a database hiccup: fall back to the plain interval
        log.warning("cannot read the next due moment", exc_info=True)
        due_in = None
    if due_in is not None:
        wait = min(interval, max(floor, due_in))
    return max(0.0, wait - elapsed)


def _tick(now: dt.datetime | None = None) -> tuple[dict[str, int], bool]:
    """``tick()``, and whether the pass filled the room it had (more may be due)."""
    from tasks.reminders import deliver_reminders

    now = now or timezone.now()
    size = max(1, settings.SCHEDULER_MESSAGE_SIZE)
    # Backpressure: claim no more than the workers have room for, so a claim is
    # only "stale" when its message was really lost, not merely queued. A queued
    # message counts as a full batch of reminders.
    room = settings.SCHEDULER_BATCH_SIZE
    backlog = queue_backlog(deliver_reminders.queue_name)
    if backlog is not None:
        room = max(0, min(room, settings.SCHEDULER_MAX_BACKLOG - backlog * size))
    stale_before = now - dt.timedelta(seconds=settings.SCHEDULER_STALE_CLAIM_SECONDS)
    due: list[int] = []
    stale: list[int] = []
    with scopes_disabled():
        if room:
            due = _claim(
                _not_held(Reminder.objects.filter(status=Reminder.Status.PENDING, due_at__lte=now)),
                now,
                room,
            )
        if room - len(due) > 0:
            stale = _claim(
                _not_held(
                    Reminder.objects.filter(
                        status=Reminder.Status.CLAIMED, claimed_at__lt=stale_before
                    )
                ),
                now,
                room - len(due),
            )
    for batch in batches(due + stale, size):
        deliver_reminders.send(batch)
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


class Periodic:
    """Housekeeping the loop runs every ``every`` seconds (first on its first pass).

    ``every`` <= 0 turns it off. A failure is logged; the next period retries.
    """

    def __init__(
        self,
        name: str,
        fn: Callable[[], object],
        every: float,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.name = name
        self.fn = fn
        self.every = every
        self.clock = clock
        self.next_at: float | None = None

    def run_if_due(self):
        """Run ``fn`` if its period has come; returns its result (None when not run)."""
        if self.every <= 0:
            return None
        now = self.clock()
        if self.next_at is not None and now < self.next_at:
            return None
        self.next_at = now + self.every
        try:
            return self.fn()
        except Exception:  # the loop must survive; the next period retries
            log.exception("scheduler housekeeping %r failed", self.name)
            return None


def recover_imports() -> list[int]:
    """Re-enqueue imports with a stale heartbeat (dead worker) or a lost message."""
    from tasks.imports import recover_stale_imports

    ids = recover_stale_imports()
    if ids:
        log.warning("re-enqueued %d stale imports: %s", len(ids), ids)
    return ids


def check_plans() -> None:
    """Enqueue the daily "submit your plan" check (idempotent: tasks/plans.py)."""
    from tasks.plans import check_missing_plans

    check_missing_plans.send()


def check_care() -> None:
    """Enqueue the daily care tick (idempotent: tasks/care.py)."""
    from tasks.care import run_care_tick

    run_care_tick.send()


def messaging_tick() -> dict:
    """Deliveries due or stale, mass sends to start or complete (tasks/messaging.py)."""
    from tasks.messaging import tick as messaging

    return messaging()


def purge_sync() -> dict:
    """Forget offline operation ids past their tenant's days, and old change-log rows."""
    from crm.sync.services import purge

    return purge()


def housekeeping() -> list[Periodic]:
    """The periodic chores of one scheduler loop."""
    return [
        Periodic("imports", recover_imports, settings.SCHEDULER_IMPORT_RECOVERY_SECONDS),
        Periodic("plans", check_plans, settings.SCHEDULER_PLAN_CHECK_SECONDS),
        Periodic("care", check_care, settings.SCHEDULER_CARE_SECONDS),
        Periodic("messaging", messaging_tick, settings.SCHEDULER_MESSAGING_SECONDS),
        Periodic("sync", purge_sync, getattr(settings, "SCHEDULER_SYNC_PURGE_SECONDS", 3600.0)),
    ]


class _Lease:
    """The scheduler's loop lock on PostgreSQL: a row with a lease, kept by a heartbeat.

    Why not an advisory lock: a session-level ``pg_advisory_lock`` belongs to the
    server connection, and behind PgBouncer in transaction mode the scheduler
    gets a different server connection for each transaction (the lock would
    stay behind on one it no longer uses, or be released by nobody). An xact
    lock held per tick would let two schedulers alternate between ticks.

    So the lock is the row ``SchedulerLease(name="loop")``: taken with one
    upsert when it is free or expired (``expires_at`` is the database's clock,
    so hosts' clocks do not matter), renewed every third of
    ``SCHEDULER_LEASE_SECONDS`` by a thread, deleted on release. Every
    statement is its own short transaction. A scheduler that stalls longer
    than the lease loses it: another takes over, and the stalled one sees
    ``lost`` at its next pass and goes back to waiting. (Two ticks overlapping
    for that moment stay safe: reminders are claimed with ``SKIP LOCKED``.)
    """

    NAME = "loop"

    def __init__(self, seconds: float):
        self.seconds = max(1.0, float(seconds))
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO tasks_schedulerlease (name, holder, expires_at) "
                "VALUES (%s, %s, now() + %s * interval '1 second') "
                "ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, "
                "expires_at = EXCLUDED.expires_at "
                "WHERE tasks_schedulerlease.expires_at < now() "
                "OR tasks_schedulerlease.holder = EXCLUDED.holder "
                "RETURNING holder",
                [self.NAME, self.holder, self.seconds],
            )
            return cursor.fetchone() is not None

    def renew(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE tasks_schedulerlease SET expires_at = now() + %s * interval '1 second' "
                "WHERE name = %s AND holder = %s",
                [self.seconds, self.NAME, self.holder],
            )
            return cursor.rowcount == 1

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.seconds)
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM tasks_schedulerlease WHERE name = %s AND holder = %s",
                [self.NAME, self.holder],
            )

    def start_heartbeat(self) -> None:
        self._thread = threading.Thread(target=self._beat, name="scheduler-lease", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.seconds / 3):
                try:
                    if not self.renew():
                        log.error("scheduler lease lost to another scheduler")
                        self.lost.set()
                        return
                except Exception:  # the database is away: retry until the lease runs out
                    log.exception("scheduler lease renewal failed")
        finally:
            connection.close()  # this thread's own connection


_current: _Lease | None = None


def lease_lost() -> bool:
    """True when this process's scheduler lost its lease (see ``_Lease``)."""
    return _current is not None and _current.lost.is_set()


@contextlib.contextmanager
def loop_lock(wait: bool = True) -> Iterator[bool]:
    """Hold the scheduler lock: a lease row on PostgreSQL (``_Lease``), a file lock on SQLite."""
    global _current
    if connection.vendor == "postgresql":
        lease = _Lease(settings.SCHEDULER_LEASE_SECONDS)
        while not lease.acquire():
            if not wait:
                yield False
                return
            time.sleep(1)
        lease.start_heartbeat()
        _current = lease
        try:
            yield True
        finally:
            _current = None
            lease.release()
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
    chores = housekeeping()
    while stop is None or not stop.is_set():
        log.info("scheduler waiting for the loop lock")
        with loop_lock(wait=True):
            log.info("scheduler running (every %.1fs)", interval)
            _loop(interval, chores, stop)


def _loop(interval: float, chores: list[Periodic], stop) -> None:
    """Tick until stopped or until the lease is lost (then the caller waits again)."""
    while (stop is None or not stop.is_set()) and not lease_lost():
        started = time.monotonic()
        full = False
        try:
            full = _tick()[1]
        except Exception:  # the loop must survive a bad tick; the next one retries
            log.exception("scheduler tick failed")
        for chore in chores:
            chore.run_if_due()
        if full:  # more is due than one batch: go on at once (backpressure bounds it)
            time.sleep(0.05)
            continue
        # An Event's wait() returns as soon as it is set (the embedded server stops).
        sleep = getattr(stop, "wait", None) or time.sleep
        sleep(pause(interval, time.monotonic() - started))
