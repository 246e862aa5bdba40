"""The suppression list's write path is a messaging service (the API calls it), and
rows kept before the list had one spelling are rewritten to it by a data migration,
spellings of one address merged into the oldest row."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from crm.messaging import mass_api, services
from crm.messaging.models import Suppression
from tests.conftest import client_for, make_company

migration = importlib.import_module("crm.messaging.migrations.0006_suppression_one_spelling")


@pytest.mark.django_db
def test_the_suppression_list_is_written_by_the_messaging_services(admin):
    viewset = mass_api.SuppressionViewSet
    assert viewset.create_service is services.suppression_create
    assert viewset.delete_service is services.suppression_delete
    assert not hasattr(mass_api, "suppression_create")

    row = services.suppression_create(
        tenant=admin.tenant, actor=admin, channel_kind="sms", address="138 0013 8000"
    )
    assert (row.address, row.reason) == ("+8613800138000", "manual")
    with pytest.raises(services.Invalid) as refused:
        services.suppression_create(
            tenant=admin.tenant, actor=admin, channel_kind="sms", address="13800138000"
        )
    assert "address" in refused.value.fields
    with pytest.raises(services.Invalid) as refused:
        services.suppression_create(
            tenant=admin.tenant, actor=admin, channel_kind="wecom", address="x"
        )
    assert "channel_kind" in refused.value.fields

    # Through the API, as before.
    api = client_for(admin)
    made = api.post(
        "/api/v1/suppressions/",
        {"channel_kind": "email", "address": "A@Example.com"},
        format="json",
    )
    assert made.status_code == 201 and made.json()["address"] == "a@example.com"
    assert api.delete(f"/api/v1/suppressions/{made.json()['id']}/").status_code == 204
    assert list(Suppression.objects.values_list("address", flat=True)) == ["+8613800138000"]


def _row(tenant, kind, address, reason, days_ago):
    row = Suppression.objects.create(
        tenant=tenant, channel_kind=kind, address=address, reason=reason
    )
    Suppression.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    return row.pk


@pytest.mark.django_db
def test_the_migration_gives_old_rows_one_spelling_and_keeps_the_oldest_of_each(admin):
    tenant, other = admin.tenant, make_company().tenant
    # Written as typed, before the list normalized (the newest first: ids do not
    # decide which row is the oldest).
    newest = _row(tenant, "sms", "+8613800138000", "link", 1)
    reply = _row(tenant, "sms", "13800138000", "reply", 5)
    oldest = _row(tenant, "sms", "138 0013 8000", "manual", 30)
    fullwidth = _row(tenant, "sms", "０086 139-0013-9000", "manual", 3)
    odd = _row(tenant, "sms", " 12345 ", "manual", 3)
    mail_new = _row(tenant, "email", "foo@example.com", "link", 2)
    mail_old = _row(tenant, "email", " Foo@Example.COM ", "manual", 9)
    # Another company's same number is its own row.
    theirs = _row(other, "sms", "138-0013-8000", "reply", 1)

    migration.normalize(apps, None)

    rows = {
        pk: (tenant_id, kind, address, reason)
        for pk, tenant_id, kind, address, reason in Suppression.objects.values_list(
            "pk", "tenant_id", "channel_kind", "address", "reason"
        )
    }
    assert rows == {
        oldest: (tenant.pk, "sms", "+8613800138000", "manual"),
        fullwidth: (tenant.pk, "sms", "+8613900139000", "manual"),
        odd: (tenant.pk, "sms", "12345", "manual"),
        mail_old: (tenant.pk, "email", "foo@example.com", "manual"),
        theirs: (other.pk, "sms", "+8613800138000", "reply"),
    }
    assert newest not in rows and reply not in rows and mail_new not in rows

    # Run again (or on rows written since): nothing changes.
    migration.normalize(apps, None)
    assert Suppression.objects.count() == 5


def test_the_migrations_copy_of_the_spelling_matches_the_live_one():
    from crm.messaging import unsubscribe

    for kind, address in (
        ("sms", "138 0013 8000"),
        ("sms", "＋86 138 0013 8000"),
        ("sms", "0086-13800138000"),
        ("sms", "010 6552 9988"),
        ("sms", " not a number "),
        ("email", " A.B@Example.COM "),
        ("wecom", " user1 "),
    ):
        assert migration.address_key(kind, address) == unsubscribe.address_key(kind, address)
