"""Helpers of the reliability suite: due reminders in bulk, worker subprocesses."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from crm.customers.models import Lead
from workflows.lead import RULES
from workflows.models import Reminder

ROOT = Path(settings.BASE_DIR)
FIRST_CONTACT = next(r for r in RULES if r.name == "lead.first_contact")


def due_reminders(admin, count: int, *, per_lead: int = 1) -> list[int]:
    """``count`` reminders due now: first-contact reminders of new leads owned by ``admin``
    (bulk-created; each passes delivery's re-checks)."""
    tenant = admin.tenant
    past = timezone.now() - dt.timedelta(days=30)
    n_leads = (count + per_lead - 1) // per_lead
    leads = Lead.objects.bulk_create(
        Lead(
            tenant=tenant,
            company_name=f"提醒测试{i}",
            owner=admin,
            owned_since=past,
            created_by=admin,
        )
        for i in range(n_leads)
    )
    Lead.objects.filter(pk__in=[lead.pk for lead in leads]).update(created_at=past)
    content_type = ContentType.objects.get_for_model(Lead)
    rows = []
    for lead in Lead.objects.filter(pk__in=[lead.pk for lead in leads]).select_related("tenant"):
        due = FIRST_CONTACT.due(lead)
        for _ in range(per_lead):
            if len(rows) < count:
                rows.append(
                    Reminder(
                        tenant=tenant,
                        content_type=content_type,
                        object_id=lead.pk,
                        rule=FIRST_CONTACT.name,
                        state="new",
                        due_at=due,
                        recipient=admin,
                    )
                )
    return [r.pk for r in Reminder.objects.bulk_create(rows)]


def database_url() -> str:
    """The URL of the database the test runs on (the test database), for subprocesses."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


# A key of its own for worker subprocesses (they sign nothing the tests read back).
_WORKER_KEY = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50)


def worker_env(**extra) -> dict[str, str]:
    broker = settings.DRAMATIQ_BROKER["OPTIONS"]
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "crm.settings",
            # Outside the test run the settings refuse to start without a key, or
            # on the public development key the test run itself uses.
            "SECRET_KEY": _WORKER_KEY,
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "DRAMATIQ_NAMESPACE": broker["namespace"],
            "DRAMATIQ_MAINTENANCE_CHANCE": "10",
            "DRAMATIQ_HEARTBEAT_TIMEOUT_MS": "2000",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "LOG_LEVEL": "WARNING",
            "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def start_worker(*, processes: int = 1, threads: int = 4, log=None) -> subprocess.Popen:
    """What ``manage.py rundramatiq`` execs, in its own process group."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dramatiq",
            "--path",
            str(ROOT),
            "--processes",
            str(processes),
            "--threads",
            str(threads),
            "--worker-shutdown-timeout",
            "2000",
            "django_dramatiq.setup",
            "django_dramatiq.tasks",
            "tasks.actors",
        ],
        cwd=ROOT,
        env=worker_env(),
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        start_new_session=True,
    )


def kill_group(proc: subprocess.Popen, sig=signal.SIGKILL) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
