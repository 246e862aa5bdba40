"""Marketing stock (issue 15): issuing requisitions under concurrency, and the
stock-on-hand list over a long ledger.

1. **Issue**: N approved requisitions of 5 lines each over 200 items, issued by 8
   concurrent HTTP clients (stock keepers) against gunicorn
   (``POST /requisitions/{id}/transitions/issue/``). Stock is received so that
   demand exceeds it by about a fifth: some issues are refused for short stock,
   none may drive a balance below zero. Figures: requisitions issued per second,
   refusals, negative balances (must be 0) and items whose balance differs from
   the sum of their ledger (must be 0); baseline: the same number of 5-row
   movement inserts in bare SQL (one transaction each, 8 connections).
2. **Stock on hand**: the item list (``/stock-items/`` with quantity and value)
   of 10,000 items after 1,000,000 movements: SQL queries per request at page
   10 and 200 (constant), and the in-process median of a 50-row page beside
   the same page in raw SQL.

    python -m bench.marketing_bench [--requisitions N] [--items N] [--movements N]

Sizes also from ``BENCH_MARKETING_REQUISITIONS``, ``BENCH_MARKETING_LIST_ITEMS``,
``BENCH_MARKETING_MOVEMENTS``; ``BENCH_QUICK`` makes them smaller. Writes (merges)
its figures into ``bench/results.json``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sys
import threading
import time
from decimal import Decimal

from bench.common import QUICK, Result, median_ms, say, timed

CLIENTS = 8
ITEMS = 200
LINES = 5
REQUISITIONS = int(os.environ.get("BENCH_MARKETING_REQUISITIONS", 400 if QUICK else 2_000))
LIST_ITEMS = int(os.environ.get("BENCH_MARKETING_LIST_ITEMS", 2_000 if QUICK else 10_000))
MOVEMENTS = int(os.environ.get("BENCH_MARKETING_MOVEMENTS", 100_000 if QUICK else 1_000_000))
REPEAT = 10 if QUICK else 30
ISSUE_TENANT = "商慧基准公司-领料"
LIST_TENANT = "商慧基准公司-库存"
RAW_NUMBER = "BENCH-RAW"


def _post(port: int, token: str, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(
            "POST",
            path,
            body=json.dumps({}),
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _company(name: str, username: str):
    from bench.seed import find_tenant, make_company
    from crm.core import services
    from crm.core.models import Role, User

    tenant = find_tenant(name)
    admin = (
        User.objects.get(tenant=tenant, username=username)
        if tenant is not None
        else make_company(name, username)
    )
    tenant = admin.tenant
    keepers = list(User.objects.filter(tenant=tenant, username__startswith=f"{username}_kg"))
    if len(keepers) < CLIENTS:
        role = Role.objects.get(tenant=tenant, name="库管")
        for i in range(len(keepers), CLIENTS):
            keepers.append(
                services.user_create(
                    tenant=tenant,
                    actor=admin,
                    username=f"{username}_kg{i}",
                    password="bench-Passw0rd!",
                    email=f"{username}_kg{i}@bench.cn",
                    full_name=f"库管{i}",
                    roles=[role],
                )
            )
    return tenant, admin, keepers[:CLIENTS]


def _clear_stock(tenant) -> None:
    """Drop the company's stock documents, ledger and items (raw SQL: fast)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "marketing_stockmovement",
            "marketing_requisitionline",
            "marketing_stockreturnline",
            "marketing_stockreturn",
            "marketing_requisition",
            "marketing_stockreceiptline",
            "marketing_stockreceipt",
            "marketing_stockadjustmentline",
            "marketing_stockadjustment",
            "marketing_stockbalance",
            "marketing_stockitem",
            "workflows_reminder",
            "workflows_transitionlog",
            "core_auditentry",
        ):
            cursor.execute(f"DELETE FROM {table} WHERE tenant_id = %s", [tenant.pk])


