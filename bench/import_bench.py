"""Import benchmark: 20,000 generated customers from CSV on PostgreSQL, end to end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_imports \
    REDIS_URL=redis://127.0.0.1:6379/0 DRAMATIQ_NAMESPACE=h-imports \
    .venv/bin/python bench/import_bench.py [--rows 20000] [--big 200000] [--sample 2000]

Prints and writes into bench/results.json (merged with other entries):

* our path: upload (API) -> job -> the worker (``manage.py rundramatiq``, one
  process) -> committed rows, rows/s; then the job's index upkeep (merge of the
  search index's pending list, ANALYZE), which follows its success, in seconds;
* django-import-export's default ``import_data`` on the same file's first
  ``--sample`` rows (it is ~100x slower; the full file would take minutes);
* PostgreSQL ``COPY`` of the same file into a bare table, rows/s;
* re-import of the same file (every row unchanged), rows/s;
* a ``--big``-row file imported in a child process: its peak RSS growth (budget
  200 MB) and its rate beside the ``--rows`` import's (target >= 0.6);
* the end-to-end import beside the SQL insert-only floor (target >= 0.6), and the
  1-minute load average at start and end (the machine is shared).

The database is migrated first; each run signs up a fresh company.
``BENCH_VERBOSE=1`` prints each import's upload, queue and run times.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")

CITIES = [
    ("北京", "北京市"),
    ("上海", "上海市"),
    ("广东", "深圳市"),
    ("广东", "广州市"),
    ("浙江", "杭州市"),
    ("江苏", "南京市"),
    ("四川", "成都市"),
    ("重庆", "重庆市"),
    ("湖北", "武汉市"),
    ("陕西", "西安市"),
]
WORDS = "华信宏达金源恒通天成瑞丰鑫盛中科博远创新海纳长乐东方伟业佳禾云帆启明星辰嘉和永泰"
KINDS = [
    "科技有限公司",
    "贸易有限公司",
    "实业有限公司",
    "电子科技有限公司",
    "信息技术有限公司",
    "商贸有限责任公司",
    "建设工程有限公司",
    "医疗器械有限公司",
    "文化传媒有限公司",
]
INDUSTRIES = ["制造业", "信息技术/互联网", "金融", "教育", "医疗健康", "批发零售", "商务服务"]
LEVELS = ["A 重点客户", "B 普通客户", "c"]
SOURCES = ["官网", "电话咨询", "展会", "客户转介绍", "advertising"]
HEADER = [
    "客户编号",
    "客户名称",
    "统一社会信用代码",
    "行业",
    "客户等级",
    "客户来源",
    "省份",
    "城市",
    "地址",
    "电话",
    "负责人",
    "创建日期",
]


def generate_csv(n: int, owner: str, seed: int = 1) -> bytes:
    import csv

    from crm.core.validators import credit_code_check_char

    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for i in range(1, n + 1):
        province, city = rng.choice(CITIES)
        name = city[:2] + "".join(rng.sample(WORDS, rng.randint(2, 3))) + rng.choice(KINDS) + str(i)
        first17 = (
            f"9{rng.randint(1, 9)}{rng.randint(110000, 659999)}{rng.randint(0, 999999999):09d}"
        )
        code = first17 + credit_code_check_char(first17)
        day = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randint(0, 3000))
        writer.writerow(
            [
                f"KH{i:07d}",
                name,
                code,
                rng.choice(INDUSTRIES),
                rng.choice(LEVELS),
                rng.choice(SOURCES),
                province,
                city,
                f"{city}某某路{rng.randint(1, 999)}号",
                f"0{rng.randint(10, 99)}-{rng.randint(60000000, 89999999)}",
                owner,
                day.strftime(rng.choice(["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"])),
            ]
        )
    return out.getvalue().encode("gb18030")  # what Excel in China writes


def setup():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def new_company(label: str):
    from crm.core import services

    stamp = f"{int(time.time() * 1000)}{random.randint(0, 999)}"
    return services.tenant_signup(
        company=f"基准公司{label}{stamp}",
        username=f"bench{label}{stamp}",
        password="Bench-pass-1234!",
        email="bench@example.cn",
    )


def start_worker() -> subprocess.Popen:
    """The production worker, ``manage.py rundramatiq``, with one process.

    A separate process as in production: the bench's own requests and polling
    do not share its interpreter. One process so that the warm-up import has
    warmed the process the measured import runs in.
    """
    return subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "rundramatiq",
            "--processes",
            "1",
            "--threads",
            "8",
        ],
        cwd=ROOT,
        env=os.environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def import_through_api(admin, content: bytes, name: str = "customers.csv") -> tuple[float, dict]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_scopes import scopes_disabled
    from rest_framework.test import APIClient

    from crm.core.credentials import issue_token
    from crm.imports.models import ImportJob

    with scopes_disabled():
        _token, key = issue_token(user=admin, client="bench")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    started = time.perf_counter()
    response = client.post(
        "/api/v1/imports/",
        {"resource": "customers", "file": SimpleUploadedFile(name, content)},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    uploaded = time.perf_counter() - started
    job_id = response.json()["id"]
    while True:
        with scopes_disabled():
            status = ImportJob._base_manager.filter(pk=job_id).values_list("status", flat=True)[0]
        if status in ("succeeded", "failed"):
            break
        time.sleep(0.005)
    elapsed = time.perf_counter() - started
    with scopes_disabled():
        job = ImportJob._base_manager.get(pk=job_id)
    assert job.status == "succeeded", (job.detail, job.errors[:5])
    if os.environ.get("BENCH_VERBOSE"):
        waited = (job.started_at - job.created_at).total_seconds()
        print(
            f"    upload answered in {uploaded:.2f} s; job started after {waited:.2f} s, "
            f"finished after {elapsed:.2f} s"
        )
    return elapsed, job.totals


def analyze_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'customers_customer'"
        )
        return cursor.fetchone()[0]


def wait_for_upkeep(before: int, timeout: float = 60) -> float:
    """Seconds until the finished job's index upkeep (merge + ANALYZE) is done.

    The job reports success once its rows are committed; the worker then merges
    the search index's pending list and analyzes the table (the rows are
    searchable meanwhile). The bench's worker has one thread: the next import
    would wait for this, so it is awaited and reported on its own.
    """
    started = time.perf_counter()
    while analyze_count() == before and time.perf_counter() - started < timeout:
        time.sleep(0.01)
    return time.perf_counter() - started


def default_import_data(admin, content: bytes, sample: int, owner: str) -> float:
    """django-import-export's own row-by-row path with the same resource class."""
    import tablib
    from django_scopes import scope

    from crm.customers.resources import CustomerResource

    text = content.decode("gb18030").replace(owner, admin.username)
    lines = text.splitlines()[: sample + 1]
    dataset = tablib.Dataset().load("\n".join(lines), format="csv")
    resource = CustomerResource(tenant=admin.tenant, actor=admin)
    with scope(tenant=admin.tenant_id):
        started = time.perf_counter()
        result = resource.import_data(dataset, dry_run=False, raise_errors=True)
        elapsed = time.perf_counter() - started
    assert not result.has_errors() and not result.has_validation_errors()
    return sample / elapsed


