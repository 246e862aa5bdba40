"""Reminders: a burst of due reminders and a steady 1,000 due/s, delivered by the
scheduler and 2 worker processes (8 threads each) on Redis; against a no-op
actor's throughput on the same Redis and workers in the same run. Then the same
burst size delivered by 1, 2 and 4 worker processes, each beside the no-op
actor's rate with as many processes (phase ``procs``).

    python -m bench.reminders_bench [--phases procs] [--results PATH]

runs it alone (the write-benchmark company only, no read seed)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
import time

from bench.common import QUICK, ROOT, Result, child_env, process_group, say

BURST = 10_000 if QUICK else 100_000
STEADY_SECONDS = 10 if QUICK else 30
STEADY_RATE = 1_000  # due per second
NOOP = 20_000 if QUICK else 100_000
N_LEADS = 20_000
LEAD_PREFIX = "提醒基准"
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", 1800))
# BENCH_REMINDER_PHASES=steady runs only the steady phase (e.g. after a long burst).
PHASES = os.environ.get("BENCH_REMINDER_PHASES", "burst,steady,procs").split(",")
# The "procs" phase: one burst of this size (and as many no-op messages) per count.
PROCESS_COUNTS = (1, 2, 4)
PROCS_BURST = int(os.environ.get("BENCH_PROCS_BURST", 10_000 if QUICK else 20_000))
THREADS = 8


def worker_args(processes: int = 2) -> list[str]:
    """What `manage.py rundramatiq --processes N --threads 8` execs, plus the no-op actor."""
    return [
        sys.executable,
        "-m",
        "dramatiq",
        "--path",
        str(ROOT),
        "--processes",
        str(processes),
        "--threads",
        str(THREADS),
        "django_dramatiq.setup",
        "django_dramatiq.tasks",
        "tasks.actors",
        "bench.actors",
    ]


def leads(flow: dict) -> list:
    """New leads owned long enough for their first-contact reminder to be due."""
    from crm.customers.models import Lead

    tenant, owners = flow["tenant"], flow["owners"]
    qs = Lead.objects.filter(tenant=tenant, company_name__startswith=LEAD_PREFIX)
    if qs.count() != N_LEADS:
        qs.delete()
        past = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
        Lead.objects.bulk_create(
            (
                Lead(
                    tenant=tenant,
                    company_name=f"{LEAD_PREFIX}{i}",
                    owner=owners[i % len(owners)],
                    owned_since=past,
                    created_by=owners[0],
                )
                for i in range(N_LEADS)
            ),
            batch_size=5000,
        )
        qs.update(created_at=past)
    return list(qs.select_related("tenant").order_by("id"))


def clear(flow: dict) -> None:
    """Delete the company's reminders and notifications. A delivery still under way
    may insert a notification between the two deletes (a foreign key error): again."""
    from django.db import IntegrityError, connection, transaction

    for attempt in range(5):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                for table in ("activities_notification", "workflows_reminder"):
                    cursor.execute(f"DELETE FROM {table} WHERE tenant_id = %s", [flow["tenant"].pk])
            return
        except IntegrityError:
            if attempt == 4:
                raise
            time.sleep(0.5)


def make_reminders(flow: dict, targets: list, due_times: list[dt.datetime]) -> None:
    """Reminder rows (COPY) for ``targets`` round-robin, one per due time."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from crm.customers.models import Lead

    content_type = ContentType.objects.get_for_model(Lead).pk
    tenant_id = flow["tenant"].pk
    now = dt.datetime.now(dt.UTC)
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(
            "COPY workflows_reminder (tenant_id, content_type_id, object_id, rule, state, "
            "due_at, recipient_id, status, attempts, created_at, note) FROM STDIN"
        ) as copy:
            for i, due in enumerate(due_times):
                lead = targets[i % len(targets)]
                copy.write_row(
                    (
                        tenant_id,
                        content_type,
                        lead.pk,
                        "lead.first_contact",
                        "new",
                        due,
                        lead.owner_id,
                        "pending",
                        0,
                        now,
                        "",
                    )
                )


def wait_sent(flow: dict, expected: int, started: float) -> float:
    """Seconds until ``expected`` reminders of the tenant are sent (or TIMEOUT)."""
    from workflows.models import Reminder

    qs = Reminder.objects.filter(tenant=flow["tenant"], status=Reminder.Status.SENT)
    while True:
        sent = qs.count()
        if sent >= expected:
            return time.monotonic() - started
        if time.monotonic() - started > TIMEOUT:
            say(f"  timeout: {sent}/{expected} sent")
            return float("nan")
        time.sleep(0.25)


