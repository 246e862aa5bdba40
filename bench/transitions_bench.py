"""Lead transitions through the API: 8 concurrent clients on distinct leads
(transitions/s), and 8 clients racing on one lead per round (one wins, 409s)."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import threading
import time

from bench.api_bench import gunicorn, token_for
from bench.common import QUICK, Result, say
from bench.reminders_bench import cpu_seconds, database_cpu_seconds

CLIENTS = 8
TRANSITIONS = 1_000 if QUICK else 5_000
BASELINE_TRANSITIONS = 200 if QUICK else 500
RACE_ROUNDS = 20 if QUICK else 100
LEAD_PREFIX = "流转基准"


def _post(port: int, token: str, path: str, body: dict | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(
            "POST",
            path,
            body=json.dumps(body or {}),
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def prepare(flow: dict, per_client: int) -> list[list[int]]:
    """``per_client`` new leads owned by each client's user, history cleared."""
    from django.db import connection

    from crm.customers.models import Lead

    tenant, owners = flow["tenant"], flow["owners"][:CLIENTS]
    with connection.cursor() as cursor:
        for table in ("workflows_reminder", "workflows_transitionlog", "core_auditentry"):
            cursor.execute(f"DELETE FROM {table} WHERE tenant_id = %s", [tenant.pk])
    Lead.objects.filter(tenant=tenant, company_name__startswith=LEAD_PREFIX).delete()
    now = dt.datetime.now(dt.UTC)
    leads = []
    for i, owner in enumerate(owners):
        for j in range(per_client + 1):  # one spare each for the engine baseline
            leads.append(
                Lead(
                    tenant=tenant,
                    company_name=f"{LEAD_PREFIX}{i}-{j}",
                    need="CRM",
                    mobile=f"+86136{i:02d}{j:06d}",
                    owner=owner,
                    owned_since=now,
                    created_by=owner,
                )
            )
    Lead.objects.bulk_create(leads, batch_size=2000)
    with connection.cursor() as cursor:
        # Fresh statistics, as a live table has: just after the bulk insert the planner
        # still sees the company's leads as one row and reads a lead by the tenant
        # index, filtering every one of them (0.5 ms of PostgreSQL per read).
        for table in ("customers_lead", "workflows_transitionlog", "workflows_reminder"):
            cursor.execute(f"ANALYZE {table}")
    by_owner: dict[int, list[int]] = {}
    for lead_id, owner_id in (
        Lead.objects.filter(tenant=tenant, company_name__startswith=LEAD_PREFIX)
        .order_by("id")
        .values_list("id", "owner_id")
    ):
        by_owner.setdefault(owner_id, []).append(lead_id)
    return [by_owner[o.pk] for o in owners]


def engine_baseline(flow: dict, lead_ids: list[int]) -> float:
    """The same pool/claim pairs through workflows.engine in-process, one thread."""
    from crm.customers.models import Lead
    from workflows.engine import transition

    tenant, actor = flow["tenant"], flow["owners"][0]
    done = 0
    start = time.perf_counter()
    for lead_id in lead_ids:
        for step in ("pool", "claim"):
            transition(model=Lead, pk=lead_id, name=step, tenant=tenant, actor=actor)
            done += 1
            if done >= BASELINE_TRANSITIONS:
                return done / (time.perf_counter() - start)
    return done / (time.perf_counter() - start)


def run(flow: dict) -> list[Result]:
    from django_scopes import scopes_disabled

    results = []
    with scopes_disabled():
        per_client = TRANSITIONS // (2 * CLIENTS)
        leads = prepare(flow, per_client + BASELINE_TRANSITIONS // (2 * CLIENTS) + 1)
        tokens = [token_for(u) for u in flow["owners"][:CLIENTS]]
        baseline_ids = [ids.pop() for ids in leads for _ in range(BASELINE_TRANSITIONS // 16 + 1)]
        baseline = engine_baseline(flow, baseline_ids)
        race_lead = leads[0].pop()

        with gunicorn() as (_proc, port):
            statuses: list[int] = []
            lock = threading.Lock()

            def client(i: int):
                mine = []
                for lead_id in leads[i][:per_client]:
                    for step in ("pool", "claim"):
                        mine.append(
                            _post(port, tokens[i], f"/api/v1/leads/{lead_id}/transitions/{step}/")
                        )
                with lock:
                    statuses.extend(mine)

            threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
            web_cpu, db_cpu = cpu_seconds(_proc), database_cpu_seconds()
            start = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - start
            web_cpu = cpu_seconds(_proc) - web_cpu
            db_cpu = sum(v - db_cpu.get(pid, 0.0) for pid, v in database_cpu_seconds().items())
            ok = sum(1 for s in statuses if s == 200)
            rate = ok / elapsed
            per = (web_cpu + db_cpu) / max(ok, 1) * 1000
            say(
                f"  transitions: {ok}/{len(statuses)} ok in {elapsed:.1f}s = {rate:.1f}/s "
                f"(engine in-process, 1 thread: {baseline:.1f}/s); CPU per transition "
                f"{per:.1f} ms (gunicorn {web_cpu / max(ok, 1) * 1000:.1f}, "
                f"PostgreSQL {db_cpu / max(ok, 1) * 1000:.1f})"
            )
            results.append(
                Result(
                    "transitions: CPU per transition (gunicorn + PostgreSQL)",
                    per,
                    "ms",
                    "of which PostgreSQL",
                    db_cpu / max(ok, 1) * 1000,
                )
            )
            results.append(
                Result(
                    "transitions: 8 clients, distinct leads",
                    rate,
                    "transitions/s",
                    "engine.transition() in-process, 1 thread",
                    baseline,
                )
            )
            results.append(
                Result("transitions: failed requests", len(statuses) - ok, "requests", "zero", 0)
            )

            # --- 8 clients race on one lead per round ---------------------------------
            race_token = token_for(flow["admin"])
            wins, conflicts, other = 0, 0, 0
            rounds_with_one_winner = 0
            for r in range(RACE_ROUNDS):
                step = "pool" if r % 2 == 0 else "claim"
                barrier = threading.Barrier(CLIENTS)
                got: list[int] = []

                def racer(step=step, barrier=barrier, got=got):
                    barrier.wait()
                    status = _post(
                        port, race_token, f"/api/v1/leads/{race_lead}/transitions/{step}/"
                    )
                    with lock:
                        got.append(status)

                racers = [threading.Thread(target=racer) for _ in range(CLIENTS)]
                for t in racers:
                    t.start()
                for t in racers:
                    t.join()
                w = got.count(200)
                wins += w
                conflicts += got.count(409)
                other += len(got) - w - got.count(409)
                rounds_with_one_winner += w == 1
            say(
                f"  race: {RACE_ROUNDS} rounds x {CLIENTS} clients: {wins} wins, "
                f"{conflicts} x 409, {other} other; rounds with exactly one winner: "
                f"{rounds_with_one_winner}"
            )
            results.append(
                Result(
                    "race on one lead: rounds with exactly one winner",
                    rounds_with_one_winner,
                    "rounds",
                    "rounds",
                    RACE_ROUNDS,
                )
            )
            results.append(
                Result(
                    "race on one lead: 409 responses",
                    conflicts,
                    "responses",
                    "expected 409s (7 per round)",
                    (CLIENTS - 1) * RACE_ROUNDS,
                )
            )
    return results
