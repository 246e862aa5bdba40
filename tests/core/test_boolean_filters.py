"""Boolean list filters read 1/0 (and true/false, yes/no) and refuse anything else:
``?pool=1`` answered every customer instead of the pool's (and exported them all)."""

from __future__ import annotations

import pytest

from crm.customers.models import Customer
from crm.customers.services import customer_create
from tests.conftest import client_for
from workflows.engine import transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_pooled(admin):
    kept = customer_create(tenant=admin.tenant, actor=admin, name="自有客户", owner=admin)
    pooled = customer_create(tenant=admin.tenant, actor=admin, name="公海客户", owner=admin)
    transition(
        model=Customer,
        pk=pooled.pk,
        name="release",
        tenant=admin.tenant,
        actor=admin,
        inputs={"reason": "闲置"},
    )
    return kept, pooled


@pytest.mark.parametrize(
    ("value", "expect"),
    [("1", "pooled"), ("TRUE", "pooled"), ("0", "kept"), ("No", "kept")],
)
def test_the_pool_filter_reads_one_and_zero(admin, one_pooled, value, expect):
    kept, pooled = one_pooled
    wanted = {"kept": kept, "pooled": pooled}[expect]
    body = client_for(admin).get("/api/v1/customers/", {"pool": value}).json()
    assert [row["id"] for row in body["results"]] == [wanted.pk]


def test_a_model_boolean_reads_one_and_zero(admin):
    api = client_for(admin)
    pinned = api.post("/api/v1/announcements/", {"title": "置顶", "pinned": True}, format="json")
    api.post("/api/v1/announcements/", {"title": "普通"}, format="json")
    assert pinned.status_code == 201, pinned.content
    rows = api.get("/api/v1/announcements/", {"pinned": "1"}).json()["results"]
    assert [row["title"] for row in rows] == ["置顶"]
    rows = api.get("/api/v1/announcements/", {"pinned": "0"}).json()["results"]
    assert [row["title"] for row in rows] == ["普通"]


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v1/customers/", "pool"),
        ("/api/v1/customers/export/", "pool"),
        ("/api/v1/tasks/", "overdue"),
        ("/api/v1/announcements/", "pinned"),
    ],
)
def test_a_boolean_filter_refuses_other_words(admin, one_pooled, url, name):
    response = client_for(admin).get(url, {name: "maybe", "lang": "en"})
    assert response.status_code == 400, response.content
    assert response.json()["fields"] == {name: ["Send true or false."]}