def audit(flow: dict) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FILTER (WHERE status <> 'sent'),
                   count(*),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY {LATE}),
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY {LATE}),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY {CLAIM}),
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY {CLAIM}),
                   min(due_at), max(sent_at)
            FROM workflows_reminder WHERE tenant_id = %s
            """.replace("{LATE}", "extract(epoch FROM sent_at - due_at)").replace(
                "{CLAIM}", "extract(epoch FROM claimed_at - due_at)"
            ),
            [flow["tenant"].pk],
        )
        not_sent, total, p50, p99, claim50, claim99, first_due, last_sent = cursor.fetchone()
        cursor.execute(
            """
            SELECT count(*) FROM (
              SELECT reminder_id FROM activities_notification
              WHERE tenant_id = %s GROUP BY reminder_id HAVING count(*) > 1) d
            """,
            [flow["tenant"].pk],
        )
        duplicated = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM workflows_reminder r WHERE r.tenant_id = %s AND NOT EXISTS "
            "(SELECT 1 FROM activities_notification n WHERE n.reminder_id = r.id)",
            [flow["tenant"].pk],
        )
        without_notification = cursor.fetchone()[0]
    return {
        "lost": max(not_sent, without_notification),
        "total": total,
        "p50": p50 or 0.0,
        "p99": p99 or 0.0,
        # The scheduler's share of the lateness (due -> claimed and enqueued).
        "claim_p50": claim50 or 0.0,
        "claim_p99": claim99 or 0.0,
        "duplicated": duplicated,
        "first_due": first_due,
        "last_sent": last_sent,
    }


def noop_throughput(count: int = NOOP) -> float:
    import dramatiq

    from bench.actors import COUNTER, noop

    client = dramatiq.get_broker().client
    client.set(COUNTER, 0)
    start = time.monotonic()
    for _ in range(count):
        noop.send()
    while int(client.get(COUNTER) or 0) < count:
        if time.monotonic() - start > TIMEOUT:
            break
        time.sleep(0.05)
    return int(client.get(COUNTER) or 0) / (time.monotonic() - start)


def warm_up(flow: dict, targets: list) -> float:
    """One reminder due now, delivered: the scheduler and the workers are up (their
    start-up is not part of what the phases measure). Returns the seconds it took."""
    clear(flow)
    make_reminders(flow, targets[:1], [dt.datetime.now(dt.UTC)])
    took = wait_sent(flow, 1, time.monotonic())
    clear(flow)
    return took


def burst_phase(flow: dict, targets: list, noop_rate: float) -> list[Result]:
    """Everything due now: time to deliver all, delivered/s, lost, duplicated."""
    now = dt.datetime.now(dt.UTC)
    make_reminders(flow, targets, [now] * BURST)
    started = time.monotonic()
    elapsed = wait_sent(flow, BURST, started)
    burst = audit(flow)
    if elapsed == elapsed:
        rate = BURST / elapsed
    else:  # timed out: the rate so far (the rest is still pending, not lost)
        rate = (burst["total"] - burst["lost"]) / TIMEOUT
    say(
        f"  burst: {BURST} due now, all delivered in {elapsed:.1f}s = {rate:.0f}/s; "
        f"lost {burst['lost']}, duplicated {burst['duplicated']}"
    )
    return burst_results(elapsed, rate, noop_rate, burst["lost"], burst["duplicated"])


def burst_results(elapsed, rate, noop_rate, lost, duplicated, count=BURST) -> list[Result]:
    return [
        Result(
            f"reminders burst ({count}): time to deliver all",
            elapsed,
            "s",
            "no-op actor: time for the same count",
            count / noop_rate,
        ),
        Result(
            "reminders burst: delivered/s",
            rate,
            "msg/s",
            "no-op actor msg/s (same Redis, same workers)",
            noop_rate,
        ),
        Result("reminders burst: lost", lost, "reminders", "zero", 0),
        Result("reminders burst: duplicated", duplicated, "reminders", "zero", 0),
    ]


def steady_phase(flow: dict, targets: list) -> list[Result]:
    """1,000 due per second: lateness (sent_at - due_at) p50/p99, lost, duplicated."""
    clear(flow)
    count = STEADY_SECONDS * STEADY_RATE
    start_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
    dues = [start_at + dt.timedelta(seconds=i / STEADY_RATE) for i in range(count)]
    make_reminders(flow, targets, dues)
    wait_sent(flow, count, time.monotonic())
    steady = audit(flow)
    say(
        f"  steady {STEADY_RATE}/s for {STEADY_SECONDS}s: lateness p50 "
        f"{steady['p50']:.3f}s, p99 {steady['p99']:.3f}s (of which due -> claimed: p50 "
        f"{steady['claim_p50']:.3f}s, p99 {steady['claim_p99']:.3f}s); lost {steady['lost']}, "
        f"duplicated {steady['duplicated']}"
    )
    return [
        Result(
            "reminders steady 1000/s: lateness p50", steady["p50"], "s", "scheduler interval", 1
        ),
        Result("reminders steady 1000/s: lateness p99", steady["p99"], "s", "target", 2.0),
        Result("reminders steady: lost", steady["lost"], "reminders", "zero", 0),
        Result("reminders steady: duplicated", steady["duplicated"], "reminders", "zero", 0),
    ]


def wait_workers(processes: int, timeout: float = 120) -> float:
    """Seconds until ``processes`` worker processes fetch from Redis (each process's
    broker beats in ``<namespace>:__heartbeats__`` on every fetch)."""
    import dramatiq

    broker = dramatiq.get_broker()
    key = f"{broker.namespace}:__heartbeats__"
    start = time.monotonic()
    since_ms = int(time.time() * 1000)
    while broker.client.zcount(key, since_ms, "+inf") < processes:
        if time.monotonic() - start > timeout:
            raise RuntimeError(f"fewer than {processes} worker processes up after {timeout:.0f}s")
        time.sleep(0.1)
    return time.monotonic() - start


def cpu_seconds(proc) -> float:
    """User + system CPU seconds of a process started by ``process_group`` and its
    children (dramatiq forks one child per worker process)."""
    import psutil

    try:
        root = psutil.Process(proc.pid)
        total = 0.0
        for p in [root, *root.children(recursive=True)]:
            try:
                times = p.cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                pass
        return total
    except psutil.NoSuchProcess:
        return 0.0


def database_cpu_seconds() -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving the bench database (by pid)."""
    import psutil

    name = os.environ["DATABASE_URL"].rpartition("/")[2].split("?")[0]
    out = {}
    for p in psutil.process_iter(["cmdline", "cpu_times"]):
        cmdline = " ".join(p.info["cmdline"] or [])
        if cmdline.startswith("postgres:") and f" {name} " in cmdline and p.info["cpu_times"]:
            out[p.pid] = p.info["cpu_times"].user + p.info["cpu_times"].system
    return out


