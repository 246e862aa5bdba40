"""Import jobs: the uploaded file, the job's state and progress, and what it changed.

An ``ImportJob`` row is the source of truth of an import (like a ``Reminder``
row for reminders): the broker only carries its id. The worker claims the job
(``status`` + ``heartbeat_at``), applies the file in chunks and records a
checkpoint with every committed chunk, so a crashed worker's job is resumed
from the last committed chunk, or fails with a clear error; it is never left
half-applied without saying so. ``ImportRecord`` rows remember every row the
import created or updated (with the previous values) so the import can be
reverted while nothing newer touched those rows.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.core.models import TenantModel


class ImportJob(TenantModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    class OnError(models.TextChoices):
        ABORT = "abort", _("import nothing if a row is invalid")
        SKIP = "skip", _("import the valid rows, skip the invalid ones")

    resource = models.CharField(_("data"), max_length=50)
    filename = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("file format"), max_length=10)
    options = models.JSONField(_("options"), default=dict, blank=True)
    dry_run = models.BooleanField(_("preview only"), default=False)
    on_error = models.CharField(
        _("on error"), max_length=10, choices=OnError.choices, default=OnError.ABORT
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    totals = models.JSONField(_("totals"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # What the import saw: column mapping, ignored columns, preview rows.
    result = models.JSONField(default=dict, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    # Resume point: source rows (data rows, in file order) whose effect is committed.
    checkpoint_rows = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reverted_at = models.DateTimeField(_("reverted at"), null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [
            models.Index(fields=["tenant", "-created_at"]),
            models.Index(fields=["status", "heartbeat_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.resource} #{self.pk}"


class ImportFile(models.Model):
    """The uploaded bytes, kept in the database so any worker machine can read them."""

    job = models.OneToOneField(
        ImportJob, primary_key=True, on_delete=models.CASCADE, related_name="file"
    )
    content = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    # The failed rows with an error column (xlsx), built once by the worker: the
    # download serves it and never parses the upload in a web process.
    errors_xlsx = models.BinaryField(null=True, blank=True)

    def __str__(self) -> str:
        return f"file of import #{self.job_id}"


class ImportRecord(models.Model):
    """One row created or updated by an import: what revert needs."""

    # Written in bulk, one per imported row: no database constraint checks per
    # row (Django applies ``on_delete``; the importer writes ids it holds), and
    # only the (job, content_type, object_id) index.
    job = models.ForeignKey(
        ImportJob,
        on_delete=models.CASCADE,
        related_name="records",
        db_constraint=False,
        db_index=False,
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    object_id = models.BigIntegerField()
    created = models.BooleanField(default=False)
    # The row's ``version`` right after the import: revert refuses if it moved since.
    version = models.PositiveIntegerField(default=1)
    # For updates: the previous values of the changed fields (attnames, JSON-safe).
    previous = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["job", "content_type", "object_id"])]

    def __str__(self) -> str:
        return f"import #{self.job_id}: {self.content_type_id}/{self.object_id}"


class BackupJob(TenantModel):
    """A backup of the whole company, made by the worker (``tasks.imports.run_backup``).

    The row is the source of truth (status, progress); the zip goes to Django's
    storage under ``backups/`` and is downloaded through a signed link that
    expires (``crm.imports.backup_jobs``).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    file = models.FileField(_("file"), upload_to="backups/", blank=True, max_length=200)
    size = models.BigIntegerField(_("size"), default=0)
    rows = models.JSONField(_("rows"), default=dict, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("backup")
        verbose_name_plural = _("backups")
        indexes = [models.Index(fields=["tenant", "-created_at"])]

    def __str__(self) -> str:
        return f"backup #{self.pk}"
