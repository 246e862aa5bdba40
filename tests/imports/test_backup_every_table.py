"""Backup -> restore into a new company round-trips every business table.

The tables come from the models (``crm.imports.backup.backup_models``: every
``TenantModel`` of every app), and each is filled through the endpoint walkers'
factories (``tests/<area>/factories.py``), so a new module's tables are covered
as soon as it registers its factories. Per table: the row count, and the values
of its plain columns (not keys, not ids) as a multiset.
"""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django_scopes import scopes_disabled

from crm.core.models import AuditEntry, Tenant, User
from crm.imports import backup
from tests.conftest import client_for, make_company
from tests.core import factories

pytestmark = pytest.mark.django_db

# Columns that legitimately differ in the restored company.
USER_SKIP = {"username", "password", "last_login", "is_staff", "is_superuser"}


def _generic(model) -> bool:
    names = {f.attname for f in model._meta.concrete_fields}
    return "content_type_id" in names and "object_id" in names


def _plain(model) -> list[str]:
    return [
        f.attname
        for f in model._meta.concrete_fields
        if not f.primary_key
        and not f.is_relation
        and not isinstance(f, models.FileField)  # a new copy, a new name (checked below)
        and not (f.unique and f.has_default())  # keys unique across companies: new ones
        and f.attname not in ("tenant_id", "object_id")
        and not (model is User and f.attname in USER_SKIP)
    ]


def _values(model, tenant, *, rows=None) -> Counter:
    names = _plain(model)
    qs = rows if rows is not None else model._base_manager.filter(tenant=tenant)
    return Counter(tuple(repr(v) for v in row) for row in qs.values_list(*names))


def _restorable(model, tenant):
    """Rows of a generic-reference model whose record is part of the backup."""
    keep = []
    for row in model._base_manager.filter(tenant=tenant):
        if row.content_type_id is None:
            keep.append(row.pk)
            continue
        target = ContentType.objects.get_for_id(row.content_type_id).model_class()
        if target is Tenant or (
            target is not None
            and target in backup.backup_models()
            and target._base_manager.filter(pk=row.object_id).exists()
        ):
            keep.append(row.pk)
    return model._base_manager.filter(pk__in=keep)


def test_every_business_table_round_trips(admin):
    factories.load_all()
    made = []
    for model in backup.backup_models():
        found = factories.FACTORIES.get(model._meta.concrete_model)
        if found is not None and model is not User:
            found.make(admin)
            made.append(model)
    factories.make(User, admin)
    tenant = admin.tenant

    with scopes_disabled():
        source = {m: m._base_manager.filter(tenant=tenant).count() for m in backup.backup_models()}
        filled = [m for m, n in source.items() if n]
        # Every table a factory exists for is in the test; the others are filled as
        # side effects (lines, logs, reminders) or stay empty.
        assert set(made) <= set(filled)
        assert len(filled) >= len(backup.backup_models()) * 2 // 3, sorted(
            m._meta.label for m in backup.backup_models() if m not in filled
        )
        generic_source = {
            m: _restorable(m, tenant).count() for m in backup.backup_models() if _generic(m)
        }
        expected_values = {
            m: _values(m, tenant, rows=_restorable(m, tenant))
            if _generic(m)
            else _values(m, tenant)
            for m in filled
        }

    data = backup.backup_bytes(tenant)
    new_admin = make_company("还原公司")
    target = new_admin.tenant
    with scopes_disabled():
        before = {m: m._base_manager.filter(tenant=target).count() for m in backup.backup_models()}
        before_ids = {
            m: set(m._base_manager.filter(tenant=target).values_list("pk", flat=True))
            for m in backup.backup_models()
            if _generic(m)
        }
    restored = client_for(new_admin).post(
        "/api/v1/backup/restore/",
        {"file": SimpleUploadedFile("b.zip", io.BytesIO(data).read())},
        format="multipart",
    )
    assert restored.status_code == 200, restored.json()

    problems = []
    with scopes_disabled():
        for model in backup.backup_models():
            label = model._meta.label
            after = model._base_manager.filter(tenant=target)
            if model is User:
                # The new company's administrator plus every restored user.
                if after.count() != source[User] + 1:
                    problems.append(f"{label}: {after.count()} != {source[User]} + 1")
                got = _values(User, target, rows=after.exclude(pk=new_admin.pk))
            elif _generic(model):
                new_rows = after.exclude(pk__in=before_ids[model])
                if model is AuditEntry:
                    new_rows = new_rows.exclude(action="restore")
                if new_rows.count() != generic_source[model]:
                    problems.append(f"{label}: {new_rows.count()} != {generic_source[model]}")
                got = _values(model, target, rows=new_rows)
            else:
                if after.count() != max(source[model], before[model]):
                    problems.append(f"{label}: {after.count()} rows, source {source[model]}")
                got = _values(model, target)
            if model in expected_values and got != expected_values[model]:
                missing = expected_values[model] - got
                problems.append(f"{label}: values differ, e.g. {list(missing)[:1]}")
    assert not problems, "\n".join(problems)
    # Files (attachments) come back as copies with the same content.
    with scopes_disabled():
        for model in filled:
            for f in model._meta.concrete_fields:
                if not isinstance(f, models.FileField):
                    continue
                old = [
                    getattr(o, f.attname)
                    for o in model._base_manager.filter(tenant=tenant).order_by("pk")
                ]
                new = [
                    getattr(o, f.attname)
                    for o in model._base_manager.filter(tenant=target).order_by("pk")
                ]
                for a, b in zip([x for x in old if x], [x for x in new if x], strict=True):
                    assert a.name != b.name
                    with a.open("rb") as one, b.open("rb") as two:
                        assert one.read() == two.read()


def test_the_table_list_comes_from_the_models():
    labels = {m._meta.label for m in backup.backup_models()}
    every = {
        m._meta.label
        for m in __import__("django.apps", fromlist=["apps"]).apps.get_models()
        if any(isinstance(f, models.ForeignKey) and f.name == "tenant" for f in m._meta.fields)
        and m._meta.app_label not in backup.EXCLUDED_APPS
    }
    assert every <= labels, every - labels
