"""A customer keeps its code (客户编号) and its mobile (手机) from import to API, search and export.

The code was imported but missing from the API, its filters and its search;
a legacy file with both 电话 and 手机 kept only one of them.
"""

from __future__ import annotations

import csv
import io

import pytest

from crm.customers import services as customer_services
from crm.customers.models import Customer
from crm.imports.formats import strip_neutraliser
from tests.imports.helpers import run

pytestmark = pytest.mark.django_db


def _legacy(api) -> Customer:
    content = (
        "客户编号,客户名称,电话,手机\nKH-0042,华东精密机械有限公司,021-61234567,139 1234 5678\n"
    )
    job = run(api, content.encode("gbk"))
    assert job["status"] == "succeeded" and job["totals"]["new"] == 1, job
    return Customer.objects.get(code="KH-0042")


def test_a_legacy_file_keeps_both_the_phone_and_the_mobile(api, tenant):
    customer = _legacy(api)
    assert customer.phone == "021-61234567"
    assert customer.mobile == "+8613912345678"  # normalised like a contact's mobile
    # Searchable by either number.
    assert "13912345678" in customer.search_key and "02161234567" in customer.search_key


def test_code_and_mobile_in_the_api_list_detail_filter_and_search(api, tenant, admin):
    customer = _legacy(api)
    customer_services.customer_create(tenant=tenant, actor=admin, code="KH-0043", name="别家公司")
    listed = api.get("/api/v1/customers/?code=KH-0042").json()
    assert listed["count"] == 1
    [row] = listed["results"]
    assert row["code"] == "KH-0042" and row["mobile"] == "+8613912345678"
    assert row["phone"] == "021-61234567"
    detail = api.get(f"/api/v1/customers/{customer.pk}/").json()
    assert detail["code"] == "KH-0042" and detail["mobile"] == "+8613912345678"
    for query in ("KH-0042", "kh-0042", "华东精密", "13912345678"):
        found = api.get("/api/v1/customers/", {"search": query}).json()
        assert [r["id"] for r in found["results"]] == [customer.pk], query


def test_the_export_has_the_code_and_the_mobile(api, tenant):
    _legacy(api)
    response = api.get("/api/v1/customers/export/?file_format=csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    header, row = list(csv.reader(io.StringIO(body[1:])))
    assert "客户编号" in header and "手机" in header
    assert row[header.index("客户编号")] == "KH-0042"
    # Neutralised against formula injection; a re-import strips the apostrophe.
    assert strip_neutraliser(row[header.index("手机")]) == "+8613912345678"


def test_the_api_validates_the_mobile_and_keeps_codes_unique(api, tenant):
    bad = api.post("/api/v1/customers/", {"name": "手机不对公司", "mobile": "12345"}, format="json")
    assert bad.status_code == 400 and "mobile" in bad.json()["fields"], bad.json()
    ok = api.post(
        "/api/v1/customers/",
        {"name": "编号公司", "code": "KH-9", "mobile": "13800001111"},
        format="json",
    )
    assert ok.status_code == 201, ok.json()
    assert ok.json()["code"] == "KH-9" and ok.json()["mobile"] == "+8613800001111"
    again = api.post("/api/v1/customers/", {"name": "重号公司", "code": "KH-9"}, format="json")
    assert again.status_code == 400 and "code" in again.json()["fields"], again.json()
    # Changing its own record keeps its own code.
    pk = ok.json()["id"]
    same = api.patch(f"/api/v1/customers/{pk}/", {"code": "KH-9", "mobile": ""}, format="json")
    assert same.status_code == 200 and same.json()["mobile"] == "", same.json()
