"""Import jobs in the real worker: progress, resume after a crash, clean failure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from crm.customers.models import Customer
from crm.imports import importer as importer_module
from crm.imports import services
from crm.imports.models import ImportJob
from tests.imports.helpers import CUSTOMER_HEADER, credit_code, csv_bytes, upload


def rows(n):
    out = [CUSTOMER_HEADER]
    for i in range(1, n + 1):
        out.append(
            [
                f"W{i:05d}",
                f"深圳工作者科技有限公司{i}",
                credit_code(i),
                "金融",
                "",
                "",
                "广东",
                "深圳",
                "",
                "",
                "",
                "",
                "",
            ]
        )
    return out


@pytest.mark.django_db(transaction=True)
def test_job_runs_in_the_real_worker(api, tenant, worker, monkeypatch):
    monkeypatch.setattr(importer_module, "CHUNK_ROWS", 50)
    response = upload(api, csv_bytes(rows(220), encoding="gbk"))
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending" and body["progress"] == 0
    worker.drain()
    job = api.get(f"/api/v1/imports/{body['id']}/").json()
    assert job["status"] == "succeeded", job
    assert job["progress"] == 100
    assert job["totals"]["new"] == 220
    assert Customer.objects.filter(tenant=tenant).count() == 220
    assert Customer.objects.get(tenant=tenant, code="W00007").region == "广东 深圳"

    again = upload(api, csv_bytes(rows(220), encoding="gbk"), on_error="skip").json()
    worker.drain()
    job = api.get(f"/api/v1/imports/{again['id']}/").json()
    assert job["totals"]["unchanged"] == 220


class Crash(BaseException):
    """Stands for the worker process dying (not an Exception: nothing catches it)."""


@pytest.mark.django_db(transaction=True)
def test_crashed_skip_job_resumes_from_the_last_committed_chunk(api, tenant, monkeypatch):
    monkeypatch.setattr(importer_module, "CHUNK_ROWS", 100)
    job_id = upload(api, csv_bytes(rows(350)), on_error="skip").json()["id"]
    original = importer_module.Importer._write
    calls = {"n": 0}

    def dying_write(self, planned):
        calls["n"] += 1
        if calls["n"] == 3:
            raise Crash
        return original(self, planned)

    monkeypatch.setattr(importer_module.Importer, "_write", dying_write)
    with pytest.raises(Crash):
        services.run_job(job_id)
    job = ImportJob._base_manager.get(pk=job_id)
    assert job.status == "running" and job.checkpoint_rows == 200
    assert Customer.objects.filter(tenant=tenant).count() == 200  # two chunks committed

    # A live heartbeat: a second delivery leaves the job alone.
    assert services.run_job(job_id) == "skipped"
    # The worker is dead: its heartbeat goes stale; the poll re-enqueues, a worker resumes.
    ImportJob._base_manager.filter(pk=job_id).update(
        heartbeat_at=timezone.now() - dt.timedelta(minutes=5),
        enqueued_at=timezone.now() - dt.timedelta(minutes=5),
    )
    monkeypatch.setattr(importer_module.Importer, "_write", original)
    assert services.recover_stale() == [job_id]
    assert services.run_job(job_id) == "succeeded"
    job = ImportJob._base_manager.get(pk=job_id)
    assert job.totals == {"rows": 350, "new": 350, "updated": 0, "unchanged": 0, "invalid": 0}
    assert job.attempts == 2
    assert Customer.objects.filter(tenant=tenant).count() == 350
    from crm.imports.models import ImportRecord

    assert ImportRecord.objects.filter(job_id=job_id).count() == 350  # none applied twice


@pytest.mark.django_db(transaction=True)
def test_crashed_abort_job_left_nothing_and_restarts_or_fails_cleanly(api, tenant, monkeypatch):
    monkeypatch.setattr(importer_module, "CHUNK_ROWS", 100)
    job_id = upload(api, csv_bytes(rows(250))).json()["id"]
    original = importer_module.Importer._write
    state = {"n": 0}

    def dying_write(self, planned):
        state["n"] += 1
        if state["n"] == 2:
            raise Crash
        return original(self, planned)

    monkeypatch.setattr(importer_module.Importer, "_write", dying_write)
    with pytest.raises(Crash):
        services.run_job(job_id)
    assert not Customer.objects.filter(tenant=tenant).exists()  # one transaction: rolled back

    stale = timezone.now() - dt.timedelta(minutes=5)
    for _attempt in range(2):  # it keeps dying: after MAX_ATTEMPTS the job fails clearly
        ImportJob._base_manager.filter(pk=job_id).update(heartbeat_at=stale)
        state["n"] = 0
        try:
            services.run_job(job_id)
        except Crash:
            pass
    ImportJob._base_manager.filter(pk=job_id).update(heartbeat_at=stale)
    assert services.run_job(job_id) == "failed"
    job = ImportJob._base_manager.get(pk=job_id)
    assert job.status == "failed" and "3" in job.detail
    assert not Customer.objects.filter(tenant=tenant).exists()


@pytest.mark.django_db(transaction=True)
def test_unexpected_error_fails_the_job_with_a_clear_message(api, tenant, monkeypatch):
    job_id = upload(api, csv_bytes(rows(5))).json()["id"]

    def broken(self, planned):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer_module.Importer, "_write", broken)
    assert services.run_job(job_id) == "failed"
    job = ImportJob._base_manager.get(pk=job_id)
    assert "disk full" in job.detail
    assert not Customer.objects.filter(tenant=tenant).exists()


def test_job_list_has_a_constant_query_count_and_error_counts(api, tenant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bad = [CUSTOMER_HEADER[:3], ["C1", "客户甲", "BAD-CODE"], ["C2", "客户乙", "BAD"]]

    def add(n):
        for _ in range(n):
            response = upload(api, csv_bytes(bad), on_error="skip")
            assert response.status_code == 201, response.content
            services.run_job(response.json()["id"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = api.get("/api/v1/imports/?page_size=50")
        assert response.status_code == 200, response.content
        return len(ctx.captured_queries), response.json()["results"]

    add(2)
    few, results = count()
    add(4)
    many, results = count()
    assert len(results) == 6
    assert many == few
    assert all(r["error_count"] == 2 and "errors" not in r for r in results)
    detail = api.get(f"/api/v1/imports/{results[0]['id']}/").json()
    assert len(detail["errors"]) == detail["error_count"] == 2
