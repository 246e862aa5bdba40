"""The scheduler's loop lock is a lease row (tasks/scheduler.py ``_Lease``)."""

import os
import time

import pytest
from django.db import connection

from tasks import scheduler
from tasks.models import SchedulerLease
from tests.conftest import uses_postgres

needs_postgres = pytest.mark.skipif(
    not uses_postgres(),
    reason="needs PostgreSQL (DATABASE_URL; CI sets it): the lease row is the loop lock of "
    "PostgreSQL deployments (upsert on the database's clock); SQLite runs one scheduler",
)


def _expire_lease(holder: str, seconds_ago: float) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tasks_schedulerlease (name, holder, expires_at) "
            "VALUES ('loop', %s, now() - %s * interval '1 second')",
            [holder, seconds_ago],
        )


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_lease_left_by_a_dead_scheduler_is_taken_once_expired():
    _expire_lease("dead-host:1:abc", -60)  # still valid for a minute
    with scheduler.loop_lock(wait=False) as got:
        assert got is False
    SchedulerLease.objects.filter(name="loop").delete()
    _expire_lease("dead-host:1:abc", 5)  # ran out five seconds ago
    with scheduler.loop_lock(wait=False) as got:
        assert got is True
        lease = SchedulerLease.objects.get(name="loop")
        assert lease.holder != "dead-host:1:abc"
    assert not SchedulerLease.objects.exists()  # released on exit


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_keeps_the_lease_and_notices_when_it_is_lost(settings):
    settings.SCHEDULER_LEASE_SECONDS = 1.5
    with scheduler.loop_lock(wait=False) as got:
        assert got is True
        first = SchedulerLease.objects.get(name="loop").expires_at
        time.sleep(1.2)
        renewed = SchedulerLease.objects.get(name="loop").expires_at
        assert renewed > first  # renewed every half second
        assert scheduler.lease_lost() is False
        # Another scheduler took over (this one stalled past the lease).
        SchedulerLease.objects.filter(name="loop").update(holder="other:2:def")
        for _ in range(40):
            if scheduler.lease_lost():
                break
            time.sleep(0.1)
        assert scheduler.lease_lost() is True
    assert SchedulerLease.objects.get(name="loop").holder == "other:2:def"  # not ours to drop


def test_the_import_lock_key_is_the_same_in_every_process():
    """``hash()`` of a str differs between processes (PYTHONHASHSEED): the key must not."""
    import subprocess
    import sys

    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'crm.settings');"
        "django.setup(); from crm.imports.importer import lock_key; print(lock_key(7, 'leads'))"
    )
    keys = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "SECRET_KEY": "lock-key-test-" + "x" * 50}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        keys.add(out.stdout.strip().splitlines()[-1])
    assert len(keys) == 1 and keys.pop().isdigit()
