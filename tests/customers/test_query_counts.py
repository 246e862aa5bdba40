"""List endpoints: the number of queries does not grow with the page size.

The measured numbers are printed (``-s``) for the report.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.activities.services import activity_create
from crm.core.models import DictionaryItem
from crm.customers.services import contact_create, customer_create
from tests.conftest import client_for, make_user
from tests.customers.leads import new_lead

pytestmark = pytest.mark.django_db
ROWS = 120


@pytest.fixture
def populated(admin, sales_team):
    tenant = admin.tenant
    owners = [make_user(admin, "销售代表", team=sales_team) for _ in range(5)]
    sources = list(DictionaryItem.objects.filter(tenant=tenant, kind="source"))
    industries = list(DictionaryItem.objects.filter(tenant=tenant, kind="industry"))
    for i in range(ROWS):
        owner = owners[i % len(owners)]
        lead = new_lead(
            admin, owner=owner, company_name=f"线索{i}", source=sources[i % len(sources)]
        )
        customer = customer_create(
            tenant=tenant,
            actor=admin,
            name=f"客户{i}",
            owner=owner,
            industry=industries[i % len(industries)],
            source=sources[i % len(sources)],
        )
        contact_create(tenant=tenant, actor=admin, customer=customer, name=f"联系人{i}")
        activity_create(tenant=tenant, actor=owner, kind="call", subject=f"电话{i}", lead=lead)
    for _ in range(ROWS):
        make_user(admin, "销售代表", team=sales_team)
    return admin


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


COLLECTIONS = ["leads", "customers", "contacts", "activities", "users"]


def test_list_queries_do_not_grow_with_the_page_size(populated, sales_team):
    measured = {}
    for who, user in (("admin", populated), ("leader", sales_team.leader)):
        client = client_for(user)
        for collection in COLLECTIONS:
            count(client, f"/api/v1/{collection}/?page_size=1")  # warm caches (content types)
            small = count(client, f"/api/v1/{collection}/?page_size=10")
            large = count(client, f"/api/v1/{collection}/?page_size=100")
            page = client.get(f"/api/v1/{collection}/?page_size=100").json()
            assert len(page["results"]) == 100, (who, collection)
            measured[(who, collection)] = (small, large)
            print(f"\nQUERIES {who} GET /api/v1/{collection}/: 10 -> {small}, 100 -> {large}")
    assert all(small == large for small, large in measured.values()), measured
    assert all(large <= 8 for _small, large in measured.values()), measured


def test_lead_detail_with_transitions_is_cheap(populated, sales_team):
    from crm.customers.models import Lead

    lead = Lead.objects.filter(tenant=populated.tenant).first()
    for who, user in (("admin", populated), ("leader", sales_team.leader)):
        client = client_for(user)
        count(client, f"/api/v1/leads/{lead.pk}/")
        n = count(client, f"/api/v1/leads/{lead.pk}/")
        print(f"\nQUERIES {who} GET /api/v1/leads/<id>/ (with transitions): {n}")
        assert n <= 6
