"""Shared bits of the benchmarks: Django setup, timing, results, processes."""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
VENV_BIN = ROOT / ".venv" / "bin"
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/shanghui_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"


def configure_env() -> None:
    """PostgreSQL + Redis (the benchmarks measure the production stack)."""
    (ROOT / "var").mkdir(exist_ok=True)  # logs of the servers and workers a bench starts
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    os.environ.setdefault("DRAMATIQ_NAMESPACE", "shanghui-bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    os.environ.setdefault("CONN_MAX_AGE", "600")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("AXES_ENABLED", "0")
    # The settings refuse to start without a key outside DEBUG (not a secret: a bench database).
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "k7Rq2ZxV9mL4pT8wN3bY6cH1fJ5dG0sA" * 2)
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("The benchmarks need PostgreSQL: set DATABASE_URL=postgres://...")


def ensure_database() -> None:
    """Create the benchmark database if it does not exist yet."""
    import psycopg
    from psycopg import sql

    url = os.environ["DATABASE_URL"]
    base, _, name = url.rpartition("/")
    name = name.split("?")[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django() -> None:
    configure_env()
    import django

    django.setup()


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{VENV_BIN}:{env.get('PATH', '/usr/bin:/bin')}"
    env["PYTHONPATH"] = str(ROOT)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 3)


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed(fn, repeat: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


@dataclass
class Result:
    name: str
    value: float
    unit: str
    baseline_name: str
    baseline_value: float
    ratio: float | None = None

    def __post_init__(self):
        self.value = round(float(self.value), 3)
        self.baseline_value = round(float(self.baseline_value), 3)
        if self.ratio is None:
            self.ratio = round(self.value / self.baseline_value, 3) if self.baseline_value else None


def write_results(results: list[Result]) -> list[dict]:
    """Merge into results.json: entries written by others (import_bench.py) stay."""
    existing: list[dict] = []
    if RESULTS.exists():
        try:
            existing = json.loads(RESULTS.read_text())
        except ValueError:
            existing = []
    mine = {r.name for r in results}
    merged = [e for e in existing if e.get("name") not in mine] + [asdict(r) for r in results]
    RESULTS.write_text(json.dumps(merged, ensure_ascii=False, indent=2) + "\n")
    return merged


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


@contextmanager
def process_group(args: list[str], *, env=None, log=None):
    """A subprocess in its own process group, killed (group-wide) on exit."""
    proc = subprocess.Popen(
        args,
        cwd=ROOT,
        env=env or child_env(),
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        stop_group(proc)


def stop_group(proc: subprocess.Popen, timeout: float = 15) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def say(message: str) -> None:
    print(message, flush=True)