def prepare_issue(tenant, admin, n: int, rng: random.Random) -> list[int]:
    """200 items with stock ~ 5/6 of the demand; ``n`` approved requisitions of 5 lines."""
    from django.db import connection
    from django.utils import timezone

    from crm.marketing.models import (
        Requisition,
        RequisitionLine,
        StockBalance,
        StockItem,
        StockMovement,
    )

    _clear_stock(tenant)
    items = StockItem.objects.bulk_create(
        StockItem(
            tenant=tenant,
            code=f"LL{i:04d}",
            name=f"基准物品{i}",
            unit="个",
            unit_cost=Decimal("3.50"),
            search_key=f"ll{i:04d}",
        )
        for i in range(ITEMS)
    )
    demand = {it.pk: Decimal(0) for it in items}
    now = timezone.now()
    reqs = Requisition.objects.bulk_create(
        Requisition(
            tenant=tenant,
            number=f"BQ{i:07d}",
            requester=admin,
            purpose="基准领料",
            status="approved",
            submitted_at=now,
            approved_at=now,
            approved_by=admin,
            created_by=admin,
        )
        for i in range(n)
    )
    lines = []
    for req in reqs:
        for pos, it in enumerate(rng.sample(items, LINES), start=1):
            qty = Decimal(rng.randint(1, 10))
            demand[it.pk] += qty
            lines.append(
                RequisitionLine(
                    tenant=tenant,
                    requisition=req,
                    item=it,
                    quantity=qty,
                    unit_cost=it.unit_cost,
                    position=pos,
                )
            )
    RequisitionLine.objects.bulk_create(lines, batch_size=5000)
    # The opening stock, as a receipt's movements would leave it.
    stock = {pk: (need * 5 / 6).quantize(Decimal(1)) for pk, need in demand.items()}
    StockBalance.objects.bulk_create(
        StockBalance(tenant=tenant, item_id=pk, quantity=q) for pk, q in stock.items()
    )
    StockMovement.objects.bulk_create(
        StockMovement(
            tenant=tenant,
            item_id=pk,
            quantity=q,
            unit_cost=Decimal("3.50"),
            document_kind="receipt",
            document_id=0,
            document_number="BENCH-OPEN",
            actor=admin,
        )
        for pk, q in stock.items()
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE marketing_stockbalance, marketing_requisition")
    return [r.pk for r in reqs]


def ledger_check(tenant) -> tuple[int, int]:
    """(negative balances, items whose balance is not the sum of their movements)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM marketing_stockbalance WHERE tenant_id = %s AND quantity < 0",
            [tenant.pk],
        )
        negative = cursor.fetchone()[0]
        cursor.execute(
            """
            SELECT count(*) FROM marketing_stockbalance b
            LEFT JOIN (SELECT item_id, sum(quantity) AS q FROM marketing_stockmovement
                       WHERE tenant_id = %s GROUP BY item_id) m ON m.item_id = b.item_id
            WHERE b.tenant_id = %s AND b.quantity <> coalesce(m.q, 0)
            """,
            [tenant.pk, tenant.pk],
        )
        mismatched = cursor.fetchone()[0]
    return negative, mismatched


def raw_inserts(tenant, admin, n: int) -> float:
    """``n`` transactions of 5 movement rows each over 8 connections (bare SQL), per second."""
    import psycopg

    from bench.api_bench import _conninfo
    from crm.marketing.models import StockItem

    item_ids = list(StockItem.objects.filter(tenant=tenant).values_list("pk", flat=True))
    per_client = n // CLIENTS
    sql = (
        "INSERT INTO marketing_stockmovement (tenant_id, item_id, quantity, unit_cost, "
        "document_kind, document_id, document_number, actor_id, at) VALUES "
        + ", ".join(["(%s, %s, -1, 3.50, 'requisition', %s, %s, %s, now())"] * LINES)
    )

    def client(i: int):
        rng = random.Random(i)
        with psycopg.connect(_conninfo()) as conn:
            for k in range(per_client):
                params = []
                for item in rng.sample(item_ids, LINES):
                    params += [tenant.pk, item, k, RAW_NUMBER, admin.pk]
                with conn.transaction():
                    conn.execute(sql, params)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    with psycopg.connect(_conninfo(), autocommit=True) as conn:
        conn.execute(
            "DELETE FROM marketing_stockmovement WHERE tenant_id = %s AND document_number = %s",
            [tenant.pk, RAW_NUMBER],
        )
    return per_client * CLIENTS / elapsed


def issue_bench(n: int) -> list[Result]:
    from bench.api_bench import gunicorn, token_for

    tenant, admin, keepers = _company(ISSUE_TENANT, "ll_admin")
    rng = random.Random(15)
    say(f"  preparing {n} approved requisitions of {LINES} lines over {ITEMS} items")
    ids = prepare_issue(tenant, admin, n, rng)
    tokens = [token_for(k) for k in keepers]
    shares = [ids[i::CLIENTS] for i in range(CLIENTS)]
    statuses: list[int] = []
    lock = threading.Lock()
    with gunicorn() as (_proc, port):
        _post(port, tokens[0], "/api/v1/requisitions/0/transitions/issue/")  # warm a worker

        def client(i: int):
            mine = [
                _post(port, tokens[i], f"/api/v1/requisitions/{pk}/transitions/issue/")
                for pk in shares[i]
            ]
            with lock:
                statuses.extend(mine)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
    issued = statuses.count(200)
    refused = statuses.count(400)
    other = len(statuses) - issued - refused
    negative, mismatched = ledger_check(tenant)
    raw = raw_inserts(tenant, admin, n)
    rate = len(statuses) / elapsed
    say(
        f"  issue: {len(statuses)} requests in {elapsed:.1f}s = {rate:.1f}/s "
        f"({issued} issued, {refused} refused for short stock, {other} other); "
        f"negative balances {negative}, balances off the ledger {mismatched}; "
        f"bare SQL 5-row inserts: {raw:.0f}/s"
    )
    return [
        Result(
            "requisitions issued: 8 clients, 5 lines, 200 items",
            rate,
            "requisitions/s",
            "bare SQL: 5 movement rows per transaction, 8 connections",
            raw,
        ),
        Result(
            "requisitions issued: refused for short stock",
            refused,
            "requisitions",
            "requisitions issued",
            issued,
        ),
        Result("requisitions issued: other responses", other, "responses", "zero", 0),
        Result("stock: negative balances after the issues", negative, "items", "zero", 0),
        Result("stock: balances off the ledger sum", mismatched, "items", "zero", 0),
    ]


def prepare_list(tenant, admin, n_items: int, n_movements: int) -> None:
    """``n_items`` items and ``n_movements`` movements (SQL), balances = ledger sums."""
    from django.db import connection

    from crm.marketing.models import StockItem, StockMovement

    have_items = StockItem.objects.filter(tenant=tenant).count()
    have_moves = StockMovement.objects.filter(tenant=tenant).count()
    if have_items == n_items and have_moves == n_movements:
        return
    _clear_stock(tenant)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO marketing_stockitem (tenant_id, version, created_at, updated_at, code,
                name, unit, unit_cost, low_stock_threshold, active, search_key, created_by_id)
            SELECT %s, 1, now(), now(), 'KC' || lpad(g::text, 6, '0'), '库存物品' || g, '个',
                   (g %% 97) + 0.5, 10, true, 'kc' || g, %s
            FROM generate_series(1, %s) g
            """,
            [tenant.pk, admin.pk, n_items],
        )
        cursor.execute(
            """
            INSERT INTO marketing_stockmovement (tenant_id, item_id, quantity, unit_cost,
                document_kind, document_id, document_number, actor_id, at)
            SELECT %s, i.id, CASE WHEN g %% 3 = 0 THEN -1 ELSE 2 END, i.unit_cost,
                   CASE WHEN g %% 3 = 0 THEN 'requisition' ELSE 'receipt' END, g, 'BENCH', %s,
                   now() - (g || ' seconds')::interval
            FROM generate_series(1, %s) g
            JOIN (SELECT id, unit_cost, row_number() OVER (ORDER BY id) - 1 AS k
                  FROM marketing_stockitem WHERE tenant_id = %s) i ON i.k = g %% %s
            """,
            [tenant.pk, admin.pk, n_movements, tenant.pk, n_items],
        )
        cursor.execute(
            """
            INSERT INTO marketing_stockbalance (tenant_id, item_id, quantity)
            SELECT %s, i.id, coalesce(sum(m.quantity), 0)
            FROM marketing_stockitem i LEFT JOIN marketing_stockmovement m ON m.item_id = i.id
            WHERE i.tenant_id = %s GROUP BY i.id
            """,
            [tenant.pk, tenant.pk],
        )
        cursor.execute(
            "ANALYZE marketing_stockitem, marketing_stockbalance, marketing_stockmovement"
        )


