"""Customers, contacts and leads: CRUD, validation and normalisation through the API."""

from __future__ import annotations

import pytest

from crm.core.models import DictionaryItem
from crm.customers.models import Contact, Customer, Lead
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_customer_crud_with_normalised_fields(api, admin):
    industry = DictionaryItem.objects.get(tenant=admin.tenant, kind="industry", code="it")
    created = api.post(
        "/api/v1/customers/",
        {
            "name": "北京科技有限公司",
            "credit_code": "91350100m000100y43",
            "industry": industry.pk,
            "phone": "１３８ 1234 5678",
            "region": "北京",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["credit_code"] == "91350100M000100Y43"
    assert body["phone"] == "+8613812345678"
    assert (body["industry_label"], body["owner"], body["version"]) == (
        "信息技术/互联网",
        admin.pk,
        1,
    )
    url = f"/api/v1/customers/{body['id']}/"
    updated = api.patch(url, {"level": None, "address": "中关村"}, format="json")
    assert updated.status_code == 200 and updated.json()["version"] == 2
    assert api.delete(url).status_code == 204
    assert not Customer.objects.filter(pk=body["id"]).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "A", "credit_code": "91350100M000100Y44"}, "credit_code"),
        ({"name": "A", "credit_code": "123"}, "credit_code"),
        ({"name": "A", "phone": "call me"}, "phone"),
        ({"name": ""}, "name"),
        ({"name": "A", "kind": "alien"}, "kind"),
        ({"name": "A", "industry": 987654}, "industry"),
    ],
)
def test_customer_validation(api, body, field):
    response = api.post("/api/v1/customers/?lang=en", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]


def test_credit_code_error_names_the_problem(api):
    response = api.post(
        "/api/v1/customers/?lang=en",
        {"name": "A", "credit_code": "91350100M000100Y44"},
        format="json",
    )
    assert response.json()["fields"]["credit_code"] == [
        "The check character of this unified social credit code is wrong."
    ]


def test_a_dictionary_item_of_another_kind_is_refused(api, admin):
    level = DictionaryItem.objects.get(tenant=admin.tenant, kind="level", code="a")
    response = api.post("/api/v1/customers/", {"name": "A", "industry": level.pk}, format="json")
    assert response.status_code == 400 and "industry" in response.json()["fields"]


def test_contacts(api, admin):
    customer = api.post("/api/v1/customers/", {"name": "客户"}, format="json").json()
    created = api.post(
        "/api/v1/contacts/",
        {
            "customer": customer["id"],
            "name": "张三",
            "mobile": "0086 139-0000-1111",
            "birthday": "1990-05-01",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["mobile"] == "+8613900001111"
    assert created.json()["customer_name"] == "客户"
    bad = api.post(
        "/api/v1/contacts/?lang=en",
        {"customer": customer["id"], "name": "李四", "mobile": "12345"},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["fields"] == {"mobile": ["“12345” is not a valid mobile number."]}
    missing = api.post("/api/v1/contacts/", {"name": "王五"}, format="json")
    assert missing.status_code == 400 and "customer" in missing.json()["fields"]
    filtered = api.get(f"/api/v1/contacts/?customer={customer['id']}").json()
    assert [c["name"] for c in filtered["results"]] == ["张三"]
    assert Contact.objects.count() == 1


def test_lead_fields_and_filters(api, admin, rep):
    source = DictionaryItem.objects.get(tenant=admin.tenant, kind="source", code="website")
    created = api.post(
        "/api/v1/leads/",
        {"company_name": "线索A", "source": source.pk, "owner": rep.pk, "email": "a@b.cn"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert (created.json()["owner"], created.json()["source_label"]) == (rep.pk, "官网")
    api.post("/api/v1/leads/", {"company_name": "线索B"}, format="json")
    by_owner = api.get(f"/api/v1/leads/?owner={rep.pk}").json()
    assert [r["company_name"] for r in by_owner["results"]] == ["线索A"]
    by_status = api.get("/api/v1/leads/?status=new&status=pooled").json()
    assert by_status["count"] == 2
    assert api.get("/api/v1/leads/?status=bogus").status_code == 400
    assert api.get("/api/v1/leads/?pool=true").json()["count"] == 0
    ordered = api.get("/api/v1/leads/?ordering=company_name").json()["results"]
    assert [r["company_name"] for r in ordered] == ["线索A", "线索B"]
    # the list rows never compute transitions
    assert "transitions" not in ordered[0]


def test_lead_status_cannot_be_written(api, admin):
    lead = api.post("/api/v1/leads/", {"company_name": "线索"}, format="json").json()
    response = api.patch(
        f"/api/v1/leads/{lead['id']}/", {"status": "converted", "customer": 1}, format="json"
    )
    assert response.status_code == 200
    assert Lead.objects.get(pk=lead["id"]).status == "new"
    assert Lead.objects.get(pk=lead["id"]).customer_id is None


def test_lead_mobile_validation(api):
    response = api.post(
        "/api/v1/leads/?lang=en", {"company_name": "x", "mobile": "12345678901"}, format="json"
    )
    assert response.status_code == 400
    assert "mobile" in response.json()["fields"]


def test_a_rep_cannot_delete(admin, rep):
    client = client_for(rep)
    lead = client.post("/api/v1/leads/", {"company_name": "自己的线索"}, format="json").json()
    assert lead["owner"] == rep.pk
    assert client.delete(f"/api/v1/leads/{lead['id']}/").status_code == 403
    customer = client.post("/api/v1/customers/", {"name": "自己的客户"}, format="json").json()
    assert client.delete(f"/api/v1/customers/{customer['id']}/").status_code == 403


def test_page_size_is_capped(api, admin):
    for i in range(3):
        api.post("/api/v1/leads/", {"company_name": f"线索{i}"}, format="json")
    body = api.get("/api/v1/leads/?page_size=1").json()
    assert body["count"] == 3 and len(body["results"]) == 1 and body["next"]
    assert len(api.get("/api/v1/leads/?page_size=100000").json()["results"]) == 3


def test_activities(api, admin):
    lead = api.post("/api/v1/leads/", {"company_name": "线索"}, format="json").json()
    nothing = api.post(
        "/api/v1/activities/?lang=en", {"kind": "call", "subject": "无关联"}, format="json"
    )
    assert nothing.status_code == 400
    # An activity may point at any of these records; with none, each is named.
    links = {"lead", "customer", "contact", "opportunity", "contract", "complaint"}
    assert set(nothing.json()["fields"]) == links
    call = api.post(
        "/api/v1/activities/",
        {"kind": "call", "subject": "电话", "lead": lead["id"]},
        format="json",
    )
    assert call.status_code == 201, call.content
    assert call.json()["owner"] == admin.pk and call.json()["occurred_at"]
    assert api.get(f"/api/v1/leads/{lead['id']}/").json()["activity_count"] == 1
    bad_kind = api.post(
        "/api/v1/activities/", {"kind": "party", "subject": "x", "lead": lead["id"]}, format="json"
    )
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()["fields"]
