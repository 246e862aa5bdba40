"""The reminder, import and scheduler-lock suites through a real PgBouncer in
transaction mode (the production shape of docs/scaling.md).

Transaction pooling hands each transaction whichever server connection is free,
so anything kept in a session (a session-level advisory lock, ``SET``, a WITH
HOLD server-side cursor) breaks or leaks. The suites run in a pytest subprocess
whose DATABASE_URL points at the bouncer; its test database is created through
the bouncer too (``*`` in ``[databases]``).
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest

from tests.conftest import uses_postgres

PGBOUNCER = shutil.which("pgbouncer") or (
    "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
)
SUITES = [
    "tests/workflows/test_reminders.py",
    "tests/imports/test_jobs.py",
    "tests/reliability/test_scheduler.py::test_a_second_scheduler_waits_for_the_loop_lock",
    "tests/tasks/test_commands.py::test_a_second_scheduler_waits_for_the_loop_lock",
    "tests/scale/test_scheduler_lease.py::test_a_lease_left_by_a_dead_scheduler_is_taken_once_expired",
    "tests/scale/test_scheduler_lease.py::test_the_heartbeat_keeps_the_lease_and_notices_when_it_is_lost",
]
FRESH_DB = ["--reuse-db", "--create-db"]
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(
        PGBOUNCER is None and not os.environ.get("CI"),
        reason="needs pgbouncer (Debian package; .ci/run installs it): the suite runs through it",
    ),
    pytest.mark.skipif(
        not uses_postgres() and not os.environ.get("CI"),
        reason="needs PostgreSQL (DATABASE_URL; CI sets it): PgBouncer pools PostgreSQL "
        "connections, and the suite runs against one",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _drop(server: str, name: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def bouncer():
    url = urlparse(os.environ.get("DATABASE_URL", ""))
    if url.scheme not in ("postgres", "postgresql"):
        pytest.fail("the PgBouncer suite needs DATABASE_URL pointing at PostgreSQL")
    assert PGBOUNCER, "CI is set but pgbouncer is not installed (.ci/run installs it)"
    user = url.username or "postgres"
    server = f"postgres://{user}@{url.hostname or '127.0.0.1'}:{url.port or 5432}"
    port = _free_port()
    # World-readable: pgbouncer refuses to run as root and drops to postgres.
    home = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    home.chmod(0o755)
    (home / "userlist.txt").write_text(f'"{user}" ""\n')
    (home / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={url.hostname or '127.0.0.1'} port={url.port or 5432}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {home / 'userlist.txt'}\n"
        "pool_mode = transaction\n"
        # Few server connections for many clients: sessions really are shared.
        "default_pool_size = 4\nmax_client_conn = 200\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
    )
    for path in home.iterdir():
        path.chmod(0o644)
    command = [PGBOUNCER, str(home / "pgbouncer.ini")]
    if os.geteuid() == 0:
        command[1:1] = ["-u", "postgres"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    name = f"{(url.path or '/test').lstrip('/')}_bouncer"
    _drop(server, f"test_{name}")  # a previous run's, if it was interrupted
    try:
        for _ in range(50):
            try:
                with psycopg.connect(f"postgres://{user}@127.0.0.1:{port}/postgres"):
                    break
            except psycopg.OperationalError:
                assert process.poll() is None, process.stdout.read().decode()
                time.sleep(0.1)
        yield f"postgres://{user}@127.0.0.1:{port}/{name}"
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(home, ignore_errors=True)
        _drop(server, f"test_{name}")


def test_the_reminder_import_and_scheduler_suites_pass_through_pgbouncer(bouncer):
    env = {**os.environ, "DATABASE_URL": bouncer, "DATABASE_POOLER": "pgbouncer"}
    env.pop("DATABASE_REPLICA_URL", None)
    # --reuse-db: the test database is created through the bouncer and kept at
    # the end (PgBouncer's pooled server connections would block its DROP; the
    # fixture drops it once the bouncer is gone). --create-db: fresh each run.
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *FRESH_DB, *SUITES],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    assert " passed" in run.stdout and " failed" not in run.stdout