LIST_URL = "/api/v1/stock-items/?page_size={n}"
LIST_ROWS_SQL = """
SELECT i.*, c.label, coalesce(b.quantity, 0) AS on_hand,
       coalesce(b.quantity, 0) * i.unit_cost AS value
FROM marketing_stockitem i
LEFT JOIN marketing_stockbalance b ON b.item_id = i.id
LEFT JOIN core_dictionaryitem c ON c.id = i.category_id
WHERE i.tenant_id = %s ORDER BY i.code LIMIT 50
"""
LIST_COUNT_SQL = "SELECT count(*) FROM marketing_stockitem WHERE tenant_id = %s"


def list_bench(n_items: int, n_movements: int) -> list[Result]:
    from bench.api_bench import api_client, count_queries, raw_page

    tenant, admin, keepers = _company(LIST_TENANT, "kc_admin")
    say(f"  preparing {n_items} items and {n_movements} movements")
    started = time.perf_counter()
    prepare_list(tenant, admin, n_items, n_movements)
    say(f"  prepared in {time.perf_counter() - started:.0f}s")
    client = api_client(keepers[0])
    counts = {n: count_queries(client, LIST_URL.format(n=n)) for n in (10, 200)}
    api = median_ms(timed(lambda: client.get(LIST_URL.format(n=50)), REPEAT))
    raw = median_ms(raw_page(LIST_ROWS_SQL, LIST_COUNT_SQL, [tenant.pk], [tenant.pk]))
    say(f"  stock list: queries {counts}, page 50 median {api} ms (raw SQL {raw} ms)")
    label = f"stock on hand list ({n_items:,} items, {n_movements:,} movements)"
    return [
        Result(
            f"{label}: SQL queries page 200 vs page 10",
            counts[200],
            "queries",
            f"{label}: SQL queries (page 10)",
            counts[10],
        ),
        Result(
            f"{label}: in-process median (page 50)",
            api,
            "ms",
            "the same page by raw SQL via psycopg",
            raw,
        ),
    ]


def run(
    requisitions: int = REQUISITIONS, items: int = LIST_ITEMS, movements: int = MOVEMENTS
) -> list[Result]:
    from django_scopes import scopes_disabled

    with scopes_disabled():
        results = issue_bench(requisitions)
        results += list_bench(items, movements)
    return results


def main(argv=None) -> int:
    from bench.common import configure_env, ensure_database, setup_django, write_results

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requisitions", type=int, default=REQUISITIONS)
    parser.add_argument("--items", type=int, default=LIST_ITEMS)
    parser.add_argument("--movements", type=int, default=MOVEMENTS)
    args = parser.parse_args(argv)
    configure_env()
    ensure_database()
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    results = run(args.requisitions, args.items, args.movements)
    write_results(results)
    for r in results:
        say(f"  {r.name}: {r.value:g} {r.unit} (baseline {r.baseline_name}: {r.baseline_value:g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
