"""Customers keep an e-mail and a remark: API, services, import (邮箱/备注), export."""

from __future__ import annotations

import csv
import io

import pytest

from crm.core.errors import Invalid
from crm.customers import services
from crm.customers.models import Customer
from tests.customers.leads import lead_in_state
from tests.imports.helpers import csv_bytes, run

pytestmark = pytest.mark.django_db


def test_api_stores_and_validates_the_email_and_remark(api, tenant):
    created = api.post(
        "/api/v1/customers/",
        {"name": "有邮箱的公司", "email": "sales@example.cn", "remark": "老客户，年底续约"},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["email"], body["remark"]) == ("sales@example.cn", "老客户，年底续约")

    bad = api.patch(f"/api/v1/customers/{body['id']}/", {"email": "不是邮箱"}, format="json")
    assert bad.status_code == 400
    assert "email" in bad.json()["fields"]
    assert Customer.objects.get(pk=body["id"]).email == "sales@example.cn"


def test_services_check_the_email_like_the_api(tenant, admin):
    with pytest.raises(Invalid) as err:
        services.customer_create(tenant=tenant, actor=admin, name="坏邮箱", email="a@b@c")
    assert list(err.value.fields) == ["email"]
    customer = services.customer_create(
        tenant=tenant, actor=admin, name="全角邮箱", email=" ｉｎｆｏ＠example.cn "
    )
    assert customer.email == "info@example.cn"  # full-width folded, trimmed
    with pytest.raises(Invalid):
        services.customer_update(customer, tenant=tenant, actor=admin, email="nope")
    services.customer_update(customer, tenant=tenant, actor=admin, email="", remark="备注")
    customer.refresh_from_db()
    assert (customer.email, customer.remark, customer.version) == ("", "备注", 2)


def test_import_stores_email_and_remark_and_export_round_trips(api, tenant):
    rows = [
        ["客户编号", "客户名称", "邮箱", "备注"],
        ["E1", "邮箱公司", "boss@example.cn", "重要客户  "],
        ["E2", "坏邮箱公司", "boss-at-example", ""],  # row 3
        ["E3", "全角邮箱公司", "ｓａｌｅｓ＠example.cn", "多行\n备注"],
    ]
    job = run(api, csv_bytes(rows, encoding="gbk"), on_error="skip")
    assert job["totals"] == {"rows": 3, "new": 2, "updated": 0, "unchanged": 0, "invalid": 1}
    assert [(e["row"], e["column"]) for e in job["errors"]] == [(3, "邮箱")]
    assert job["result"]["ignored_columns"] == []
    first = Customer.objects.get(tenant=tenant, code="E1")
    assert (first.email, first.remark) == ("boss@example.cn", "重要客户")
    assert Customer.objects.get(tenant=tenant, code="E3").email == "sales@example.cn"

    exported = api.get("/api/v1/customers/export/?file_format=csv")
    text = b"".join(exported.streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    header = table[0]
    assert "邮箱" in header and "备注" in header
    by_code = {row[header.index("客户编号")]: row for row in table[1:]}
    assert by_code["E1"][header.index("邮箱")] == "boss@example.cn"
    assert by_code["E3"][header.index("备注")] == "多行\n备注"
    again = run(api, text.encode("utf-8"), name="export.csv")
    assert again["totals"] == {"rows": 2, "new": 0, "updated": 0, "unchanged": 2, "invalid": 0}

    changed = run(
        api, csv_bytes([["客户编号", "客户名称", "邮箱"], ["E1", "邮箱公司", "new@x.cn"]])
    )
    assert changed["totals"]["updated"] == 1
    first.refresh_from_db()
    assert (first.email, first.remark) == ("new@x.cn", "重要客户")  # a missing column keeps


def test_a_converted_lead_gives_its_email_to_the_new_customer(admin):
    lead = lead_in_state(admin, "converted", email="lead@example.cn")
    assert lead.customer.email == "lead@example.cn"
