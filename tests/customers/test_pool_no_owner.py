"""A customer made with no owner is in the public pool, where it can be claimed.

``customer_create`` on a system path (``actor=None``, no owner) and the Django
admin's import by a superuser (nobody's colleague) made customers with no owner
but the status "owned": listed in the pool yet not claimable, since claim only
starts from the pooled status. They now enter the pool as a released customer
does (pooled status, ``pooled_at``).
"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings

from crm.core.models import AuditEntry
from crm.customers.models import Customer
from crm.customers.services import customer_create
from tests.conftest import client_for
from tests.imports.helpers import admin_import, csv_bytes
from tests.imports.test_admin import WITH_IMPORT_EXPORT, superuser_client  # noqa: F401
from workflows.models import Reminder

pytestmark = pytest.mark.django_db


def _claim(user, customer) -> dict:
    claimed = client_for(user).post(f"/api/v1/customers/{customer.pk}/transitions/claim/", {})
    assert claimed.status_code == 200, claimed.content
    return claimed.json()


def _in_pool_list(user) -> set[int]:
    listed = client_for(user).get("/api/v1/customers/?pool=true")
    assert listed.status_code == 200, listed.content
    return {c["id"] for c in listed.json()["results"]}


def test_a_system_made_customer_without_owner_is_pooled_and_can_be_claimed(tenant, rep):
    customer = customer_create(tenant=tenant, actor=None, name="系统创建的客户")
    customer.refresh_from_db()
    assert customer.owner_id is None and customer.owned_since is None
    assert customer.status == "pooled" and customer.pooled_at is not None
    ct = ContentType.objects.get_for_model(Customer)
    assert not Reminder.objects.filter(content_type=ct, object_id=customer.pk).exists()
    created = AuditEntry.objects.get(content_type=ct, action="create", object_id=customer.pk)
    assert created.changes["status"] == "pooled"
    assert customer.pk in _in_pool_list(rep)

    claimed = _claim(rep, customer)
    assert (claimed["status"], claimed["owner"]) == ("owned", rep.pk)
    customer.refresh_from_db()
    assert customer.pooled_at is None and customer.owned_since is not None


def test_a_customer_with_an_owner_or_a_creator_is_owned(tenant, admin, rep):
    mine = customer_create(tenant=tenant, actor=admin, name="管理员的客户")
    theirs = customer_create(tenant=tenant, actor=None, name="分配的客户", owner=rep)
    for customer, owner in ((mine, admin), (theirs, rep)):
        customer.refresh_from_db()
        assert (customer.status, customer.owner_id, customer.pooled_at) == ("owned", owner.pk, None)


@override_settings(TEMPLATES=WITH_IMPORT_EXPORT)
def test_a_superusers_admin_import_puts_ownerless_customers_in_the_pool(
    superuser_client,  # noqa: F811
    tenant,
    admin,
    rep,
):
    content = csv_bytes(
        [
            ["客户编号", "客户名称", "负责人"],
            ["P1", "后台导入的公司", ""],  # nobody owns it: the pool
            ["P2", "有负责人的公司", rep.username],
        ]
    )
    admin_import(superuser_client, "/admin/customers/customer/", tenant, content, "p.csv")
    pooled = Customer.objects.get(tenant=tenant, code="P1")
    assert (pooled.status, pooled.owner_id) == ("pooled", None)
    assert pooled.pooled_at is not None
    owned = Customer.objects.get(tenant=tenant, code="P2")
    assert (owned.status, owned.owner_id, owned.pooled_at) == ("owned", rep.pk, None)

    claimed = _claim(rep, pooled)
    assert (claimed["status"], claimed["owner"]) == ("owned", rep.pk)


def test_the_api_import_of_a_user_is_owned_by_them(api, tenant, admin):
    """The API importer's user owns new rows (unchanged): owned, not pooled."""
    from tests.imports.helpers import run

    job = run(api, csv_bytes([["客户编号", "客户名称"], ["Q1", "接口导入的公司"]]))
    assert job["status"] == "succeeded", job
    made = Customer.objects.get(tenant=tenant, code="Q1")
    assert (made.status, made.owner_id, made.pooled_at) == ("owned", admin.pk, None)


def test_clearing_an_owned_customers_owner_is_refused_release_is_the_way(tenant, admin, rep):
    customer = customer_create(tenant=tenant, actor=None, name="有主客户", owner=rep)
    answer = client_for(admin).patch(
        f"/api/v1/customers/{customer.pk}/?lang=en", {"owner": None}, format="json"
    )
    assert answer.status_code == 400, answer.content
    assert answer.json()["fields"]["owner"] == [
        "Release the customer to the public pool instead of clearing its owner."
    ]
    customer.refresh_from_db()
    assert (customer.owner_id, customer.status) == (rep.pk, "owned")
