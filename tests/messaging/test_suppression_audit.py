"""Suppression list writes are audited like every other write (tenant, actor): adding
an address by hand and taking one off leave an audit entry. The delete takes the
row lock: a row deleted meanwhile answers 404, and of two deletes at once one
removes it (one audit entry), the other answers 404, never a 500."""

from __future__ import annotations

from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType

from crm.core.errors import NotFound
from crm.core.models import AuditEntry
from crm.messaging import services
from crm.messaging.models import Suppression
from tests.conftest import client_for, uses_postgres
from tests.races import race


def _entries(action: str, pk: int):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Suppression), action=action, object_id=pk
    )


@pytest.mark.django_db
def test_adding_and_removing_an_address_is_audited(admin):
    api = client_for(admin)
    made = api.post(
        "/api/v1/suppressions/", {"channel_kind": "sms", "address": "138 0013 8000"}, format="json"
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    created = _entries("create", pk).get()
    assert (created.tenant_id, created.actor_id) == (admin.tenant_id, admin.pk)
    assert created.changes["address"] == "+8613800138000"
    assert created.changes["channel_kind"] == "sms" and created.changes["reason"] == "manual"

    again = api.post(
        "/api/v1/suppressions/", {"channel_kind": "sms", "address": "13800138000"}, format="json"
    )
    assert again.status_code == 400 and "address" in again.json()["fields"]
    assert Suppression.objects.count() == 1 and _entries("create", pk).count() == 1

    assert api.delete(f"/api/v1/suppressions/{pk}/").status_code == 204
    deleted = _entries("delete", pk).get()
    assert (deleted.tenant_id, deleted.actor_id) == (admin.tenant_id, admin.pk)
    assert not Suppression.objects.exists()


@pytest.mark.django_db
def test_a_row_deleted_meanwhile_answers_404(admin):
    row = services.suppression_create(
        tenant=admin.tenant, actor=admin, channel_kind="email", address="a@example.com"
    )
    stale = Suppression.objects.get(pk=row.pk)
    services.suppression_delete(row, tenant=admin.tenant, actor=admin)
    with pytest.raises(NotFound):
        services.suppression_delete(stale, tenant=admin.tenant, actor=admin)
    assert _entries("delete", row.pk).count() == 1


@pytest.mark.skipif(
    not uses_postgres(),
    reason="needs PostgreSQL (DATABASE_URL): SQLite has no row lock for the deletes to wait on",
)
@pytest.mark.django_db(transaction=True)
def test_two_deletes_at_once_remove_the_row_once(admin):
    row = services.suppression_create(
        tenant=admin.tenant, actor=admin, channel_kind="email", address="b@example.com"
    )
    clients = [client_for(admin) for _ in range(4)]
    responses = race(clients, lambda c: c.delete(f"/api/v1/suppressions/{row.pk}/"))
    codes = Counter(r.status_code for r in responses)
    assert codes == {204: 1, 404: 3}, codes
    assert _entries("delete", row.pk).count() == 1


@pytest.mark.skipif(
    not uses_postgres(),
    reason="needs PostgreSQL (DATABASE_URL): SQLite serialises the threads' writes",
)
@pytest.mark.django_db(transaction=True)
def test_one_address_added_at_once_is_on_the_list_once(admin):
    clients = [client_for(admin) for _ in range(4)]
    body = {"channel_kind": "email", "address": "c@example.com"}
    responses = race(clients, lambda c: c.post("/api/v1/suppressions/", body, format="json"))
    codes = Counter(r.status_code for r in responses)
    assert codes == {201: 1, 400: 3}, codes
    row = Suppression.objects.get()
    assert _entries("create", row.pk).count() == 1
