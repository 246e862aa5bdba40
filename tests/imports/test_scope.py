"""Imports keep the data scope: a row may only match and update a record its user may edit.

A user whose role has the "own" scope imports rows whose natural keys name
another user's customer or lead: a dry run and a real run both answer the
same row error, reveal nothing of the record, change nothing (not even the
owner, the take-over the owner column would allow) and create no duplicate.
"""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from crm.core import services as core
from crm.core.permissions import registry
from crm.customers import services as customer_services
from crm.customers.models import Contact, Customer, Lead
from tests.conftest import client_for, make_user
from tests.imports.helpers import csv_bytes, run

pytestmark = pytest.mark.django_db


def hidden_message() -> str:
    """The row error, in the importing user's language (Simplified Chinese)."""
    with translation.override("zh-hans"):
        return gettext("No such record you may edit.")


@pytest.fixture
def reps(admin):
    """Two users who may import everything but only see their own rows."""
    role = core.role_create(
        tenant=admin.tenant,
        actor=admin,
        name="导入专员",
        permissions=list(registry.codes()),
        data_scope="own",
    )
    return make_user(admin, role.name), make_user(admin, role.name)


@pytest.fixture
def theirs(admin, reps):
    """The second rep's customer and lead, with data the first must never learn."""
    _mine, other = reps
    customer = customer_services.customer_create(
        tenant=admin.tenant,
        actor=other,
        code="S-001",
        name="乙方保密科技有限公司",
        remark="底价 88 万",
    )
    lead = customer_services.lead_create(
        tenant=admin.tenant,
        actor=other,
        company_name="乙方线索公司",
        contact_name="王五",
        mobile="+8613912345678",
        need="机密需求",
    )
    return customer, lead


def _assert_refused(job, column_header: str, value: str) -> None:
    assert job["totals"]["invalid"] == 1, (job["totals"], job["errors"], job["detail"])
    assert job["totals"]["updated"] == 0 and job["totals"]["new"] == 0, job
    [error] = job["errors"]
    assert error == {"row": 2, "column": column_header, "value": value, "message": hidden_message()}
    [preview] = job["result"]["preview"]
    assert preview["action"] == "invalid" and preview["changes"] == []


@pytest.mark.parametrize("dry_run", [True, False])
def test_own_scope_cannot_update_or_take_over_another_users_customer(tenant, reps, theirs, dry_run):
    mine, other = reps
    customer, _lead = theirs
    api = client_for(mine)
    content = csv_bytes(
        [["客户编号", "客户名称", "负责人", "备注"], ["S-001", "改名公司", mine.username, "改掉"]]
    )
    job = run(api, content, dry_run=dry_run, on_error="skip")
    _assert_refused(job, "客户编号", "S-001")
    assert "底价" not in str(job) and other.username not in str(job)
    customer.refresh_from_db()
    assert customer.owner == other and customer.name == "乙方保密科技有限公司"
    assert customer.remark == "底价 88 万" and customer.version == 1
    assert Customer.objects.filter(tenant=tenant).count() == 1


def test_a_name_match_is_refused_too_never_a_duplicate(tenant, reps, theirs):
    mine, _other = reps
    content = csv_bytes([["客户名称", "电话"], ["乙方保密科技有限公司", "010-62345678"]])
    job = run(client_for(mine), content, on_error="skip")
    _assert_refused(job, "客户名称", "乙方保密科技有限公司")
    assert Customer.objects.filter(tenant=tenant).count() == 1
    assert Customer.objects.get(tenant=tenant).phone == ""


@pytest.mark.parametrize("dry_run", [True, False])
def test_own_scope_cannot_take_over_another_users_lead(tenant, reps, theirs, dry_run):
    mine, other = reps
    _customer, lead = theirs
    content = csv_bytes(
        [["公司名称", "手机", "负责人", "需求"], ["随便公司", "13912345678", mine.username, "x"]]
    )
    job = run(client_for(mine), content, resource="leads", dry_run=dry_run, on_error="skip")
    _assert_refused(job, "手机", "+8613912345678")
    assert "机密需求" not in str(job) and "乙方线索公司" not in str(job)
    lead.refresh_from_db()
    assert lead.owner == other and lead.company_name == "乙方线索公司"
    assert lead.need == "机密需求"
    assert Lead.objects.filter(tenant=tenant).count() == 1


def test_own_rows_still_update_and_other_users_customers_are_not_found(tenant, reps, theirs):
    mine, _other = reps
    own = customer_services.customer_create(
        tenant=tenant, actor=mine, code="M-001", name="甲方自己的公司"
    )
    api = client_for(mine)
    job = run(api, csv_bytes([["客户编号", "客户名称"], ["M-001", "甲方新名字"]]))
    assert job["totals"]["updated"] == 1, job
    own.refresh_from_db()
    assert own.name == "甲方新名字"

    # A contact may only be attached to a customer the user sees: another user's
    # customer answers like a code nobody has.
    contact = run(
        api,
        csv_bytes([["客户编号", "姓名"], ["S-001", "赵六"], ["M-001", "钱七"]]),
        resource="contacts",
        on_error="skip",
    )
    assert contact["totals"]["new"] == 1 and contact["totals"]["invalid"] == 1, contact
    [error] = contact["errors"]
    assert error["row"] == 2 and error["column"] == "客户编号" and error["value"] == "S-001"
    assert error["message"] == "没有客户编号为“S-001”的客户。"
    assert list(Contact.objects.filter(tenant=tenant).values_list("name", flat=True)) == ["钱七"]


def test_all_scope_still_updates_everyones_rows(api, tenant, reps, theirs):
    customer, _lead = theirs
    job = run(api, csv_bytes([["客户编号", "客户名称"], ["S-001", "管理员改的名字"]]))
    assert job["totals"]["updated"] == 1, job
    customer.refresh_from_db()
    assert customer.name == "管理员改的名字"
