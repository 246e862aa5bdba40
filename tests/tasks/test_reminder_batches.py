"""Batched reminder delivery: the scheduler sends one message per batch of ids, a
worker delivers a batch with a few queries, every reminder exactly once, and a
reminder that fails never holds back the others (it is retried alone)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from smtplib import SMTPRecipientsRefused

import dramatiq
import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.activities.models import Notification
from tasks import scheduler
from tasks.notifications import FAILED as EMAIL_FAILED
from tasks.notifications import email_notifications
from tasks.reminders import deliver_reminders
from tests.conftest import make_user, uses_postgres
from tests.reliability.helpers import FIRST_CONTACT, due_reminders
from workflows import reminders
from workflows.models import Reminder


def notified(ids) -> Counter:
    return Counter(
        Notification.objects.filter(reminder_id__in=ids).values_list("reminder_id", flat=True)
    )


def statuses(ids) -> Counter:
    return Counter(Reminder.objects.filter(pk__in=ids).values_list("status", flat=True))


class Flaky:
    """A rule message that raises for one record, ``times`` times (a transient fault)."""

    def __init__(self, object_id: int, times: int = 1):
        self.object_id = object_id
        self.left = times
        self.real = FIRST_CONTACT.message
        self.lock = threading.Lock()

    def __call__(self, obj):
        with self.lock:
            if obj.pk == self.object_id and self.left > 0:
                self.left -= 1
                raise RuntimeError("transient fault in the rule's message")
        return self.real(obj)


# --- the batch, in process ----------------------------------------------------------


@pytest.mark.django_db
def test_a_batch_is_delivered_with_a_constant_number_of_queries(admin):
    small = due_reminders(admin, 5)
    large = due_reminders(admin, 60)
    with CaptureQueriesContext(connection) as few:
        assert set(reminders.deliver_many(small).values()) == {"sent"}
    with CaptureQueriesContext(connection) as many:
        assert set(reminders.deliver_many(large).values()) == {"sent"}
    # lock the rows, load the leads, insert the notifications, mark them sent
    # (+ savepoint statements inside the test's transaction)
    assert len(many) == len(few) <= 8, [q["sql"] for q in many.captured_queries]
    assert notified(small + large) == Counter({i: 1 for i in small + large})
    assert statuses(small + large) == Counter({"sent": 65})
    note = Notification.objects.get(reminder_id=large[0])
    reminder = Reminder.objects.get(pk=large[0])
    assert (note.recipient_id, note.object_id, note.tenant_id) == (
        admin.pk,
        reminder.object_id,
        admin.tenant_id,
    )
    assert note.link == f"/leads/{reminder.object_id}"
    assert note.title and reminder.sent_at is not None


@pytest.mark.django_db
def test_a_batch_delivered_again_does_nothing_twice(admin):
    ids = due_reminders(admin, 10)
    first = reminders.deliver_many(ids[:6])
    assert set(first.values()) == {"sent"}
    again = reminders.deliver_many([*ids, 987654321])
    assert {i: again[i] for i in ids[:6]} == dict.fromkeys(ids[:6], "done-already")
    assert {i: again[i] for i in ids[6:]} == dict.fromkeys(ids[6:], "sent")
    assert again[987654321] == "done-already"  # missing: nothing to do either
    assert notified(ids) == Counter({i: 1 for i in ids})


@pytest.mark.django_db
def test_a_batch_checks_each_reminder_like_a_single_delivery(admin):
    from crm.customers.models import Lead

    ids = due_reminders(admin, 4)
    left, stale = Reminder.objects.filter(pk__in=ids[:2]).order_by("pk")
    Lead.objects.filter(pk=left.object_id).update(status="contacted")
    # its record's clock moved: the row is stale and gets a successor
    Lead.objects.filter(pk=stale.object_id).update(owned_since=timezone.now())
    outcomes = reminders.deliver_many(ids)
    assert outcomes == {ids[0]: "state-left", ids[1]: "stale", ids[2]: "sent", ids[3]: "sent"}
    left.refresh_from_db()
    stale.refresh_from_db()
    assert (left.status, left.note) == ("cancelled", "state-left")
    assert (stale.status, stale.note) == ("cancelled", "stale")
    successor = Reminder.objects.get(object_id=stale.object_id, status="pending")
    assert successor.due_at > stale.due_at
    assert notified(ids) == Counter({ids[2]: 1, ids[3]: 1})


@pytest.mark.django_db
def test_a_reminder_whose_rule_fails_does_not_hold_back_the_batch(admin, monkeypatch):
    ids = due_reminders(admin, 8)
    bad = Reminder.objects.get(pk=ids[3])
    monkeypatch.setattr(FIRST_CONTACT, "message", Flaky(bad.object_id))
    outcomes = reminders.deliver_many(ids)
    assert outcomes[bad.pk] == reminders.FAILED
    assert [outcomes[i] for i in ids if i != bad.pk] == ["sent"] * 7
    bad.refresh_from_db()
    assert bad.status == "pending" and bad.sent_at is None  # nothing of it was written
    assert bad.pk not in notified(ids)
    # the fault has passed: delivered alone, once
    assert reminders.deliver(bad.pk) == "sent"
    assert notified(ids) == Counter({i: 1 for i in ids})


@pytest.mark.django_db
def test_a_database_error_in_the_batch_falls_back_to_one_by_one(admin):
    ids = due_reminders(admin, 6)
    broken = Reminder.objects.get(pk=ids[2])
    # A notification exists already (a crashed writer): the bulk insert hits the
    # unique constraint, the batch rolls back and each reminder is delivered alone.
    Notification.objects.create(
        tenant=admin.tenant, recipient=admin, title="left over", reminder=broken
    )
    outcomes = reminders.deliver_many(ids)
    assert outcomes[broken.pk] == reminders.FAILED
    assert [outcomes[i] for i in ids if i != broken.pk] == ["sent"] * 5
    broken.refresh_from_db()
    assert broken.status == "pending"
    assert notified(ids) == Counter({i: 1 for i in ids})
    assert statuses(ids) == Counter({"sent": 5, "pending": 1})


# --- the actors, on a real worker ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_scheduler_and_worker_deliver_in_batches_with_one_email_each(
    admin, worker, settings, monkeypatch
):
    settings.SCHEDULER_MESSAGE_SIZE = 50
    ids = due_reminders(admin, 120)
    mail.outbox.clear()
    sizes: list[int] = []
    real_send = deliver_reminders.send

    def recorded(reminder_ids):
        sizes.append(len(reminder_ids))
        return real_send(reminder_ids)

    monkeypatch.setattr(deliver_reminders, "send", recorded)
    assert scheduler.tick() == {"due": 120, "stale": 0}
    assert sizes == [40, 40, 40]
    worker.drain()
    assert statuses(ids) == Counter({"sent": 120})
    assert notified(ids) == Counter({i: 1 for i in ids})
    assert len(mail.outbox) == 120
    assert {m.to[0] for m in mail.outbox} == {admin.email}
    assert not Notification.objects.filter(reminder_id__in=ids, emailed_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_the_failed_reminder_of_a_batch_is_retried_alone(admin, worker, monkeypatch):
    from tasks.reminders import deliver_reminder

    ids = due_reminders(admin, 10)
    bad = Reminder.objects.get(pk=ids[5])
    monkeypatch.setattr(FIRST_CONTACT, "message", Flaky(bad.object_id))
    singles: list[int] = []
    real_single = deliver_reminder.send

    def recorded(reminder_id):
        singles.append(reminder_id)
        return real_single(reminder_id)

    monkeypatch.setattr(deliver_reminder, "send", recorded)
    deliver_reminders.send(ids)
    worker.drain()
    assert singles == [bad.pk]
    assert statuses(ids) == Counter({"sent": 10})
    assert notified(ids) == Counter({i: 1 for i in ids})


@pytest.mark.django_db(transaction=True)
def test_overlapping_batch_messages_deliver_each_reminder_once(admin, worker):
    ids = due_reminders(admin, 90)
    # A message redelivered, a stale claim re-enqueued in another cut, a single retry.
    deliver_reminders.send(ids[:50])
    deliver_reminders.send(ids[:50])
    deliver_reminders.send(ids[25:])
    deliver_reminders.send(ids[::-1][:40])
    worker.drain()
    assert statuses(ids) == Counter({"sent": 90})
    assert notified(ids) == Counter({i: 1 for i in ids})


@pytest.mark.skipif(
    not uses_postgres(),
    reason="needs PostgreSQL (DATABASE_URL; CI sets it): two worker pools writing at once "
    "need row locks; SQLite serialises writers",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_overlapping_batches_deliver_exactly_once(admin, monkeypatch):
    """Two worker pools race on the same reminders cut into different batches:
    rows are locked in id order, so they wait for each other instead of deadlocking,
    and a row delivered meanwhile is skipped."""
    import tasks.actors  # noqa: F401 - declare every actor and its queue
    from tasks.reminders import deliver_reminder

    singles: list[int] = []
    monkeypatch.setattr(deliver_reminder, "send", singles.append)
    ids = due_reminders(admin, 400, per_lead=2)
    broker = dramatiq.get_broker()
    broker.flush_all()
    workers = [dramatiq.Worker(broker, worker_timeout=100, worker_threads=4) for _ in range(2)]
    for w in workers:
        w.start()
    try:
        for cut in (37, 50, 64):
            for start in range(0, len(ids), cut):
                deliver_reminders.send(ids[start : start + cut])
        deliver_reminders.send(ids[::-1])
        for _ in range(3):
            for queue in list(broker.get_declared_queues()):
                broker.join(queue, timeout=60_000)
            for w in workers:
                w.join()
    finally:
        for w in workers:
            w.stop()
        broker.flush_all()
    assert statuses(ids) == Counter({"sent": 400})
    assert notified(ids) == Counter({i: 1 for i in ids})
    assert singles == []  # no reminder failed (no deadlock) and went to the retry


# --- e-mails in batches ---------------------------------------------------------------


class BouncingBackend(EmailBackend):
    """The in-memory outbox, refusing addresses that contain "bounce"."""

    def send_messages(self, messages):
        for message in messages:
            refused = [a for a in message.to if "bounce" in a]
            if refused:
                raise SMTPRecipientsRefused({a: (550, b"no such user") for a in refused})
        return super().send_messages(messages)


@pytest.mark.django_db
def test_email_batch_sends_each_once_and_leaves_a_refused_one_for_retry(admin, settings):
    settings.EMAIL_BACKEND = f"{__name__}.BouncingBackend"
    bouncing = make_user(admin, "销售代表")
    bouncing.email = "bounce@example.cn"
    bouncing.save(update_fields=["email"])
    silent = make_user(admin, "销售代表")
    silent.email = ""
    silent.save(update_fields=["email"])
    notes = [
        Notification.objects.create(tenant=admin.tenant, recipient=user, title=f"提醒{n}")
        for n, user in enumerate([admin, bouncing, admin, silent])
    ]
    ids = [n.pk for n in notes]
    mail.outbox.clear()
    outcomes = email_notifications(ids)
    assert outcomes == {
        ids[0]: "sent",
        ids[1]: EMAIL_FAILED,
        ids[2]: "sent",
        ids[3]: "no-address",
    }
    assert sorted(m.subject for m in mail.outbox) == ["提醒0", "提醒2"]
    emailed = set(
        Notification.objects.filter(pk__in=ids, emailed_at__isnull=False).values_list(
            "pk", flat=True
        )
    )
    assert emailed == {ids[0], ids[2]}  # the refused one stays due for its retry
    assert email_notifications(ids)[ids[0]] == "skipped"  # never sent twice
    assert len(mail.outbox) == 2


# --- the scheduler loop -------------------------------------------------------------


def test_batches_are_even_and_bounded():
    ids = list(range(1, 121))
    cut = scheduler.batches(ids, 50)
    assert [len(b) for b in cut] == [40, 40, 40]
    assert [i for b in cut for i in b] == ids
    assert [len(b) for b in scheduler.batches(ids[:7], 3)] == [3, 2, 2]
    assert scheduler.batches([], 50) == []
    assert scheduler.batches([5], 50) == [[5]]


@pytest.mark.django_db
def test_the_loop_wakes_at_the_next_due_moment(admin, settings):
    settings.SCHEDULER_MIN_INTERVAL_SECONDS = 0.1
    assert scheduler.pause(1.0, 0.0) == 1.0  # nothing pending: the plain interval
    (reminder_id,) = due_reminders(admin, 1)
    soon = timezone.now() + dt.timedelta(seconds=0.4)
    Reminder.objects.filter(pk=reminder_id).update(due_at=soon)
    assert 0.2 < scheduler.pause(1.0, 0.0) <= 0.4
    assert scheduler.pause(1.0, 0.25) <= 0.15  # the time the tick took counts
    Reminder.objects.filter(pk=reminder_id).update(due_at=timezone.now())
    assert scheduler.pause(1.0, 0.0) == pytest.approx(0.1)  # due: no busier than the floor
    Reminder.objects.filter(pk=reminder_id).update(due_at=timezone.now() + dt.timedelta(hours=1))
    assert scheduler.pause(1.0, 0.0) == 1.0  # far away: new rows are still seen each second
