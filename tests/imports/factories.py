"""Factories for the endpoint walkers (tests/core/factories.py)."""

from __future__ import annotations

from crm.core.models import User
from crm.imports.models import BackupJob, ImportJob
from crm.imports.services import import_job_create
from tests.core.factories import factory
from tests.imports.helpers import csv_bytes


@factory(ImportJob)
def make_import_job(admin: User) -> ImportJob:
    return import_job_create(
        tenant=admin.tenant,
        actor=admin,
        resource="customers",
        filename="walker.csv",
        content=csv_bytes([["客户名称"], ["走查公司"]]),
        dry_run=True,
    )


@factory(BackupJob)
def make_backup_job(admin: User) -> BackupJob:
    from crm.imports.backup_jobs import backup_job_create

    return backup_job_create(tenant=admin.tenant, actor=admin)
