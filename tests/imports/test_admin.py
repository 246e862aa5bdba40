"""The Django admin's import/export uses the same resources (the superuser's tool)."""

from __future__ import annotations

from pathlib import Path

import import_export
import pytest
from django.conf import settings
from django.test import override_settings

from crm.core.models import AuditEntry, User
from crm.customers.models import Contact, Customer
from tests.imports.helpers import admin_import, admin_preview, credit_code, csv_bytes, read_xlsx

pytestmark = pytest.mark.django_db

# ``import_export`` is not in INSTALLED_APPS (crm/settings.py is not this module's
# file): its templates and tag library are made visible for these tests only.
# Overriding INSTALLED_APPS instead would reload the app registry and break the
# tests that run after these.
_engine = settings.TEMPLATES[0]
WITH_IMPORT_EXPORT = [
    {
        **_engine,
        "DIRS": [*_engine["DIRS"], Path(import_export.__file__).parent / "templates"],
        "OPTIONS": {
            **_engine["OPTIONS"],
            "libraries": {"import_export_tags": "import_export.templatetags.import_export_tags"},
        },
    }
]


@pytest.fixture
def superuser_client(client):
    user = User.objects.create_superuser("root", "root@example.cn", "Root-pass-1234!")
    client.force_login(user)
    return client


@override_settings(TEMPLATES=WITH_IMPORT_EXPORT)
def test_admin_imports_a_gbk_csv_into_the_chosen_company(superuser_client, tenant, admin):
    content = csv_bytes(
        [
            ["客户编号", "客户名称", "统一社会信用代码", "行业"],
            ["A1", "管理后台公司", credit_code(5), "金融"],
            ["A2", "第二公司", "", "教育"],
        ],
        encoding="gbk",
    )
    page = superuser_client.get("/admin/customers/customer/import/")
    assert page.status_code == 200
    html, fields = admin_preview(
        superuser_client, "/admin/customers/customer/", tenant, content, "gbk.csv"
    )
    assert "管理后台公司" in html
    assert not Customer.objects.filter(tenant=tenant).exists()  # the admin's dry run
    done = superuser_client.post("/admin/customers/customer/process_import/", fields)
    assert done.status_code == 302, done.content[:500]
    customer = Customer.objects.get(tenant=tenant, code="A1")
    assert customer.industry.label == "金融" and customer.credit_code == credit_code(5)
    assert customer.owner is None  # a superuser is nobody's colleague
    assert "glht" in customer.search_key
    assert AuditEntry.objects.filter(tenant=tenant, action="import", object_id=customer.pk).exists()

    # The same file again: matched by code, nothing new.
    admin_preview(superuser_client, "/admin/customers/customer/", tenant, content, "gbk.csv")
    assert Customer.objects.filter(tenant=tenant).count() == 2


@override_settings(TEMPLATES=WITH_IMPORT_EXPORT)
def test_admin_contact_import_and_export(superuser_client, tenant, admin):
    from crm.customers import services

    services.customer_create(tenant=tenant, actor=admin, name="有联系人的公司", code="K7")
    content = csv_bytes([["客户编号", "姓名", "手机"], ["K7", "王五", "13912345678"]])
    admin_import(superuser_client, "/admin/customers/contact/", tenant, content, "c.csv")
    contact = Contact.objects.get(tenant=tenant, name="王五")
    assert contact.customer.code == "K7" and contact.mobile == "+8613912345678"

    exported = superuser_client.post(
        "/admin/customers/customer/export/",
        {"format": 0, "resource": 0, "customerresource_name": "on", "customerresource_phone": "on"},
    )
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("application/vnd"), exported.content.decode()[-3000:]
    rows = read_xlsx(exported.content)
    assert rows[0][:2] == ["客户编号", "客户名称"]
    assert ["K7", "有联系人的公司"] == list(rows[1][:2])
