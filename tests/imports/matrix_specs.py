"""Permission-matrix entries for the import and backup endpoints.

``tests/reliability/specs.py`` holds the matrix's RESOURCES / ACTIONS / PATHS and
imports this module at its end, which adds the entries below.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.imports.helpers import csv_bytes
from tests.reliability.specs import ACTIONS, PATHS, RESOURCES, ActionSpec, PathSpec

# Importing customers needs their create and edit codes besides imports.create
# (crm.imports.services.check_codes).
CUSTOMER_CODES = ("customers.create", "customers.edit")


def _customer_csv(ctx) -> bytes:
    return csv_bytes([["客户名称"], [ctx.unique("矩阵导入公司")]])


def _upload(ctx) -> dict:
    """A multipart import request: one new customer."""
    return {
        "resource": "customers",
        "file": SimpleUploadedFile("customers.csv", _customer_csv(ctx), "text/csv"),
    }


def _finished_job(ctx, user) -> int:
    """A finished (succeeded) import of one customer, made by the admin and run here
    (no worker): it can be shown, its errors file built and it can be reverted."""
    from crm.imports.models import ImportJob
    from crm.imports.services import import_job_create, run_job

    job = import_job_create(
        tenant=ctx.tenant,
        actor=ctx.admin,
        resource="customers",
        filename="customers.csv",
        content=_customer_csv(ctx),
    )
    assert run_job(job.pk) == ImportJob.Status.SUCCEEDED, ImportJob._base_manager.get(
        pk=job.pk
    ).detail
    return job.pk


RESOURCES.update({"import": {"make": _finished_job}})

ACTIONS.update(
    {
        ("import", "create"): ActionSpec(
            body=_upload, format="multipart", extra_codes=CUSTOMER_CODES, status=201
        ),
        # Reverting a succeeded import deletes the customer it created.
        ("import", "revert"): ActionSpec(extra_codes=CUSTOMER_CODES),
    }
)

PATHS.update(
    {
        "backup": {"get": PathSpec(code="imports.backup")},
        # Restoring needs a multipart zip and an empty company; the matrix's company
        # always has users besides the caller, and its body is sent as JSON: without
        # a file the allowed caller gets the 400 "choose a backup file" (past 401/403).
        "backup-restore": {"post": PathSpec(code="imports.backup", status=400)},
        # Users from a file: without a file the allowed caller gets the 400 naming it.
        "user-import": {"post": PathSpec(code="users.create", status=400)},
    }
)


def _backup_job(ctx, user) -> int:
    from crm.imports.models import BackupJob

    return BackupJob.objects.create(tenant=ctx.tenant, created_by=ctx.admin).pk


RESOURCES.update({"backup-job": {"make": _backup_job}})
ACTIONS.update(
    {
        ("backup-job", "create"): ActionSpec(body={}, status=202),
        # Without a signature the allowed caller gets the 400 naming it (past 401/403).
        ("backup-job", "download"): ActionSpec(status=400),
    }
)
