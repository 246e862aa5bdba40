"""List and detail API: SQL queries, in-process median, gunicorn + wrk; against
the same page fetched with raw SQL through psycopg."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from contextlib import contextmanager

from bench.common import (
    QUICK,
    ROOT,
    Result,
    child_env,
    free_port,
    median_ms,
    process_group,
    say,
    timed,
    wait_for_port,
)
from bench.seed import SEARCH

LEAD_LIST = "/api/v1/leads/?status=contacted&ordering=-created_at&page_size={n}"
CUSTOMER_SEARCH = "/api/v1/customers/?search=" + SEARCH + "&page_size={n}"
REPEAT = 10 if QUICK else 40
WRK_SECONDS = 5 if QUICK else 20
WARMUP_SECONDS = 5

LEAD_ROWS_SQL = """
SELECT l.id, l.company_name, l.contact_name, l.mobile, l.email, l.credit_code, l.source_id,
       s.label, l.need, l.owner_id, u.full_name, u.username, l.status, l.disqualify_reason,
       l.customer_id, l.activity_count, l.last_activity_at, l.pooled_at, l.version,
       l.created_at, l.updated_at
FROM customers_lead l
LEFT JOIN core_dictionaryitem s ON s.id = l.source_id
LEFT JOIN core_user u ON u.id = l.owner_id
WHERE l.tenant_id = %s AND l.status = 'contacted'
ORDER BY l.created_at DESC LIMIT 50
"""
LEAD_COUNT_SQL = "SELECT count(*) FROM customers_lead WHERE tenant_id = %s AND status = 'contacted'"
CUSTOMER_ROWS_SQL = """
SELECT c.id, c.name, c.kind, c.credit_code, c.industry_id, i.label, c.level_id, v.label,
       c.source_id, s.label, c.region, c.owner_id, u.full_name, u.username, c.phone,
       c.address, c.version, c.created_at, c.updated_at