def procs_phase(flow: dict, targets: list) -> list[Result]:
    """The same burst delivered by 1, 2 and 4 worker processes (8 threads each), each
    beside the no-op actor's rate with as many processes, in the same run."""
    import dramatiq

    broker = dramatiq.get_broker()
    env = child_env(LOG_LEVEL="WARNING")
    rates: dict[int, float] = {}
    results: list[Result] = []
    lost = duplicated = 0
    for n in PROCESS_COUNTS:
        clear(flow)
        broker.flush_all()
        log = open(ROOT / "var" / f"bench-workers-{n}.log", "w")
        sched_log = open(ROOT / "var" / f"bench-scheduler-{n}.log", "w")
        with process_group(worker_args(n), env=env, log=log) as workers:
            boot = wait_workers(n)
            noop_rate = noop_throughput(PROCS_BURST)
            with process_group(
                [sys.executable, "manage.py", "run_scheduler"], env=env, log=sched_log
            ) as scheduler:
                took = warm_up(flow, targets)
                if took != took:  # nan: the warm-up reminder was never sent
                    raise RuntimeError(f"no reminder delivered by {n} worker process(es)")
                make_reminders(flow, targets, [dt.datetime.now(dt.UTC)] * PROCS_BURST)
                cpu = (cpu_seconds(workers), cpu_seconds(scheduler))
                db_before = database_cpu_seconds()
                elapsed = wait_sent(flow, PROCS_BURST, time.monotonic())
                db_after = database_cpu_seconds()
                cpu = (
                    cpu_seconds(workers) - cpu[0],
                    cpu_seconds(scheduler) - cpu[1],
                    sum(t - db_before.get(pid, 0.0) for pid, t in db_after.items()),
                )
                load = os.getloadavg()[0]
            burst = audit(flow)
        log.close()
        sched_log.close()
        rate = PROCS_BURST / elapsed if elapsed == elapsed else float("nan")
        rates[n] = rate
        lost += burst["lost"]
        duplicated += burst["duplicated"]
        say(
            f"  {n} worker process(es) x {THREADS} threads (up in {boot:.1f}s): "
            f"{PROCS_BURST} reminders in {elapsed:.1f}s = {rate:.0f}/s, no-op actor "
            f"{noop_rate:.0f} msg/s; lost {burst['lost']}, duplicated {burst['duplicated']}; "
            f"load {load:.2f}; CPU during the burst: workers {cpu[0]:.1f}s, scheduler "
            f"{cpu[1]:.1f}s, PostgreSQL {cpu[2]:.1f}s of {elapsed * (os.cpu_count() or 1):.1f} "
            "core-seconds"
        )
        plural = "process" if n == 1 else "processes"
        results += [
            Result(
                f"reminders/s with {n} worker {plural}",
                rate,
                "msg/s",
                f"no-op actor msg/s with {n} worker {plural}",
                noop_rate,
            ),
            Result(
                f"reminder workers' CPU per 1,000 reminders with {n} worker {plural}",
                cpu[0] * 1000 / PROCS_BURST,
                "s",
                "wall time per 1,000 reminders",
                elapsed * 1000 / PROCS_BURST,
            ),
            Result(
                f"machine load average (1 min) after the {n}-process burst",
                load,
                "runnable",
                "CPU cores",
                os.cpu_count() or 1,
            ),
        ]
    for n in PROCESS_COUNTS[1:]:
        results.append(
            Result(
                f"reminders/s: {n} vs 1 worker process",
                rates[n],
                "msg/s",
                "reminders/s with 1 worker process",
                rates[PROCESS_COUNTS[0]],
            )
        )
    results += [
        Result("reminders per worker count: lost", lost, "reminders", "zero", 0),
        Result("reminders per worker count: duplicated", duplicated, "reminders", "zero", 0),
    ]
    clear(flow)
    broker.flush_all()
    return results


