"""Helpers of the many-processes test: web, worker and scheduler subprocesses on the
test database, a plain HTTP client, and the audit that counts lost and duplicated
reminders and transitions (a function of its own, so a test can show it counts)."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
from collections import Counter

from django.db import connection

from tests.reliability.helpers import ROOT, kill_group, worker_env

__all__ = ["kill_group"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _popen(args: list[str], *, log, **env) -> subprocess.Popen:
    return subprocess.Popen(
        args,
        cwd=ROOT,
        env=worker_env(**env),
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        start_new_session=True,
    )


def start_web(port: int, *, log=None) -> subprocess.Popen:
    """One web process: gunicorn with one worker of 4 threads on the test database."""
    return _popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "crm.wsgi:application",
            "--workers",
            "1",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "60",
        ],
        log=log,
        CONN_MAX_AGE="60",
    )


def start_scheduler(*, log=None, **env) -> subprocess.Popen:
    """``manage.py run_scheduler``, in its own process group."""
    return _popen([sys.executable, "manage.py", "run_scheduler"], log=log, **env)


def wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the web process on {port} exited ({proc.returncode})"
        try:
            status, _ = request(port, "GET", "/health/", None)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the web process on {port} never answered /health/")


def request(port: int, method: str, path: str, token: str | None, body=None):
    """(status, parsed JSON or None) of one request on a fresh connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json", "Accept-Language": "en"}
    if token:
        headers["Authorization"] = f"Token {token}"
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        data = None
    return response.status, data


def audit(tenant, expected_ids, *, now=None) -> dict:
    """What the reminders and transitions of ``tenant`` came to.

    ``lost``: reminders of ``expected_ids`` not sent with a notification, plus any
    reminder of the tenant due before ``now`` still pending or claimed.
    ``duplicated``: reminders with more than one notification, plus targets of the
    expected reminders notified more than once for the same rule (two reminder
    rows for one due event would each notify once).
    ``transitions_twice``: (object, step, source) applied more than once.
    ``sent_without_notification`` / ``notified_not_sent``: the two must agree.
    """
    from django.utils import timezone

    from crm.activities.models import Notification
    from workflows.models import Reminder, TransitionLog

    now = now or timezone.now()
    expected = set(expected_ids)
    reminders = {
        r["id"]: r
        for r in Reminder.objects.filter(tenant=tenant).values(
            "id", "status", "due_at", "content_type_id", "object_id", "rule"
        )
    }
    per_reminder = Counter(
        Notification.objects.filter(tenant=tenant, reminder__isnull=False).values_list(
            "reminder_id", flat=True
        )
    )
    lost = sorted(
        pk
        for pk in expected
        if pk not in reminders or reminders[pk]["status"] != "sent" or per_reminder[pk] == 0
    )
    open_due = sorted(
        pk
        for pk, r in reminders.items()
        if r["status"] in ("pending", "claimed") and r["due_at"] <= now
    )
    per_target = Counter(
        (r["content_type_id"], r["object_id"], r["rule"])
        for pk, r in reminders.items()
        if per_reminder[pk]
        for _ in range(per_reminder[pk])
    )
    expected_targets = {
        (reminders[pk]["content_type_id"], reminders[pk]["object_id"], reminders[pk]["rule"])
        for pk in expected
        if pk in reminders
    }
    twice = Counter(
        TransitionLog.objects.filter(tenant=tenant).values_list(
            "content_type_id", "object_id", "transition", "source"
        )
    )
    return {
        "lost": lost,
        "open_due": open_due,
        "duplicated": sorted(pk for pk, n in per_reminder.items() if n > 1),
        "targets_twice": sorted(k for k in expected_targets if per_target[k] > 1),
        "sent_without_notification": sorted(
            pk for pk, r in reminders.items() if r["status"] == "sent" and not per_reminder[pk]
        ),
        "notified_not_sent": sorted(
            pk for pk in per_reminder if pk in reminders and reminders[pk]["status"] != "sent"
        ),
        "transitions_twice": sorted(k for k, n in twice.items() if n > 1),
    }


def transition_counts(tenant, triples) -> dict:
    """How many log rows each (process, object id, step) of ``triples`` has."""
    from workflows.models import TransitionLog

    rows = Counter(
        TransitionLog.objects.filter(tenant=tenant).values_list(
            "process", "object_id", "transition"
        )
    )
    return {triple: rows[triple] for triple in triples}


def close_db() -> None:
    connection.close()
