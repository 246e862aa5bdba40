"""Mass send benchmark: a 群发 SMS to N recipients through a local recording SMS
gateway (a separate process), 2 worker processes (8 threads each) on Redis, the
scheduler (``manage.py run_scheduler``) handing deliveries over.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shanghui_bench \
    REDIS_URL=redis://127.0.0.1:6379/1 .venv/bin/python -m bench.messaging_bench [--n 20000]

Phases, all in one run on the same Redis and workers:

1. the no-op dramatiq actor's rate (the baseline, measured again after phase 2:
   the baseline is the mean of the two);
2. a mass send of N recipients, no rate limit: deliveries/s from "start" to
   "completed" and over the sending itself (first to last request seen), and the
   CPU per delivery of each process group (workers, gateway, scheduler, the
   database's PostgreSQL backends, Redis) beside the CPU per no-op message;
3. the same with one worker killed (SIGKILL, whole process group) at a third and
   a fresh one started: recipients lost, recipients reached twice, repeats of a
   request in flight (same OutId);
4. a rate limit of ``--rate``/s on the channel: the rate the gateway saw against
   the configured one, and the busiest whole second.

N: ``--n`` or ``BENCH_MASS_N`` (100,000 runs in about 5 minutes on 2 cores).
Writes its figures into bench/results.json (merged with the others').
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from bench.common import (
    ROOT,
    Result,
    child_env,
    configure_env,
    ensure_database,
    free_port,
    process_group,
    say,
    wait_for_port,
    write_results,
)

NOOP = 20_000
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", 3600))


# --- the recording gateway (its own process) -------------------------------------------


def serve(port: int, path: str) -> None:
    """Record ``time phone out_id`` of every POST, answer like Aliyun SendSms.

    A single-threaded asyncio server speaking just the HTTP/1.1 the senders use
    (keep-alive, Content-Length bodies): every request is still parsed and written to
    the log before it is answered, at a fraction of the CPU of ``http.server`` (which
    cost 0.16 ms a request beside the workers on the same two cores). Its answer
    goes in one write with TCP_NODELAY (asyncio's default): ``http.server`` wrote the
    head and the body apart and, with Nagle's algorithm, the body waited for the
    client's delayed ACK, 40 ms a request."""
    import asyncio

    out = open(path, "a", buffering=1)
    body = b'{"Code": "OK", "BizId": "1"}'
    answer = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )

    class Gateway(asyncio.Protocol):
        def connection_made(self, transport):
            self.transport = transport
            self.buffer = b""

        def data_received(self, data):
            self.buffer += data
            while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
                lines = self.buffer[:end].decode("latin-1").split("\r\n")
                length = 0
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                if len(self.buffer) < end + 4 + length:
                    return  # the body is still on its way
                self.buffer = self.buffer[end + 4 + length :]
                query = parse_qs(urlsplit(lines[0].split(" ")[1]).query)
                phone = query.get("PhoneNumbers", ["?"])[0]
                out_id = query.get("OutId", ["?"])[0]
                out.write(f"{time.time():.6f} {phone} {out_id}\n")
                self.transport.write(answer)

    async def main():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Gateway, "127.0.0.1", port, backlog=512)
        await server.serve_forever()

    asyncio.run(main())


def read_log(path: Path) -> list[tuple[float, str, str]]:
    rows = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 3:
            rows.append((float(parts[0]), parts[1], parts[2]))
    return rows


# --- where the CPU goes (Linux /proc) ----------------------------------------------------


