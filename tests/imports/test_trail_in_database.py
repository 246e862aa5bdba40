"""PostgreSQL builds the created rows' trail in SQL: the same rows as Python's path."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from crm.core.models import AuditEntry
from crm.customers.models import Customer
from crm.imports import writers
from crm.imports.models import ImportRecord
from tests.imports.helpers import csv_bytes, run
from tests.imports.test_imports import customer_rows

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (DATABASE_URL; CI sets it): only the PostgreSQL writer "
        "builds the trail in SQL; other databases use the generic writer's Python path",
    ),
]


def _trail(tenant, codes):
    ct = ContentType.objects.get_for_model(Customer)
    ids = dict(Customer.objects.filter(tenant=tenant, code__in=codes).values_list("pk", "code"))
    entries = {
        ids[e.object_id]: {k: v for k, v in e.changes.items() if k != "import_job"}
        for e in AuditEntry.objects.filter(
            tenant=tenant, action="import", content_type=ct, object_id__in=ids
        )
    }
    records = {
        ids[r.object_id]: (r.created, r.version, r.previous)
        for r in ImportRecord.objects.filter(content_type=ct, object_id__in=ids)
    }
    return entries, records


def test_sql_trail_equals_the_python_trail(api, tenant, monkeypatch):
    sql_job = run(api, csv_bytes(customer_rows(3, start=1)))
    assert sql_job["totals"]["new"] == 3
    monkeypatch.setattr(writers.PostgresWriter, "trail_in_database", False)
    py_job = run(api, csv_bytes(customer_rows(3, start=101)))
    assert py_job["totals"]["new"] == 3

    sql_entries, sql_records = _trail(tenant, ["C0001", "C0002", "C0003"])
    py_entries, py_records = _trail(tenant, ["C0101", "C0102", "C0103"])
    assert len(sql_entries) == len(py_entries) == 3
    # Same keys and values, apart from what differs row to row by design.
    for (_c1, sql), (_c2, py) in zip(
        sorted(sql_entries.items()), sorted(py_entries.items()), strict=True
    ):
        assert sql.keys() == py.keys()
        for key in sql:
            if key in ("code", "name", "credit_code", "address", "search_key"):
                continue
            assert sql[key] == py[key], key
        assert sql["code"].startswith("C0") and sql["name"].startswith("北京华信科技")
    assert set(sql_records.values()) == set(py_records.values()) == {(True, 1, None)}
    ct = ContentType.objects.get_for_model(Customer)
    entries = AuditEntry.objects.filter(tenant=tenant, action="import", content_type=ct)
    assert entries.count() == 6
    assert all(e.changes["import_job"] in (sql_job["id"], py_job["id"]) for e in entries)


def test_a_big_import_refreshes_the_planner_statistics(api, tenant, monkeypatch):
    from crm.imports import services

    def analyzed() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'customers_customer'"
            )
            return cursor.fetchone()[0]

    before = analyzed()
    monkeypatch.setattr(services, "ANALYZE_AFTER_ROWS", 3)
    job = run(api, csv_bytes(customer_rows(3, start=201)))
    assert job["totals"]["new"] == 3
    assert analyzed() == before + 1
    run(api, csv_bytes(customer_rows(2, start=301)))  # below the threshold: left to autovacuum
    assert analyzed() == before + 1


@pytest.fixture
def no_autovacuum():
    """Autovacuum also merges pending lists: keep it off the table for the test."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE customers_customer SET (autovacuum_enabled = false)")
    yield
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE customers_customer RESET (autovacuum_enabled)")


@pytest.mark.django_db(transaction=True)  # the job's own transactions, really committed
def test_an_import_merges_the_search_index_pending_list(api, tenant, no_autovacuum):
    """The new keys wait in the trigram index's pending list; the job merges them."""

    def pending_pages_merged() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT gin_clean_pending_list('customers_customer_search_trgm'::regclass)"
            )
            return cursor.fetchone()[0]

    pending_pages_merged()
    Customer.objects.create(tenant=tenant, name="待合并", search_key="daihebing|dhb")
    assert pending_pages_merged() > 0  # a plain insert leaves its keys pending

    job = run(api, csv_bytes(customer_rows(5, start=401)))
    assert job["totals"]["new"] == 5
    assert pending_pages_merged() == 0  # the job merged its keys already
    with connection.cursor() as cursor:
        cursor.execute("SHOW gin_pending_list_limit")
        assert cursor.fetchone()[0] == "4MB"  # the import's larger list was its own
    found = api.get("/api/v1/customers/", {"search": customer_rows(5, start=401)[3][1]})
    assert found.json()["count"] == 1


def test_uploads_are_stored_with_lz4_compression_where_the_server_has_it(api, tenant):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        has_lz4 = cursor.fetchone()[0]
        cursor.execute(
            "SELECT attcompression FROM pg_attribute "
            "WHERE attrelid = 'imports_importfile'::regclass AND attname = 'content'"
        )
        compression = cursor.fetchone()[0]
        assert compression == "l" if has_lz4 else compression in ("", "\x00")
    content = csv_bytes(customer_rows(400, start=501))
    job = run(api, content)
    assert job["totals"]["new"] == 400
    from crm.imports.models import ImportFile

    assert bytes(ImportFile.objects.get(job_id=job["id"]).content) == content


@pytest.mark.parametrize(
    "values",
    [
        [3, 1, 2],
        ["C0001", "北京华信科技有限公司1", "a,b", "引号'\"与%s"],
        ["unit\x1fseparator", "plain"],  # the list path
    ],
)
def test_any_array_finds_exactly_the_values(values):
    from crm.imports.writers import any_array

    array, param = any_array(values)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT array_length(({array})::text[], 1)", [param])
        assert cursor.fetchone()[0] == len(values)
        for probe, expected in [*((str(v), True) for v in values), ("4", False), ("a", False)]:
            cursor.execute(f"SELECT %s::text = ANY(({array})::text[])", [probe, param])
            assert cursor.fetchone()[0] is expected, probe