FROM customers_customer c
LEFT JOIN core_dictionaryitem i ON i.id = c.industry_id
LEFT JOIN core_dictionaryitem v ON v.id = c.level_id
LEFT JOIN core_dictionaryitem s ON s.id = c.source_id
LEFT JOIN core_user u ON u.id = c.owner_id
WHERE c.tenant_id = %s AND c.search_key LIKE %s
ORDER BY c.id DESC LIMIT 50
"""
CUSTOMER_COUNT_SQL = (
    "SELECT count(*) FROM customers_customer WHERE tenant_id = %s AND search_key LIKE %s"
)
LEAD_DETAIL_SQL = """
SELECT l.*, s.label, u.full_name, u.username
FROM customers_lead l
LEFT JOIN core_dictionaryitem s ON s.id = l.source_id
LEFT JOIN core_user u ON u.id = l.owner_id
WHERE l.tenant_id = %s AND l.id = %s
"""


def token_for(user) -> str:
    from crm.core.credentials import issue_token

    return issue_token(user=user, client="bench")[1]


def api_client(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


def count_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches (content types, ...)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return len(ctx.captured_queries)


def raw_page(rows_sql: str, count_sql: str, params_rows, params_count):
    import psycopg

    conn = psycopg.connect(_conninfo(), autocommit=True)

    def fetch():
        with conn.cursor() as cur:
            cur.execute(rows_sql, params_rows)
            cur.fetchall()
            if count_sql:
                cur.execute(count_sql, params_count)
                cur.fetchone()

    try:
        return timed(fetch, REPEAT)
    finally:
        conn.close()


def _conninfo() -> str:
    return os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)


@contextmanager
def gunicorn():
    """2 sync workers, persistent database connections (CONN_MAX_AGE)."""
    port = free_port()
    log = open(ROOT / "var" / "bench-gunicorn.log", "w")
    args = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "crm.wsgi:application",
        "--workers",
        "2",
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    env = child_env(CONN_MAX_AGE="600", DJANGO_DEBUG="0", LOG_LEVEL="WARNING")
    with process_group(args, env=env, log=log) as proc:
        wait_for_port(port)
        yield proc, port
    log.close()


def wrk(port: int, token: str, paths: list[str], seconds: int = WRK_SECONDS) -> dict:
    binary = shutil.which("wrk") or "/usr/bin/wrk"
    env = dict(os.environ, BENCH_TOKEN=token, BENCH_PATHS=",".join(paths))
    out = subprocess.run(
        [
            binary,
            "-t2",
            "-c8",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "30s",
            "-s",
            str(ROOT / "bench" / "wrk.lua"),
            f"http://127.0.0.1:{port}{paths[0]}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("JSON "))
    data = json.loads(line[5:])
    if data["non_2xx"] or data["socket_errors"]:
        say(f"  wrk: {data['non_2xx']} non-2xx, {data['socket_errors']} socket errors")
    return data


def run(seed: dict) -> list[Result]:
    from django.db import connection
    from django_scopes import scopes_disabled

    tenant, admin = seed["tenant"], seed["admin"]
    results: list[Result] = []
    # Settled statistics, as autovacuum leaves them: the import benchmark adds
    # companies with 220,000 customers to this database between runs.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    with scopes_disabled():
        client = api_client(admin)
        token = token_for(admin)
        like = f"%{SEARCH}%"

        # --- SQL queries per request, constant in page size -----------------------
        for label, url in (("lead list", LEAD_LIST), ("customer search", CUSTOMER_SEARCH)):
            counts = {n: count_queries(client, url.format(n=n)) for n in (10, 50, 200)}
            say(f"  {label}: queries by page size {counts}")
            results.append(
                Result(f"{label}: SQL queries (page 50)", counts[50], "queries", "target", 6)
            )
            results.append(
                Result(
                    f"{label}: SQL queries page 200 vs page 10",
                    counts[200],
                    "queries",
                    f"{label}: SQL queries (page 10)",
                    counts[10],
                )
            )
        detail_id = seed["lead_ids"][0]
        detail_queries = count_queries(client, f"/api/v1/leads/{detail_id}/")
        results.append(Result("lead detail: SQL queries", detail_queries, "queries", "target", 5))

        # --- in-process medians against raw SQL -----------------------------------------
        cases = [
            (
                "lead list",
                LEAD_LIST.format(n=50),
                (LEAD_ROWS_SQL, LEAD_COUNT_SQL, [tenant.pk], [tenant.pk]),
            ),
            (
                "customer search",
                CUSTOMER_SEARCH.format(n=50),
                (CUSTOMER_ROWS_SQL, CUSTOMER_COUNT_SQL, [tenant.pk, like], [tenant.pk, like]),
            ),
            (
                "lead detail",
                f"/api/v1/leads/{detail_id}/",
                (LEAD_DETAIL_SQL, None, [tenant.pk, detail_id], None),
            ),
        ]
        raw_ms = {}
        for label, url, (rows_sql, count_sql, p_rows, p_count) in cases:
            api = median_ms(timed(lambda url=url: client.get(url), REPEAT))
            raw = median_ms(raw_page(rows_sql, count_sql, p_rows, p_count))
            raw_ms[label] = raw
            say(f"  {label}: in-process {api} ms, raw SQL {raw} ms")
            results.append(
                Result(
                    f"{label}: in-process median",
                    api,
                    "ms",
                    f"{label}: raw SQL via psycopg",
                    raw,
                )
            )

        # --- gunicorn (2 sync workers) + wrk -t2 -c8 --------------------------------------
        detail_paths = [f"/api/v1/leads/{i}/" for i in seed["lead_ids"][:100]]
        with gunicorn() as (_proc, port):
            # Warm both workers: the first request of a worker imports the URLconf
            # and every API module (seconds on a busy machine).
            # Repeat until both workers answer promptly (cold ones took 30 s here).
            warm = [LEAD_LIST.format(n=50), CUSTOMER_SEARCH.format(n=50), *detail_paths[:5]]
            for _ in range(12):
                data = wrk(port, token, warm, seconds=WARMUP_SECONDS)
                if data["requests"] >= 8 and data["p99_ms"] < 5000:
                    break
            for label, paths, target in (
                ("lead list", [LEAD_LIST.format(n=50)], 150),
                ("customer search", [CUSTOMER_SEARCH.format(n=50)], None),
                ("lead detail", detail_paths, 300),
            ):
                data = wrk(port, token, paths)
                raw_rps = 1000 / raw_ms[label] if raw_ms[label] else 0
                say(
                    f"  {label}: wrk {data['rps']:.1f} req/s, p50 {data['p50_ms']:.1f} ms, "
                    f"p95 {data['p95_ms']:.1f} ms (target {target or '-'} req/s)"
                )
                results.append(
                    Result(
                        f"{label}: gunicorn+wrk req/s",
                        data["rps"],
                        "req/s",
                        f"{label}: raw SQL pages/s (1 connection)",
                        raw_rps,
                    )
                )
                if target:
                    results.append(
                        Result(f"{label}: req/s vs target", data["rps"], "req/s", "target", target)
                    )
                results.append(
                    Result(
                        f"{label}: wrk p50",
                        data["p50_ms"],
                        "ms",
                        f"{label}: raw SQL via psycopg",
                        raw_ms[label],
                    )
                )
                results.append(
                    Result(
                        f"{label}: wrk p95",
                        data["p95_ms"],
                        "ms",
                        f"{label}: raw SQL via psycopg",
                        raw_ms[label],
                    )
                )
    return results
