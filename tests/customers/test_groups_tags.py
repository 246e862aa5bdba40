"""Customer groups and free tags: set on the customer or in bulk from a list
selection (ids or the current filter), filtering every list and the export."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.customers.models import Customer, CustomerGroup, CustomerTag
from crm.customers.services import customer_create
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _group(api, name="重点客户"):
    response = api.post("/api/v1/customer-groups/", {"name": name}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_customer_in_several_groups_with_tags_filters_the_list(api, admin):
    a, b = _group(api, "华东重点"), _group(api, "展会")
    made = api.post(
        "/api/v1/customers/",
        {"name": "上海甲公司", "groups": [a["id"], b["id"]], "tags": ["VIP", " 老客户 ", "VIP"]},
        format="json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert sorted(body["groups"]) == sorted([a["id"], b["id"]])
    assert body["tags"] == ["VIP", "老客户"]
    customer_create(tenant=admin.tenant, actor=admin, name="无标签公司")

    def names(query):
        response = api.get(f"/api/v1/customers/?{query}")
        assert response.status_code == 200, response.content
        return [r["name"] for r in response.json()["results"]]

    assert names(f"group={a['id']}") == ["上海甲公司"]
    assert names("tag=VIP") == ["上海甲公司"]
    assert names("tag=VIP,老客户") == ["上海甲公司"]
    assert names("tag=没有") == []
    export = api.get(f"/api/v1/customers/export/?group={b['id']}&file_format=csv")
    assert export.status_code == 200
    content = b"".join(export.streaming_content) if export.streaming else export.content
    text = content.decode("utf-8-sig")
    assert "上海甲公司" in text and "无标签公司" not in text
    # editing replaces them
    edited = api.patch(
        f"/api/v1/customers/{body['id']}/", {"groups": [b["id"]], "tags": []}, format="json"
    ).json()
    assert edited["groups"] == [b["id"]] and edited["tags"] == []
    groups = api.get("/api/v1/customer-groups/").json()["results"]
    assert {g["name"]: g["customer_count"] for g in groups} == {"华东重点": 0, "展会": 1}


def test_bad_tags_and_duplicate_group_names_are_400(api):
    _group(api, "重复")
    again = api.post("/api/v1/customer-groups/?lang=en", {"name": "重复"}, format="json")
    assert again.status_code == 400 and "name" in again.json()["fields"]
    long_tag = api.post(
        "/api/v1/customers/?lang=en", {"name": "甲", "tags": ["x" * 31]}, format="json"
    )
    assert long_tag.status_code == 400 and "tags" in long_tag.json()["fields"]
    assert not Customer.objects.filter(name="甲").exists()


def test_bulk_label_by_ids_and_by_filter_in_constant_queries(api, admin):
    group = _group(api)
    customers = [
        customer_create(tenant=admin.tenant, actor=admin, name=f"客户{i}", region="华东")
        for i in range(30)
    ]
    chosen = [c.pk for c in customers[:5]]
    response = api.post(
        "/api/v1/customers/bulk-label/",
        {"ids": chosen, "add_groups": [group["id"]], "add_tags": ["展会2026"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"customers": 5, "added": 10, "removed": 0}
    listed = api.get(f"/api/v1/customers/?group={group['id']}").json()
    assert sorted(r["id"] for r in listed["results"]) == sorted(chosen)
    assert all(r["tags"] == ["展会2026"] for r in listed["results"])

    def label_all(tag):
        with CaptureQueriesContext(connection) as ctx:
            r = api.post(
                "/api/v1/customers/bulk-label/?region=华东",
                {"add_tags": [tag], "add_groups": [group["id"]]},
                format="json",
            )
        assert r.status_code == 200, r.content
        return len(ctx.captured_queries), r.json()

    few, result = label_all("a")
    assert result["customers"] == 30
    for i in range(70):
        customer_create(tenant=admin.tenant, actor=admin, name=f"更多{i}", region="华东")
    many, result = label_all("b")
    assert result["customers"] == 100
    print(f"\nbulk label by filter: {few} queries for 30 customers, {many} for 100")
    assert many == few, (few, many)
    assert CustomerTag.objects.filter(name="b").count() == 100
    assert CustomerGroup.objects.get(pk=group["id"]).customers.count() == 100
    removed = api.post(
        "/api/v1/customers/bulk-label/",
        {"ids": chosen, "remove_groups": [group["id"]], "remove_tags": ["a", "b"]},
        format="json",
    ).json()
    assert removed == {"customers": 5, "added": 0, "removed": 15}


def test_bulk_label_refuses_unknown_ids_and_empty_changes(api, admin, other_admin):
    mine = customer_create(tenant=admin.tenant, actor=admin, name="我的")
    theirs = customer_create(tenant=other_admin.tenant, actor=other_admin, name="别人的")
    unknown = api.post(
        "/api/v1/customers/bulk-label/?lang=en",
        {"ids": [mine.pk, theirs.pk], "add_tags": ["x"]},
        format="json",
    )
    assert unknown.status_code == 400 and "ids" in unknown.json()["fields"]
    nothing = api.post("/api/v1/customers/bulk-label/", {"ids": [mine.pk]}, format="json")
    assert nothing.status_code == 400
    assert not CustomerTag.objects.exists()


def test_a_rep_labels_only_customers_in_scope(admin, rep):
    api_rep = client_for(rep)
    mine = customer_create(tenant=admin.tenant, actor=rep, name="代表的")
    customer_create(tenant=admin.tenant, actor=admin, name="管理员的")
    response = api_rep.post("/api/v1/customers/bulk-label/", {"add_tags": ["t"]}, format="json")
    assert response.status_code == 200, response.content
    assert list(CustomerTag.objects.values_list("customer_id", flat=True)) == [mine.pk]


def test_list_queries_do_not_grow_with_tags_and_groups(api, admin, django_assert_max_num_queries):
    group = _group(api)
    for i in range(3):
        c = customer_create(tenant=admin.tenant, actor=admin, name=f"c{i}", tags=["x", "y"])
        c.groups.add(group["id"])
    with CaptureQueriesContext(connection) as few:
        api.get("/api/v1/customers/")
    for i in range(30):
        c = customer_create(tenant=admin.tenant, actor=admin, name=f"d{i}", tags=["x", "z"])
        c.groups.add(group["id"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = api.get("/api/v1/customers/").json()["results"]
    assert all(r["groups"] == [group["id"]] for r in rows)
