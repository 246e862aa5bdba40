"""Reads never write: approval bands come with sign-up (a registered seed), not with a read.

Before, the first read of a company's bands (the list, a contract's detail, the
approve guard) inserted the defaults inside a GET.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.core.registries import signup_models
from crm.sales import services
from crm.sales.models import ApprovalBand
from crm.sales.selectors import approval_band_for, approval_bands
from tests.conftest import client_for, make_company
from tests.sales import factories as f
from tests.sales.factories import D

pytestmark = pytest.mark.django_db

DEFAULTS = [(D("100000.00"), "sales.contract.approve"), (None, "sales.contract.approve_large")]


def _bands(tenant):
    rows = ApprovalBand.objects.filter(tenant=tenant).values_list("max_amount", "permission")
    return sorted(rows, key=lambda r: (r[0] is None, r[0] or 0))


def _writes(queries) -> list[str]:
    verbs = ("INSERT", "UPDATE", "DELETE")
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(verbs)]


def test_signup_gives_a_company_the_default_bands():
    admin = make_company()
    assert _bands(admin.tenant) == DEFAULTS
    assert ApprovalBand in signup_models()


def test_reading_bands_writes_nothing(admin, rep):
    contract = f.contract(rep, amount="150000.00")
    api = client_for(admin)
    # A company without bands (a state sign-up no longer leaves) must still read cleanly.
    ApprovalBand.objects.filter(tenant=admin.tenant).delete()
    with CaptureQueriesContext(connection) as ctx:
        listed = api.get("/api/v1/approval-bands/")
        detail = api.get(f"/api/v1/contracts/{contract.pk}/")
        band = approval_band_for(admin.tenant, D("150000.00"))
        bands = approval_bands(admin.tenant)
    assert listed.status_code == 200 and listed.json()["count"] == 0
    assert detail.status_code == 200
    assert detail.json()["approval_permission"] == "sales.contract.approve_large"
    assert band.permission == "sales.contract.approve_large" and band.pk is None
    assert [(b.max_amount, b.permission) for b in bands] == DEFAULTS
    assert _writes(ctx.captured_queries) == []
    assert not ApprovalBand.objects.filter(tenant=admin.tenant).exists()


def test_the_approve_guard_writes_nothing(admin, rep):
    contract = f.move(f.contract(rep, amount="150000.00"), "submit", rep)
    ApprovalBand.objects.filter(tenant=admin.tenant).delete()
    api = client_for(admin)
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(f"/api/v1/contracts/{contract.pk}/")
    assert response.status_code == 200
    approve = next(t for t in response.json()["transitions"] if t["name"] == "approve")
    assert "allowed" in approve
    assert _writes(ctx.captured_queries) == []


def test_a_new_band_adds_to_the_seeded_ones(admin):
    services.approval_band_create(
        tenant=admin.tenant,
        actor=admin,
        max_amount=D("500000.00"),
        permission="sales.contract.approve_large",
    )
    assert _bands(admin.tenant) == [
        DEFAULTS[0],
        (D("500000.00"), "sales.contract.approve_large"),
        DEFAULTS[1],
    ]


def test_the_data_migration_seeds_companies_without_bands(admin, other_admin):
    migration = importlib.import_module("crm.sales.migrations.0002_seed_approval_bands")
    ApprovalBand.objects.filter(tenant=admin.tenant).delete()
    ApprovalBand.objects.filter(tenant=other_admin.tenant, max_amount__isnull=False).update(
        max_amount=D("5.00")
    )
    migration.seed_missing_bands(apps, None)
    assert _bands(admin.tenant) == DEFAULTS
    # A company that has bands keeps exactly its own.
    assert _bands(other_admin.tenant) == [(D("5.00"), "sales.contract.approve"), DEFAULTS[1]]


def test_restore_replaces_the_seeded_bands_with_the_backups(admin):
    services.approval_band_create(
        tenant=admin.tenant,
        actor=admin,
        max_amount=D("20000.00"),
        permission="sales.contract.approve",
    )
    ApprovalBand.objects.filter(tenant=admin.tenant, max_amount=D("100000.00")).delete()
    source = _bands(admin.tenant)
    data = b"".join(client_for(admin).get("/api/v1/backup/").streaming_content)
    fresh = make_company()
    restored = client_for(fresh).post(
        "/api/v1/backup/restore/",
        {"file": SimpleUploadedFile("b.zip", data)},
        format="multipart",
    )
    assert restored.status_code == 200, restored.content
    assert (
        _bands(fresh.tenant)
        == source
        == [
            (D("20000.00"), "sales.contract.approve"),
            DEFAULTS[1],
        ]
    )
