"""An import never drops a column silently.

The preview lists the columns it will not store; a real run with a column
that is neither mapped nor ignored on purpose (``ignore_columns``, or a
mapping to "") is refused, naming it, and writes nothing.
"""

from __future__ import annotations

import pytest

from crm.customers.models import Customer, Lead
from tests.imports.helpers import csv_bytes, run, upload

pytestmark = pytest.mark.django_db

FILE = csv_bytes(
    [
        ["客户编号", "客户名称", "电话", "联系电话", "旧系统ID"],
        ["K-1", "留痕科技有限公司", "010-62345678", "010-88886666", "OLD-9"],
    ]
)


def test_the_preview_lists_the_columns_it_will_not_store(api, tenant):
    job = run(api, FILE, dry_run=True)
    assert job["status"] == "succeeded", job
    # 联系电话 is a second header for the phone: only the first one would be stored.
    assert job["result"]["unmapped_columns"] == ["联系电话", "旧系统ID"]
    assert job["result"]["ignored_columns"] == ["联系电话", "旧系统ID"]
    assert job["result"]["read_only_columns"] == []


def test_a_real_run_with_unmapped_columns_is_refused_naming_them(api, tenant):
    job = run(api, FILE)
    assert job["status"] == "failed", job
    assert "联系电话" in job["detail"] and "旧系统ID" in job["detail"], job["detail"]
    assert job["result"]["unmapped_columns"] == ["联系电话", "旧系统ID"]  # for the wizard
    assert not Customer.objects.filter(tenant=tenant).exists()


def test_ignored_or_mapped_columns_let_it_run(api, tenant):
    ignored = run(api, FILE, ignore_columns='["联系电话", "旧系统ID"]')
    assert ignored["status"] == "succeeded", ignored
    assert ignored["options"]["ignore_columns"] == ["联系电话", "旧系统ID"]
    assert ignored["result"]["unmapped_columns"] == []
    assert ignored["result"]["ignored_columns"] == ["联系电话", "旧系统ID"]
    customer = Customer.objects.get(tenant=tenant, code="K-1")
    assert customer.phone == "010-62345678"

    # A mapping to "" ignores a column too; a header may be mapped elsewhere instead.
    mapped = run(api, FILE, mapping='{"旧系统ID": "", "联系电话": "remark"}')
    assert mapped["status"] == "succeeded", mapped
    customer.refresh_from_db()
    assert customer.remark == "010-88886666"


def test_export_only_columns_are_listed_and_never_block(api, tenant):
    content = csv_bytes([["公司名称", "状态", "创建日期"], ["只读列公司", "新线索", "2024-01-01"]])
    job = run(api, content, resource="leads")
    assert job["status"] == "succeeded", job
    assert job["result"]["read_only_columns"] == ["状态", "创建日期"]
    assert job["result"]["unmapped_columns"] == []
    assert Lead.objects.filter(tenant=tenant, company_name="只读列公司").exists()


def test_ignore_columns_must_be_a_list_of_headers(api):
    response = upload(api, FILE, ignore_columns='{"旧系统ID": true}')
    assert response.status_code == 400
    assert "ignore_columns" in response.json()["fields"]
    response = upload(api, FILE, ignore_columns="not json")
    assert response.status_code == 400
    assert "ignore_columns" in response.json()["fields"]