def cpu_seconds(groups: dict[str, list[int]], database: str) -> dict[str, float]:
    """CPU seconds (user + system) used so far by each named process group, by the
    PostgreSQL backends of ``database`` and by redis-server (shared with whatever else
    uses it). Empty where /proc is not there."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    by_group = {pgid: name for name, pgids in groups.items() for pgid in pgids}
    out: dict[str, float] = dict.fromkeys([*groups, "postgres", "redis"], 0.0)
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        used = (int(fields[11]) + int(fields[12])) / ticks
        name = by_group.get(int(fields[2]))
        if name is None and cmd.startswith("postgres:") and f" {database} " in cmd:
            name = "postgres"
        elif name is None and "redis-server" in cmd:
            name = "redis"
        if name is not None:
            out[name] += used
    return out


def cpu_per_delivery(before: dict, after: dict, count: int) -> dict[str, float]:
    """ms of CPU per delivery, per process group."""
    return {k: (after[k] - before.get(k, 0.0)) * 1000 / count for k in after if count}


# --- the run ---------------------------------------------------------------------------


def worker_args() -> list[str]:
    return [
        sys.executable,
        "-m",
        "dramatiq",
        "--path",
        str(ROOT),
        "--processes",
        "1",
        "--threads",
        "8",
        "django_dramatiq.setup",
        "django_dramatiq.tasks",
        "tasks.actors",
        "bench.actors",
    ]


def noop_rate() -> float:
    import dramatiq

    from bench.actors import COUNTER, noop

    client = dramatiq.get_broker().client
    client.set(COUNTER, 0)
    start = time.monotonic()
    for _ in range(NOOP):
        noop.send()
    while int(client.get(COUNTER) or 0) < NOOP and time.monotonic() - start < TIMEOUT:
        time.sleep(0.05)
    return int(client.get(COUNTER) or 0) / (time.monotonic() - start)


def company():
    from crm.core import services

    stamp = f"{int(time.time() * 1000)}"
    return services.tenant_signup(
        company=f"群发基准{stamp}",
        username=f"massbench{stamp}",
        password="Bench-pass-1234!",
        email="bench@example.cn",
    )


def make_send(admin, url: str, n: int, label: str, rate: int = 0):
    from crm.messaging import massing, services
    from crm.messaging.models import MessageTemplate
    from tests.messaging.audience import group_with_contacts

    channel = services.channel_create(
        tenant=admin.tenant,
        actor=admin,
        kind="sms",
        name=f"短信{label}",
        endpoint=url,
        secret="bench",
        options={"access_key_id": "AK", "rate_per_second": rate},
    )
    template = MessageTemplate.objects.create(
        tenant=admin.tenant,
        name=f"t{label}",
        channel_kind="sms",
        body="{{联系人}}您好，{{客户名称}}会员日8折。",
        sms_template_code="SMS_1",
        sms_sign_name="商慧",
    )
    group, contacts = group_with_contacts(admin, n, name=f"基准{label}")
    # Fresh statistics, as autovacuum would have them a minute after such an import:
    # with none, the audience query plans a nested loop over a new company's N
    # contacts per contact (1.5 s for 5,000, hours for 100,000).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE customers_customer, customers_contact, customers_customergroup_customers"
        )
    send = massing.mass_send_create(
        tenant=admin.tenant,
        actor=admin,
        name=label,
        channel=channel,
        template=template,
        audience="group",
        group_id=group.pk,
    )
    return send, {c.mobile for c in contacts}


def status(pk: int) -> str:
    from crm.messaging.models import MassSend

    return MassSend.objects.filter(pk=pk).values_list("status", flat=True).get()


def sent(pk: int) -> int:
    from crm.messaging.models import Delivery

    return Delivery.objects.filter(mass_send_id=pk, status="sent").count()


def run_send(admin, send, *, kill=None) -> float:
    """Start ``send`` and wait until it completes; ``kill(sent)`` may act meanwhile."""
    from workflows.engine import transition

    started = time.monotonic()
    transition(model=type(send), pk=send.pk, name="start", tenant=admin.tenant, actor=None)
    while status(send.pk) != "completed":
        if time.monotonic() - started > TIMEOUT:
            say(f"  timeout: {sent(send.pk)} sent")
            return float("nan")
        if kill is not None:
            kill = kill(sent(send.pk))
        time.sleep(0.2)
    return time.monotonic() - started


def audit(rows, phones: set[str], since: float) -> dict:
    mine = [r for r in rows if r[0] >= since and r[1] in phones]
    per_phone = Counter(r[1] for r in mine)
    ids = {}
    for _t, phone, out_id in mine:
        ids.setdefault(phone, set()).add(out_id)
    times = sorted(r[0] for r in mine)
    return {
        "lost": sum(1 for p in phones if per_phone[p] == 0),
        "reached_twice": sum(1 for v in ids.values() if len(v) > 1),
        "repeats": sum(n - 1 for n in per_phone.values()),
        "span": (times[-1] - times[0]) if len(times) > 1 else float("nan"),
        "times": times,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=int(os.environ.get("BENCH_MASS_N", 20_000)))
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--rate-n", type=int, default=3000)
    parser.add_argument("--serve", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(int(args.serve[0]), args.serve[1])
        return 0

    configure_env()
    ensure_database()
    import django

    django.setup()
    import dramatiq
    from django.core.management import call_command
    from django.db import connection
    from django_scopes import scopes_disabled

    import bench.actors  # noqa: F401
    import tasks.actors  # noqa: F401

    call_command("migrate", interactive=False, verbosity=0)
    broker = dramatiq.get_broker()
    broker.flush_all()
    port = free_port()
    gateway_log = ROOT / "var" / "bench-sms-gateway.log"
    gateway_log.write_text("")
    url = f"http://127.0.0.1:{port}/sms"
    env = child_env(
        LOG_LEVEL="WARNING",
        SCHEDULER_MESSAGING_SECONDS="0.5",
        MESSAGING_STALE_CLAIM_SECONDS="15",
        MESSAGING_MAX_BACKLOG="40",
        # As ``manage.py rundramatiq`` runs them: an idle worker polls Redis at least
        # every 100 ms (dramatiq's default, 1 s, held a send's first message up to 1 s).
        dramatiq_worker_timeout=os.environ.get("DRAMATIQ_WORKER_POLL_MAX_MS", "100"),
    )
    logs = [open(ROOT / "var" / f"bench-mass-{name}.log", "w") for name in ("w1", "w2", "w3", "s")]
    results: list[Result] = []
    n = args.n
    with (
        scopes_disabled(),
        process_group(
            [sys.executable, "-m", "bench.messaging_bench", "--serve", str(port), str(gateway_log)],
            env=env,
        ) as gateway,
        process_group(worker_args(), env=env, log=logs[0]) as w1,
        process_group(worker_args(), env=env, log=logs[1]) as w2,
        process_group(
            [sys.executable, "manage.py", "run_scheduler"], env=env, log=logs[3]
        ) as scheduler,
    ):
        groups = {
            "workers": [w1.pid, w2.pid],
            "gateway": [gateway.pid],
            "scheduler": [scheduler.pid],
        }
        database = connection.settings_dict["NAME"]
        wait_for_port(port)
        time.sleep(8)  # both workers up
        loads = {"start": os.getloadavg()[0]}
        cpu0 = cpu_seconds(groups, database)
        before = noop_rate()
        cpu_noop = cpu_per_delivery(cpu0, cpu_seconds(groups, database), NOOP)
        say(f"  no-op actor: {before:.0f} msg/s (load {os.getloadavg()[0]:.1f})")
        admin = company()

        # 2. clean send
        send, phones = make_send(admin, url, n, "plain")
        since = time.time()
        cpu0 = cpu_seconds(groups, database)
        took = run_send(admin, send)
        cpu_send = cpu_per_delivery(cpu0, cpu_seconds(groups, database), n)
        loads["send"] = os.getloadavg()[0]
        plain = audit(read_log(gateway_log), phones, since)
        # The baseline again right after the send: the other work on a shared machine
        # changes within a minute; the mean of the two is the baseline.
        after = noop_rate()
        base = (before + after) / 2
        say(
            f"  no-op actor again: {after:.0f} msg/s (load {os.getloadavg()[0]:.1f}); "
            f"baseline {base:.0f} msg/s"
        )
        rate_total = n / took
        rate_sending = n / plain["span"]
        say(
            f"  mass send {n}: completed in {took:.1f}s = {rate_total:.0f} deliveries/s "
            f"(sending itself {rate_sending:.0f}/s); lost {plain['lost']}, "
            f"repeats {plain['repeats']} (load {loads['send']:.1f}); first request "
            f"{plain['times'][0] - since:.2f}s after the start, the last "
            f"{since + took - plain['times'][-1]:.2f}s before completed; "
            f"{rate_total / base:.0%} of the no-op actor's msg/s "
            f"({rate_sending / base:.0%} while sending)"
        )
        for label, per in (("no-op message", cpu_noop), ("delivery", cpu_send)):
            say(
                f"  CPU per {label}: "
                + ", ".join(f"{k} {v:.3f} ms" for k, v in per.items())
                + f"; all {sum(per.values()):.3f} ms"
            )

        # 3. a worker killed at a third
        send, phones = make_send(admin, url, n, "kill")
        since = time.time()
        state = {"killed_at": None, "w3": None}

        def kill(count):
            if count >= n // 3:
                state["killed_at"] = count
                stop_group_kill(w1)
                state["w3"] = process_group(worker_args(), env=env, log=logs[2])
                state["w3"].__enter__()
                return None
            return kill

        took_kill = run_send(admin, send, kill=kill)
        crash = audit(read_log(gateway_log), phones, since)
        say(
            f"  mass send {n} with a worker killed after {state['killed_at']}: completed in "
            f"{took_kill:.1f}s; lost {crash['lost']}, reached under two ids "
            f"{crash['reached_twice']}, in-flight requests repeated {crash['repeats']}"
        )

        # 4. rate limit
        send, phones = make_send(admin, url, args.rate_n, "rate", rate=args.rate)
        since = time.time()
        run_send(admin, send)
        limited = audit(read_log(gateway_log), phones, since)
        times = limited["times"]
        # The limiter counts whole 1-second windows, and a fast sender spends each
        # window's quota at its start: first-to-last then spans one window fewer than
        # the sends used (a perfect limiter reads (N-1)/(N/rate-1) there, 103.4/s for
        # 3,000 at 100/s). The average is therefore taken over the whole seconds
        # inside the run, like the busiest one; first-to-last is printed beside it.
        first_to_last = (len(times) - 1) / limited["span"]
        seconds = Counter(int(t) for t in times)
        inside = range(min(seconds) + 1, max(seconds))
        achieved = sum(seconds[s] for s in inside) / max(len(inside), 1)
        busiest = max(seconds[s] for s in inside)
        say(
            f"  rate limit {args.rate}/s over {args.rate_n}: {achieved:.1f}/s on average "
            f"over the {len(inside)} whole seconds inside the run (first to last: "
            f"{first_to_last:.1f}/s), busiest whole second {busiest}"
        )
        if state["w3"] is not None:
            state["w3"].__exit__(None, None, None)
    for log in logs:
        log.close()
    broker.flush_all()
    results += [
        Result(
            "no-op actor throughput (messaging bench, mean of before and after the send)",
            base,
            "msg/s",
            "2 workers x 8",
            base,
        ),
        Result(
            f"mass send ({n}): machine load (1 min) at the end of the send",
            loads["send"],
            "runnable",
            "CPU cores",
            os.cpu_count() or 1,
        ),
        Result(
            f"mass send ({n}): deliveries/s, start to completed",
            rate_total,
            "deliveries/s",
            "no-op actor msg/s (same run; target >= 50 %)",
            base,
        ),
        Result(
            f"mass send ({n}): deliveries/s while sending",
            rate_sending,
            "deliveries/s",
            "no-op actor msg/s (same run)",
            base,
        ),
        Result(f"mass send ({n}): duplicates", plain["repeats"], "requests", "zero", 0),
        Result(f"mass send ({n}) worker killed: lost", crash["lost"], "recipients", "zero", 0),
        Result(
            f"mass send ({n}) worker killed: reached twice (distinct ids)",
            crash["reached_twice"],
            "recipients",
            "zero",
            0,
        ),
        Result(
            f"mass send ({n}) worker killed: in-flight requests repeated (same OutId)",
            crash["repeats"],
            "requests",
            "at most the killed worker's threads",
            8,
        ),
        Result(
            "mass send rate limit: achieved rate (whole seconds inside the run)",
            achieved,
            "msg/s",
            "configured",
            args.rate,
        ),
        Result(
            "mass send rate limit: first to last request",
            first_to_last,
            "msg/s",
            "configured (a perfect limiter reads (N-1)/(N/rate-1) here)",
            args.rate,
        ),
        Result("mass send rate limit: busiest second", busiest, "msg", "configured", args.rate),
    ]
    write_results(results)
    print(json.dumps([r.__dict__ for r in results], ensure_ascii=False, indent=1))
    return 0


def stop_group_kill(proc) -> None:
    import signal

    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    proc.wait()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
