"""List exports (filters, scope, neutralisation) and backup -> restore round trips."""

from __future__ import annotations

import csv
import io
import json
import random
import zipfile

import pytest
from rest_framework.test import APIClient

from crm.activities import services as activity_services
from crm.core.models import AuditEntry, Role, Team, User
from crm.core.search import build_search_key
from crm.customers import services as customer_services
from crm.customers.models import Contact, Customer, Lead
from crm.imports.pinyin import search_key
from tests.conftest import client_for, make_company, make_user
from tests.imports.helpers import credit_code, read_xlsx, run

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_export_csv_and_xlsx_with_filters_and_formula_neutralisation(api, tenant, admin):
    finance = tenant and __import__("crm.core.models", fromlist=["DictionaryItem"]).DictionaryItem
    fin = finance.objects.get(tenant=tenant, kind="industry", code="finance")
    customer_services.customer_create(
        tenant=tenant,
        actor=admin,
        name='=HYPERLINK("http://evil")',
        code="+1",
        industry=fin,
        phone="010-12345678",
    )
    customer_services.customer_create(tenant=tenant, actor=admin, name="@SUM(A1)", code="-2")
    customer_services.customer_create(
        tenant=tenant, actor=admin, name="普通公司", code="OK", industry=fin
    )

    rows = _csv(api.get(f"/api/v1/customers/export/?file_format=csv&industry={fin.pk}"))
    assert rows[0][:3] == ["客户编号", "客户名称", "客户类型"]
    assert len(rows) == 3  # the filter applied: 2 finance customers
    names = {r[1] for r in rows[1:]}
    assert names == {'\'=HYPERLINK("http://evil")', "普通公司"}
    assert {r[0] for r in rows[1:]} == {"'+1", "OK"}
    assert {r[4] for r in rows[1:]} == {"金融"}  # dictionary label, not id

    response = api.get("/api/v1/customers/export/?file_format=xlsx&search=putong")
    assert response.status_code == 200
    sheet = read_xlsx(b"".join(response.streaming_content))
    assert len(sheet) == 2 and sheet[1][1] == "普通公司"
    everything = read_xlsx(b"".join(api.get("/api/v1/customers/export/").streaming_content))
    cells = {c for row in everything for c in row if isinstance(c, str)}
    assert "'@SUM(A1)" in cells and "'-2" in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)

    english = api.get(
        "/api/v1/customers/export/?file_format=csv&lang=en", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert _csv(english)[0][:2] == ["customer code", "customer name"]
    assert api.get("/api/v1/customers/export/?file_format=pdf").status_code == 400


def test_export_respects_data_scope_and_permission(api, admin, sales_team):
    rep = make_user(admin, "销售代表", team=sales_team, name="甲")
    manager = sales_team.leader
    customer_services.lead_create(tenant=admin.tenant, actor=rep, company_name="甲的线索")
    customer_services.lead_create(tenant=admin.tenant, actor=admin, company_name="管理员的线索")
    assert client_for(rep).get("/api/v1/leads/export/?file_format=csv").status_code == 403
    rows = _csv(client_for(manager).get("/api/v1/leads/export/?file_format=csv"))
    assert [r[0] for r in rows[1:]] == ["甲的线索"]  # team scope
    assert len(_csv(api.get("/api/v1/leads/export/?file_format=csv"))) == 3


def test_exported_file_reimports_unchanged(api, tenant, admin):
    customer_services.customer_create(
        tenant=tenant,
        actor=admin,
        name="回环公司",
        code="R1",
        credit_code=credit_code(3),
        phone="+8613812345678",
    )
    data = b"".join(api.get("/api/v1/customers/export/?file_format=csv").streaming_content)
    job = run(api, data, name="export.csv")
    assert job["totals"] == {"rows": 1, "new": 0, "updated": 0, "unchanged": 1, "invalid": 0}, job
    contacts = b"".join(api.get("/api/v1/activities/export/?file_format=csv").streaming_content)
    assert contacts.startswith(b"\xef\xbb\xbf")


def test_activity_export_uses_the_serializer_columns(api, tenant, admin):
    lead = customer_services.lead_create(tenant=tenant, actor=admin, company_name="活动公司")
    activity_services.activity_create(
        tenant=tenant, actor=admin, kind="call", subject="+首次电话", lead=lead
    )
    rows = _csv(api.get("/api/v1/activities/export/?file_format=csv"))
    assert len(rows) == 2
    assert "'+首次电话" in rows[1]


def test_backup_then_restore_into_an_empty_tenant(api, tenant, admin, sales_team, rep):
    custom = Role.objects.create(tenant=tenant, name="自定义角色", permissions=["customers.view"])
    sub = Team.objects.create(tenant=tenant, name="二组", parent=sales_team, leader=rep)
    c = customer_services.customer_create(
        tenant=tenant,
        actor=rep,
        name="备份公司",
        code="B1",
        credit_code=credit_code(9),
        industry=__import__("crm.core.models", fromlist=["x"]).DictionaryItem.objects.get(
            tenant=tenant, kind="industry", code="it"
        ),
    )
    customer_services.contact_create(
        tenant=tenant, actor=rep, customer=c, name="联系人甲", mobile="+8613811112222"
    )
    lead = customer_services.lead_create(
        tenant=tenant, actor=rep, company_name="备份线索", mobile="+8613833334444", need="要CRM"
    )
    activity_services.activity_create(
        tenant=tenant, actor=rep, kind="call", subject="电话", lead=lead
    )
    custom_user = make_user(admin, "自定义角色", team=sub, name="组员")
    custom_user.roles.add(custom)

    response = api.get("/api/v1/backup/")
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(archive.read("manifest.json"))
    labels = {m["label"]: m["rows"] for m in manifest["models"]}
    assert labels["customers.customer"] == 1 and labels["customers.lead"] == 1
    users = json.loads(archive.read("core.user.json"))
    assert all("password" not in u for u in users)

    # A brand-new company restores it.
    new_admin = make_company("恢复公司")
    new_api = client_for(new_admin)
    from django.core.files.uploadedfile import SimpleUploadedFile

    restored = new_api.post(
        "/api/v1/backup/restore/", {"file": SimpleUploadedFile("b.zip", data)}, format="multipart"
    )
    assert restored.status_code == 200, restored.content
    target = new_admin.tenant
    c2 = Customer.objects.get(tenant=target)
    assert (c2.name, c2.code, c2.credit_code, c2.search_key) == (
        c.name,
        c.code,
        c.credit_code,
        c.search_key,
    )
    assert c2.industry.tenant == target and c2.industry.code == "it"
    assert c2.pk != c.pk and c2.created_at == Customer.objects.get(pk=c.pk).created_at
    new_rep = User.objects.get(tenant=target, full_name="李销售")
    assert c2.owner == new_rep and new_rep.username != rep.username
    assert not new_rep.has_usable_password()
    assert new_rep.team.name == "销售一部" and new_rep.team.tenant == target
    new_sub = Team.objects.get(tenant=target, name="二组")
    assert new_sub.parent.name == "销售一部" and new_sub.leader == new_rep
    assert new_rep.team.leader.full_name == "王经理"
    member = User.objects.get(tenant=target, full_name="组员")
    assert {r.name for r in member.roles.all()} == {"自定义角色"}
    assert Role.objects.filter(tenant=target, name="管理员").count() == 1  # matched, not doubled
    contact = Contact.objects.get(tenant=target)
    assert contact.customer == c2
    lead2 = Lead.objects.get(tenant=target)
    assert lead2.activities.get().subject == "电话" and lead2.activity_count == 1
    history = new_api.get(f"/api/v1/customers/{c2.pk}/history/").json()
    assert history and history[-1]["action"] == "create"
    assert AuditEntry.objects.filter(tenant=target, action="restore").exists()
    # The source company is untouched, and a non-empty company refuses.
    assert Customer.objects.get(pk=c.pk).tenant == tenant
    again = new_api.post(
        "/api/v1/backup/restore/", {"file": SimpleUploadedFile("b.zip", data)}, format="multipart"
    )
    assert again.status_code == 400
    # The restored data's backup is the same data.
    second = zipfile.ZipFile(io.BytesIO(b"".join(new_api.get("/api/v1/backup/").streaming_content)))
    second_labels = {
        m["label"]: m["rows"] for m in json.loads(second.read("manifest.json"))["models"]
    }
    for label in (
        "customers.customer",
        "customers.contact",
        "customers.lead",
        "core.team",
        "activities.activity",
    ):
        assert second_labels[label] == labels[label]


def test_backup_needs_the_backup_permission(admin, sales_team):
    manager = sales_team.leader
    assert client_for(manager).get("/api/v1/backup/").status_code == 403
    assert APIClient().get("/api/v1/backup/").status_code in (401, 403)


def test_fast_search_key_equals_the_core_one():
    rng = random.Random(7)
    pieces = [
        "北京",
        "重庆",
        "长安",
        "银行",
        "行长",
        "朝阳",
        "华信",
        "科技",
        "有限公司",
        "ABC",
        "(集团)",
        "１２３",
        "乐乐",
        "了",
        "重",
        "长",
        "会计",
        "音乐",
        "Ｘ",
        " ",
        "〇",
        "Ⅱ",
        "·",
        "&",
        "é",
        "ｶﾞ",
        "2024",
        "㐀",
        "𠀀",
    ]
    for _ in range(3000):
        name = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        assert search_key(name, phones=("+8613800001111",)) == build_search_key(
            name, phones=("+8613800001111",)
        ), name


def test_phone_shortcut_gives_the_api_validators_answers():
    from django.core.exceptions import ValidationError

    from crm.core.validators import normalize_phone
    from crm.imports.cleaners import phone

    rng = random.Random(3)
    samples = [
        "010-62345678",
        "0755-12345678",
        "0138-12345678",
        "013-812345678",
        "0138-1234567",
        "021-1234567",
        "0101-23456789",
        "0186-00000000",
    ]
    for _ in range(3000):
        area = "0" + "".join(rng.choice("0123456789") for _ in range(rng.randint(2, 3)))
        local = "".join(rng.choice("0123456789") for _ in range(rng.randint(7, 8)))
        samples.append(f"{area}-{local}")
    for value in samples:
        try:
            expected = normalize_phone(value)
        except ValidationError:
            expected = "error"
        try:
            got = phone(value)
        except ValidationError:
            got = "error"
        assert got == expected, value