def run(flow: dict) -> list[Result]:
    import dramatiq
    from django_scopes import scopes_disabled

    import bench.actors  # noqa: F401 - declare the bench queue
    import tasks.actors  # noqa: F401

    results: list[Result] = []
    broker = dramatiq.get_broker()
    with scopes_disabled():
        targets = leads(flow)
        clear(flow)
        broker.flush_all()
        if "burst" in PHASES or "steady" in PHASES:
            results += two_process_phases(flow, targets)
        if "procs" in PHASES:
            results += procs_phase(flow, targets)
        clear(flow)
        broker.flush_all()
    return results


def two_process_phases(flow: dict, targets: list) -> list[Result]:
    """The burst and the steady phase on 2 worker processes (what `rundramatiq` runs)."""
    results: list[Result] = []
    log = open(ROOT / "var" / "bench-workers.log", "w")
    env = child_env(LOG_LEVEL="WARNING")
    with process_group(worker_args(), env=env, log=log):
        time.sleep(8)  # boot both worker processes
        noop_rate = noop_throughput()
        say(f"  no-op actor: {noop_rate:.0f} msg/s")
        results.append(
            Result("no-op actor throughput", noop_rate, "msg/s", "notes: 2x8 idle", 2600)
        )
        sched_log = open(ROOT / "var" / "bench-scheduler.log", "w")
        with process_group([sys.executable, "manage.py", "run_scheduler"], env=env, log=sched_log):
            say(f"  scheduler up: first reminder delivered after {warm_up(flow, targets):.1f}s")
            if "burst" in PHASES:
                results += burst_phase(flow, targets, noop_rate)
            if "steady" in PHASES:
                results += steady_phase(flow, targets)
        sched_log.close()
    log.close()
    return results


def main(argv=None) -> int:
    """This benchmark alone: migrate, the write-benchmark company, the phases asked for."""
    global PHASES

    from bench import common

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--phases", default=",".join(PHASES), help="burst,steady,procs")
    parser.add_argument("--results", default=str(common.RESULTS), help="JSON file to merge into")
    args = parser.parse_args(argv)
    PHASES = args.phases.split(",")
    # SIGTERM (timeout, kill) unwinds like Ctrl-C: the worker and scheduler process
    # groups started by ``process_group`` are stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    common.configure_env()
    common.ensure_database()
    common.setup_django()
    from django.core.management import call_command
    from django_scopes import scopes_disabled

    from bench import seed as seeding

    call_command("migrate", interactive=False, verbosity=0)
    with scopes_disabled():
        flow = seeding.flow_tenant()
    say(f"== reminders ({','.join(PHASES)})")
    from bench.run import load_average

    results = [load_average("start"), *run(flow), load_average("end")]
    common.RESULTS = type(common.RESULTS)(args.results)
    common.write_results(results)
    for r in results:
        say(f"  {r.name}: {r.value:g} {r.unit} ({r.baseline_name}: {r.baseline_value:g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
