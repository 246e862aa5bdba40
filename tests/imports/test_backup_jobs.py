"""Backups in the background (a job with progress, a download link that expires),
restore into a new company, the backup permission, and the audit of each use."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.core.models import AuditEntry, Tenant, User
from crm.customers import services as customer_services
from crm.customers.models import Customer
from crm.imports.models import BackupJob
from tests.conftest import client_for, make_company, make_user


def _zip(response) -> zipfile.ZipFile:
    body = b"".join(response.streaming_content)
    return zipfile.ZipFile(io.BytesIO(body))


@pytest.mark.django_db(transaction=True)
def test_a_backup_job_runs_in_the_worker_and_its_link_expires(worker, settings):
    admin = make_company("后台备份公司")
    customer_services.customer_create(tenant=admin.tenant, actor=admin, name="备份客户甲")
    api = client_for(admin)

    started = api.post("/api/v1/backup/jobs/")
    assert started.status_code == 202, started.content
    job_id = started.json()["id"]
    assert started.json()["status"] == "pending" and started.json()["download_url"] is None
    # A second click while it runs gives the same job, not a second backup.
    assert api.post("/api/v1/backup/jobs/").json()["id"] == job_id
    worker.drain()

    job = api.get(f"/api/v1/backup/jobs/{job_id}/").json()
    assert job["status"] == "succeeded", job
    assert job["progress"] == 100 and job["size"] > 0
    assert job["rows"]["customers.customer"] == 1
    url = job["download_url"]
    assert url.startswith(f"/api/v1/backup/jobs/{job_id}/download/?signature=")
    assert [j["id"] for j in api.get("/api/v1/backup/jobs/").json()["results"]] == [job_id]

    archive = _zip(api.get(url))
    manifest = json.loads(archive.read("manifest.json"))
    assert {m["label"]: m["rows"] for m in manifest["models"]}["customers.customer"] == 1
    assert json.loads(archive.read("customers.customer.json"))[0]["name"] == "备份客户甲"

    # A redelivered message does nothing: the job is finished.
    from crm.imports.backup_jobs import run_backup_job

    assert run_backup_job(job_id) == "skipped"

    # Tampered, foreign and expired links are refused (400 naming the signature).
    assert api.get(url + "x").status_code == 400
    other = make_company("别家")
    assert client_for(other).get(url).status_code == 404  # not a job of theirs
    settings.BACKUP_LINK_MAX_AGE = -1
    expired = api.get(url)
    assert expired.status_code == 400 and "signature" in expired.json()["fields"]

    actions = list(
        AuditEntry.objects.filter(tenant=admin.tenant, action__startswith="backup")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["backup", "backup_download"]


@pytest.mark.django_db
def test_backups_need_the_backup_permission(admin, sales_team):
    manager = make_user(admin, "销售经理", team=sales_team)
    api = client_for(manager)
    assert api.post("/api/v1/backup/jobs/").status_code == 403
    assert api.get("/api/v1/backup/jobs/").status_code == 403
    job = BackupJob.objects.create(tenant=admin.tenant, created_by=admin)
    assert api.get(f"/api/v1/backup/jobs/{job.pk}/").status_code == 403
    assert api.get(f"/api/v1/backup/jobs/{job.pk}/download/?signature=x").status_code == 403
    restore = api.post("/api/v1/backup/restore/", {}, format="multipart")
    assert restore.status_code == 403


@pytest.mark.django_db
def test_another_companys_job_answers_404(admin, other_admin):
    job = BackupJob.objects.create(tenant=other_admin.tenant, created_by=other_admin)
    assert client_for(admin).get(f"/api/v1/backup/jobs/{job.pk}/").status_code == 404


@pytest.mark.django_db
def test_restore_into_a_new_company(api, admin, tenant):
    customer_services.customer_create(tenant=tenant, actor=admin, name="迁移客户")
    data = b"".join(api.get("/api/v1/backup/").streaming_content)
    assert AuditEntry.objects.filter(tenant=tenant, action="backup_download").count() == 1

    def restore(**extra):
        return api.post(
            "/api/v1/backup/restore/",
            {"file": SimpleUploadedFile("b.zip", data), "target": "new", **extra},
            format="multipart",
        )

    missing = restore(company="新公司")
    assert missing.status_code == 400
    assert set(missing.json()["fields"]) == {"username", "password", "email"}
    tenants_before = Tenant.objects.count()
    weak = restore(company="新公司", username="newboss", password="1", email="b@example.cn")
    assert weak.status_code == 400 and Tenant.objects.count() == tenants_before
    bad = api.post(
        "/api/v1/backup/restore/",
        {
            "file": SimpleUploadedFile("b.zip", b"not a zip"),
            "target": "new",
            "company": "新公司",
            "username": "newboss",
            "password": "Another-pass-987!",
            "email": "b@example.cn",
        },
        format="multipart",
    )
    assert bad.status_code == 400 and "file" in bad.json()["fields"]
    assert Tenant.objects.count() == tenants_before  # nothing half-made
    assert not User.objects.filter(username="newboss").exists()

    done = restore(
        company="新公司", username="newboss", password="Another-pass-987!", email="b@example.cn"
    )
    assert done.status_code == 201, done.content
    new_tenant = Tenant.objects.get(pk=done.json()["tenant"])
    assert new_tenant.name == "新公司"
    assert Customer.objects.get(tenant=new_tenant).name == "迁移客户"
    assert Customer.objects.filter(tenant=tenant).count() == 1  # the source is untouched
    boss = User.objects.get(username="newboss")
    assert boss.tenant == new_tenant and boss.check_password("Another-pass-987!")
    assert AuditEntry.objects.filter(tenant=tenant, action="restore_to_new_company").exists()
    assert AuditEntry.objects.filter(tenant=new_tenant, action="restore").exists()


@pytest.mark.django_db
def test_only_the_newest_backups_keep_their_files(admin, settings, tmp_path):
    from django.core.files.base import ContentFile

    from crm.imports.backup_jobs import prune_old_backups

    settings.MEDIA_ROOT = str(tmp_path)
    settings.BACKUP_KEEP = 2
    jobs = []
    for i in range(4):
        job = BackupJob.objects.create(
            tenant=admin.tenant, created_by=admin, status=BackupJob.Status.SUCCEEDED
        )
        job.file.save(f"b{i}.zip", ContentFile(b"zip"), save=True)
        jobs.append(job)
    names = [j.file.name for j in jobs]
    assert prune_old_backups(admin.tenant_id) == 2
    kept = {j.pk for j in BackupJob.objects.filter(tenant=admin.tenant).exclude(file="")}
    assert kept == {jobs[2].pk, jobs[3].pk}
    storage = jobs[0].file.storage
    assert [storage.exists(n) for n in names] == [False, False, True, True]
    assert BackupJob.objects.filter(tenant=admin.tenant).count() == 4  # the rows stay