def copy_bare(content: bytes) -> float:
    from django.db import connection

    columns = ", ".join(f"c{i} text" for i in range(len(HEADER)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare_copy")
        cursor.execute(f"CREATE TABLE bench_bare_copy ({columns})")
        started = time.perf_counter()
        with cursor.cursor.copy(
            "COPY bench_bare_copy FROM STDIN WITH (FORMAT csv, HEADER true, ENCODING 'GB18030')"
        ) as copy:
            copy.write(content)
        elapsed = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_bare_copy")
        rows = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_bare_copy")
    return rows / elapsed


def insert_floor(tenant_id: int) -> float:
    """The database alone: the imported rows inserted again by one SQL statement.

    Same table, indexes (incl. the pinyin trigram index, with the import's
    pending-list setting) and foreign-key checks (made immediate, then rolled
    back), no Python, no audit trail: what inserting the rows costs in
    PostgreSQL whatever the importer does. Rows/s.
    """
    from django.db import connection, transaction

    from crm.customers.models import Customer
    from crm.imports.importer import GIN_PENDING_LIST_KB

    fields = [
        f.column
        for f in Customer._meta.concrete_fields
        if not f.primary_key and f.column not in ("code", "credit_code")
    ]
    columns = ", ".join(f'"{c}"' for c in fields)
    rows = 0
    started = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('gin_pending_list_limit', %s, true)", [str(GIN_PENDING_LIST_KB)]
            )
            cursor.execute(
                f'INSERT INTO customers_customer ({columns}, "code", "credit_code") '
                f"SELECT {columns}, code || '-floor', '' FROM customers_customer "
                "WHERE tenant_id = %s",
                [tenant_id],
            )
            rows = cursor.rowcount
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return rows / elapsed


class _Rollback(Exception):
    pass


def child_big(rows: int) -> None:
    """Run in a child process: import ``rows`` customers, report RSS (MB) as JSON."""
    import resource

    import psutil

    setup()
    from django_scopes import scopes_disabled

    from crm.imports.services import import_job_create, run_job

    with scopes_disabled():
        admin = new_company("big")
        content = generate_csv(rows, admin.username, seed=2)
        process = psutil.Process()
        before = process.memory_info().rss
        peak = {"rss": before}
        stop = threading.Event()

        def sample():
            while not stop.wait(0.02):
                peak["rss"] = max(peak["rss"], process.memory_info().rss)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.perf_counter()
        job = import_job_create(
            tenant=admin.tenant,
            actor=admin,
            resource="customers",
            filename="big.csv",
            content=content,
        )
        status = run_job(job.pk)
        elapsed = time.perf_counter() - started
        stop.set()
        sampler.join()
    print(
        json.dumps(
            {
                "status": status,
                "rows": rows,
                "seconds": elapsed,
                "rss_before_mb": before / 2**20,
                "rss_peak_mb": peak["rss"] / 2**20,
                "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "file_mb": len(content) / 2**20,
            }
        )
    )


def write_results(entries: list[dict]) -> None:
    path = ROOT / "bench" / "results.json"
    data = json.loads(path.read_text()) if path.exists() else []
    container = data.get("entries", []) if isinstance(data, dict) else data
    names = {e["name"] for e in entries}
    merged = [e for e in container if e.get("name") not in names] + entries
    if isinstance(data, dict):
        data["entries"] = merged
    else:
        data = merged
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def entry(name, value, unit, baseline_name, baseline_value):
    return {
        "name": name,
        "value": round(value, 1),
        "unit": unit,
        "baseline_name": baseline_name,
        "baseline_value": round(baseline_value, 1),
        "ratio": round(value / baseline_value, 2) if baseline_value else None,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--big", type=int, default=200_000)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--child-big", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true", help="pyinstrument the import job")
    args = parser.parse_args()
    if args.child_big:
        child_big(args.child_big)
        return
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (see the docstring).")
    load_start = os.getloadavg()[0]
    setup()
    from django.conf import settings
    from django_scopes import scopes_disabled

    with scopes_disabled():
        admin = new_company("main")
        content = generate_csv(args.rows, admin.username)
    worker = start_worker()
    try:
        # Warm-up: a small file (first-request imports, connection, caches are not the subject).
        with scopes_disabled():
            warm = new_company("warm")
        import_through_api(warm, generate_csv(200, warm.username, seed=9))

        profiler = None
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(async_mode="disabled")
            profiler.start()
        analyzed_before = analyze_count()
        elapsed, totals = import_through_api(admin, content)
        upkeep = wait_for_upkeep(analyzed_before)
        if profiler is not None:
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        assert totals["new"] == args.rows, totals
        ours = args.rows / elapsed
        elapsed_again, totals_again = import_through_api(admin, content)
        assert totals_again["unchanged"] == args.rows, totals_again
        again = args.rows / elapsed_again
    finally:
        stop_worker(worker)
    with scopes_disabled():
        other = new_company("default")
        default = default_import_data(other, content, args.sample, admin.username)
    copy = copy_bare(content)
    floor = insert_floor(admin.tenant_id)
    broker = "Redis" if settings.REDIS_URL else "in-process"
    print(f"PostgreSQL, broker {broker}, {args.rows} customers (GB18030 CSV, Chinese names)")
    print(f"  our import (upload -> worker -> committed): {ours:10.0f} rows/s ({elapsed:.2f} s)")
    print(f"  index upkeep after the job (background):  {upkeep:10.2f} s")
    print(
        f"  re-import, all unchanged:                 {again:10.0f} rows/s ({elapsed_again:.2f} s)"
    )
    print(f"  django-import-export import_data ({args.sample} rows): {default:8.0f} rows/s")
    print(f"  COPY into a bare table:                   {copy:10.0f} rows/s")
    print(f"  SQL insert into the real table (floor):   {floor:10.0f} rows/s")
    print(f"  our import / floor:                       {ours / floor:10.2f} (target 0.6)")
    if not args.big:
        return
    child = subprocess.run(
        [sys.executable, __file__, "--child-big", str(args.big)],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ,
    )
    big = json.loads(child.stdout.strip().splitlines()[-1])
    big_rate = big["rows"] / big["seconds"]
    growth = big["rss_peak_mb"] - big["rss_before_mb"]
    load_end = os.getloadavg()[0]
    print(
        f"  {big['rows']} rows ({big['file_mb']:.0f} MB file): "
        f"{big['rows'] / big['seconds']:.0f} rows/s, "
        f"RSS {big['rss_before_mb']:.0f} MB before, peak {big['rss_peak_mb']:.0f} MB "
        f"(ru_maxrss {big['ru_maxrss_mb']:.0f} MB), status {big['status']}"
    )
    print(
        f"  RSS growth {growth:.0f} MB (budget 200); rate vs the {args.rows}-row import "
        f"{big_rate / ours:.2f} (target 0.6); load {load_start:.1f} -> {load_end:.1f}"
    )
    write_results(
        [
            entry(
                "import_customers_20k_rows_per_s",
                ours,
                "rows/s",
                f"django-import-export import_data ({args.sample}-row sample)",
                default,
            ),
            entry(
                "import_customers_20k_vs_copy", ours, "rows/s", "PostgreSQL COPY, bare table", copy
            ),
            entry(
                "import_customers_20k_vs_database_floor",
                ours,
                "rows/s",
                "SQL INSERT ... SELECT of the same rows into the real table (indexes, FKs)",
                floor,
            ),
            entry(
                "import_customers_200k_rows_per_s_vs_20k",
                big_rate,
                "rows/s",
                f"the {args.rows}-row import, rows/s",
                ours,
            ),
            entry(
                "import_customers_200k_rss_growth",
                growth,
                "MB",
                "budget",
                200,
            ),
            entry("import_bench_load_average_start", load_start, "runnable", "CPU cores", 2),
            entry("import_bench_load_average_end", load_end, "runnable", "CPU cores", 2),
            entry(
                "import_customers_20k_index_upkeep_after_success",
                upkeep,
                "s",
                "the import itself (upload -> committed)",
                elapsed,
            ),
            entry(
                "reimport_customers_20k_unchanged_rows_per_s",
                again,
                "rows/s",
                "first import rows/s",
                ours,
            ),
            entry(
                "import_customers_200k_peak_rss",
                big["rss_peak_mb"],
                "MB",
                "RSS before the import",
                big["rss_before_mb"],
            ),
        ]
    )


if __name__ == "__main__":
    main()
