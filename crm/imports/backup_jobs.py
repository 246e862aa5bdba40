"""Backups made in the background, downloaded through a link that expires, and a
restore into a new company.

``backup_job_create`` writes a ``BackupJob`` row and enqueues ``run_backup``
after the commit; the worker (``run_backup_job``) claims the row, writes the
zip (``crm.imports.backup.write_backup``) with its progress, stores it through
Django's storage API and marks the job done. A redelivered message finds the
job finished (or running and fresh) and does nothing. The download link
carries a signature (``django.core.signing``) that expires after
``BACKUP_LINK_MAX_AGE`` seconds; every start, download and restore is audited.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from crm.core import audit
from crm.core import services as core_services
from crm.core.errors import Invalid
from crm.imports import backup
from crm.imports.models import BackupJob

log = logging.getLogger(__name__)
SALT = "crm.imports.backup-download"
STALE_AFTER = dt.timedelta(hours=2)


def link_max_age() -> int:
    return int(getattr(settings, "BACKUP_LINK_MAX_AGE", 3600))


def backup_job_create(*, tenant, actor) -> BackupJob:
    """Start a backup of the whole company in the background."""
    with transaction.atomic():
        job = BackupJob.objects.create(tenant=tenant, created_by=actor)
        audit.record(tenant=tenant, actor=actor, action="backup", obj=job, changes={})
        transaction.on_commit(lambda: enqueue(job.pk))
    return job


def enqueue(job_id: int) -> None:
    from tasks.imports import run_backup

    run_backup.send(job_id)


def _claim(job_id: int) -> BackupJob | None:
    with transaction.atomic():
        job = BackupJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (BackupJob.Status.SUCCEEDED, BackupJob.Status.FAILED):
            return None
        now = timezone.now()
        if job.status == BackupJob.Status.RUNNING and job.started_at > now - STALE_AFTER:
            return None  # another worker is on it
        job.status = BackupJob.Status.RUNNING
        job.started_at = now
        job.progress = 0
        job.save(update_fields=["status", "started_at", "progress"])
    return job


def run_backup_job(job_id: int) -> str:
    """The worker's side: write the zip, store it, finish the job (idempotent)."""
    job = _claim(job_id)
    if job is None:
        return "skipped"
    with scope(tenant=job.tenant_id):

        def progress(done: int, total: int) -> None:
            percent = min(99, done * 100 // total)
            if percent > job.progress:
                job.progress = percent
                BackupJob.objects.filter(pk=job.pk).update(progress=percent)

        try:
            with tempfile.TemporaryFile() as out:
                manifest = backup.write_backup(job.tenant, out, progress=progress)
                size = out.tell()
                out.seek(0)
                stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
                job.file.save(f"backup-{job.tenant_id}-{stamp}.zip", File(out), save=False)
        except Exception as exc:  # a failed job says so; it is never left running
            log.exception("backup job %s failed", job.pk)
            BackupJob.objects.filter(pk=job.pk).update(
                status=BackupJob.Status.FAILED,
                detail=_("The backup failed: %(error)s") % {"error": exc},
                finished_at=timezone.now(),
            )
            return "failed"
        job.status = BackupJob.Status.SUCCEEDED
        job.progress = 100
        job.size = size
        job.rows = {m["label"]: m["rows"] for m in manifest["models"]}
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "progress", "size", "rows", "finished_at", "file"])
    prune_old_backups(job.tenant_id)
    return "succeeded"


def keep_count() -> int:
    return int(getattr(settings, "BACKUP_KEEP", 5))


def prune_old_backups(tenant_id: int) -> int:
    """Delete the files of all but the newest ``BACKUP_KEEP`` backups (the rows stay,
    for the audit trail); returns how many files went."""
    done = BackupJob.objects.filter(tenant_id=tenant_id, status=BackupJob.Status.SUCCEEDED).exclude(
        file=""
    )
    old = list(done.order_by("-created_at", "-pk")[keep_count() :])
    for job in old:
        job.file.delete(save=False)
        BackupJob.objects.filter(pk=job.pk).update(file="")
    return len(old)


def download_signature(job: BackupJob) -> str:
    return signing.dumps({"job": job.pk, "tenant": job.tenant_id}, salt=SALT, compress=True)


def check_signature(job: BackupJob, signature: str) -> None:
    """Invalid unless ``signature`` was made for this job and has not expired."""
    try:
        data = signing.loads(signature or "", salt=SALT, max_age=link_max_age())
    except signing.SignatureExpired:
        raise Invalid(
            fields={"signature": [_("This download link has expired: open the backup page again.")]}
        ) from None
    except signing.BadSignature:
        raise Invalid(fields={"signature": [_("This download link is not valid.")]}) from None
    if data.get("job") != job.pk or data.get("tenant") != job.tenant_id:
        raise Invalid(fields={"signature": [_("This download link is not valid.")]})
    if job.status != BackupJob.Status.SUCCEEDED or not job.file:
        raise Invalid(fields={"signature": [_("This backup is not ready.")]})


def record_download(job: BackupJob, *, actor) -> None:
    audit.record(tenant=job.tenant, actor=actor, action="backup_download", obj=job, changes={})


def restore_into_new_company(
    upload, *, tenant, actor, company: str, username: str, password: str, email: str
) -> dict:
    """Create a new company (with its administrator) and restore the backup into it.

    All or nothing: a backup that cannot be restored leaves no half-made company.
    The source company's audit log records where its backup went.
    """
    with transaction.atomic():
        admin = core_services.tenant_signup(
            company=company, username=username, password=password, email=email
        )
        with scope(tenant=admin.tenant_id):
            summary = backup.restore_backup(upload, tenant=admin.tenant, actor=admin)
        audit.record(
            tenant=tenant,
            actor=actor,
            action="restore_to_new_company",
            obj=tenant,
            changes={"company": company, "tenant": admin.tenant_id, "username": username},
        )
    return {**summary, "tenant": admin.tenant_id, "username": admin.username}
