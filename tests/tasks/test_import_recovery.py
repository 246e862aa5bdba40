"""The scheduler loop heals imports whose worker died or whose message was lost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from crm.customers.models import Customer
from crm.imports.models import ImportFile, ImportJob
from tasks import scheduler
from tests.imports.helpers import csv_bytes

STALE = dt.timedelta(minutes=5)


class OnePass:
    """A ``stop`` event for ``run_forever`` that lets exactly one pass of the loop run."""

    def __init__(self):
        self.checks = 0

    def is_set(self) -> bool:
        # Checked once before taking the scheduler's lease, once per pass inside it.
        self.checks += 1
        return self.checks > 2


def crashed_job(admin, rows: int = 3, *, status=ImportJob.Status.RUNNING) -> ImportJob:
    """A job as a dead worker leaves it: running, heartbeat stale, its message gone."""
    content = csv_bytes([["客户名称"], *[[f"恢复测试公司{status}{i}"] for i in range(rows)]])
    long_ago = timezone.now() - STALE
    job = ImportJob.objects.create(
        tenant=admin.tenant,
        created_by=admin,
        resource="customers",
        filename="lost.csv",
        file_format="csv",
        options={"mapping": {}, "encoding": "", "sheet": "", "add_missing_dictionary": False},
        status=status,
        attempts=1 if status == ImportJob.Status.RUNNING else 0,
        heartbeat_at=long_ago if status == ImportJob.Status.RUNNING else None,
        started_at=long_ago if status == ImportJob.Status.RUNNING else None,
        enqueued_at=long_ago,
    )
    ImportFile.objects.create(job=job, content=content, size=len(content))
    return job


@pytest.mark.django_db(transaction=True)
def test_one_pass_of_the_scheduler_loop_recovers_a_stale_running_import(
    admin, worker, settings, tmp_path
):
    settings.SQLITE_PATH = str(tmp_path / "crm.sqlite3")  # the loop's file lock on SQLite
    job = crashed_job(admin)
    lost = crashed_job(admin, status=ImportJob.Status.PENDING)  # a message that never came
    scheduler.run_forever(interval=0.01, stop=OnePass())
    worker.drain()
    for stuck in (job, lost):
        stuck.refresh_from_db()
        assert stuck.status == ImportJob.Status.SUCCEEDED, stuck.detail
        assert stuck.totals["new"] == 3, stuck.totals
    assert job.attempts == 2  # taken over by a new worker
    assert Customer.objects.filter(tenant=admin.tenant).count() == 6


@pytest.mark.django_db(transaction=True)
def test_live_and_finished_imports_are_left_alone(admin, worker, settings, tmp_path):
    settings.SQLITE_PATH = str(tmp_path / "crm.sqlite3")
    live = crashed_job(admin)
    ImportJob.objects.filter(pk=live.pk).update(heartbeat_at=timezone.now())
    scheduler.run_forever(interval=0.01, stop=OnePass())
    worker.drain()
    live.refresh_from_db()
    assert (live.status, live.attempts) == (ImportJob.Status.RUNNING, 1)
    assert not Customer.objects.filter(tenant=admin.tenant).exists()


def test_the_recovery_runs_every_configured_period():
    clock = {"now": 100.0}
    calls: list[float] = []
    chore = scheduler.Periodic(
        "imports", lambda: calls.append(clock["now"]), 30, clock=lambda: clock["now"]
    )
    for now in (100.0, 101.0, 129.9, 130.0, 131.0, 160.5):
        clock["now"] = now
        chore.run_if_due()
    assert calls == [100.0, 130.0, 160.5]

    off = scheduler.Periodic("imports", lambda: calls.append(-1), 0)
    off.run_if_due()
    assert calls[-1] != -1  # 0 turns it off

    def broken():
        raise RuntimeError("database gone")

    failing = scheduler.Periodic("imports", broken, 30, clock=lambda: clock["now"])
    assert failing.run_if_due() is None  # logged, the loop goes on


def test_the_period_comes_from_the_settings(settings):
    settings.SCHEDULER_IMPORT_RECOVERY_SECONDS = 12.5
    settings.SCHEDULER_PLAN_CHECK_SECONDS = 600.0
    chores = {chore.name: chore for chore in scheduler.housekeeping()}
    assert (chores["imports"].every, chores["imports"].fn) == (12.5, scheduler.recover_imports)
    # The daily "submit your plan" check (tests/activities/test_plans.py) has its own period.
    assert (chores["plans"].every, chores["plans"].fn) == (600.0, scheduler.check_plans)
