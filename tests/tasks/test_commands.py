"""Management commands: run_scheduler, load_demo (in tasks: the demo spans every app),
rundramatiq; the scheduler lock."""

from __future__ import annotations

import datetime as dt
import os
import threading
from io import StringIO

import dramatiq
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from crm.core.models import Tenant, User
from crm.customers.models import Customer, Lead
from fixtures import accounts, demo
from tasks import scheduler
from tests.conftest import uses_redis
from tests.customers.leads import new_lead
from workflows.models import Reminder


@pytest.fixture
def clean_broker():
    import tasks.actors  # noqa: F401 - declare the queues

    broker = dramatiq.get_broker()
    broker.flush_all()
    yield broker
    broker.flush_all()


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_run_scheduler_once_claims_due_reminders(admin, clean_broker):
    assert run("run_scheduler", "--once").strip() == "due=0 stale=0"
    lead = new_lead(admin)
    first = Reminder.objects.filter(object_id=lead.pk, rule="lead.first_contact")
    first.update(due_at=timezone.now() - dt.timedelta(minutes=1))
    assert run("run_scheduler", "--once").strip() == "due=1 stale=0"
    reminder = first.get()
    assert (reminder.status, reminder.attempts) == ("claimed", 1)
    assert reminder.claimed_at is not None
    # safe to run twice: the claimed row is not claimed again
    assert run("run_scheduler", "--once").strip() == "due=0 stale=0"


@pytest.mark.django_db
def test_tick_enqueues_the_claimed_reminders_in_batches(admin, clean_broker, settings):
    settings.SCHEDULER_MESSAGE_SIZE = 2
    lead = new_lead(admin)
    rows = Reminder.objects.filter(object_id=lead.pk, state="new")
    assert rows.count() == 3  # first contact, pool warning, auto pool (no leader)
    now = max(r.due_at for r in rows) + dt.timedelta(seconds=1)
    assert scheduler.tick(now=now) == {"due": 3, "stale": 0}
    assert scheduler.queue_backlog("reminders") == 2  # messages of 2 and 1 ids
    if not uses_redis():
        queue = clean_broker.queues["reminders"]
        decoded = []
        for _ in range(2):
            decoded.append(dramatiq.Message.decode(queue.get_nowait()))
            queue.task_done()  # else a later worker's join() waits for it forever
        assert {m.actor_name for m in decoded} == {"deliver_reminders"}
        assert sorted(len(m.args[0]) for m in decoded) == [1, 2]
        assert sorted(i for m in decoded for i in m.args[0]) == sorted(r.pk for r in rows)


@pytest.mark.django_db(transaction=True)
def test_a_second_scheduler_waits_for_the_loop_lock(settings, tmp_path):
    settings.SQLITE_PATH = str(tmp_path / "crm.sqlite3")
    held, release, done = threading.Event(), threading.Event(), threading.Event()

    def first_scheduler():
        try:
            with scheduler.loop_lock(wait=True) as got:
                assert got
                held.set()
                release.wait(10)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=first_scheduler)
    thread.start()
    assert held.wait(10)
    with scheduler.loop_lock(wait=False) as got:
        assert got is False
    release.set()
    assert done.wait(10)
    thread.join(10)
    with scheduler.loop_lock(wait=False) as got:
        assert got is True


@pytest.mark.django_db
def test_load_demo_loads_once_and_is_idempotent():
    first = run("load_demo")
    assert demo.DEMO_PASSWORD in first
    tenant = Tenant.objects.get(name=demo.DEMO_COMPANY)
    counts = (
        User.objects.filter(tenant=tenant).count(),
        Customer.objects.filter(tenant=tenant).count(),
        Lead.objects.filter(tenant=tenant).count(),
    )
    # ~200 customers (and those the converted leads became), leads in every state
    assert counts[0] == 1 + len(demo.DEMO_USERS)
    assert accounts.CUSTOMERS <= counts[1] <= accounts.CUSTOMERS + accounts.LEADS["converted"]
    assert counts[2] == sum(accounts.LEADS.values())
    assert Lead.objects.filter(tenant=tenant, status="contacted").exists()
    demo_admin = User.objects.get(username="demo")
    assert demo_admin.check_password(demo.DEMO_PASSWORD)

    run("load_demo")
    run("load_demo", "--if-empty")
    assert Tenant.objects.filter(name=demo.DEMO_COMPANY).count() == 1
    assert (
        User.objects.filter(tenant=tenant).count(),
        Customer.objects.filter(tenant=tenant).count(),
        Lead.objects.filter(tenant=tenant).count(),
    ) == counts


@pytest.mark.django_db
def test_load_demo_if_empty_skips_when_a_company_exists(admin):
    run("load_demo", "--if-empty")
    assert not Tenant.objects.filter(name=demo.DEMO_COMPANY).exists()


def test_rundramatiq_refuses_without_redis(monkeypatch):
    from tasks.management.commands import rundramatiq

    monkeypatch.setattr(rundramatiq, "is_in_process", lambda: True)  # as without REDIS_URL
    with pytest.raises(CommandError) as exc:
        call_command("rundramatiq")
    assert "REDIS_URL" in str(exc.value)


@pytest.mark.skipif(
    not uses_redis(),
    reason="needs Redis (REDIS_URL; CI sets it): the command waits for its broker to "
    "answer before it starts the worker processes",
)
def test_rundramatiq_workers_poll_an_idle_queue_at_least_every_100_ms(monkeypatch, settings):
    """The exec'd worker processes get the poll cap in their environment."""
    from tasks.management.commands import rundramatiq

    execs = []
    monkeypatch.setattr(rundramatiq, "is_in_process", lambda: False)
    environ = {k: v for k, v in os.environ.items() if k != "dramatiq_worker_timeout"}
    monkeypatch.setattr(os, "environ", environ)
    monkeypatch.setattr(os, "execvp", lambda path, args: execs.append((path, args)))
    call_command("rundramatiq", "--processes", "1", "--threads", "2")
    assert execs and "dramatiq" in " ".join(execs[0][1])
    assert environ["dramatiq_worker_timeout"] == "100"
