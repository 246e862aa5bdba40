"""The read path of issue 19: list pages from values() rows, roles cached per
process until the company's roles change, one record's company from the request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from crm.core import services
from crm.core.models import Role, Tenant
from crm.customers.models import Lead
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return [q["sql"] for q in ctx.captured_queries]


def _lead(admin, **extra) -> Lead:
    with scopes_disabled():
        return Lead.objects.create(
            tenant=admin.tenant, company_name="值行公司", need="CRM", owner=admin, **extra
        )


def test_the_lead_list_selects_only_the_columns_it_shows(api, admin):
    _lead(admin)
    api.get("/api/v1/leads/")
    page = [q for q in _queries(api, "/api/v1/leads/?page_size=50") if "customers_lead" in q]
    rows = next(q for q in page if "COUNT(" not in q)
    # The owner's name is read; the owner's password hash and the company's JSON are not.
    assert '"core_user"."full_name"' in rows
    assert '"core_user"."password"' not in rows
    assert '"marketing_marketingevent"."description"' not in rows
    assert '"core_tenant"' not in rows


def test_a_lead_without_owner_or_campaign_lists_nulls_like_the_record(api, admin):
    lead = _lead(admin)
    with scopes_disabled():
        Lead.objects.filter(pk=lead.pk).update(owner=None)
    row = next(r for r in api.get("/api/v1/leads/").json()["results"] if r["id"] == lead.pk)
    card = api.get(f"/api/v1/leads/{lead.pk}/").json()
    assert row["owner"] is None and row["owner_name"] is None
    assert row["campaign_name"] is None
    for key, value in row.items():
        assert card[key] == value, key


def test_roles_are_read_once_until_they_change(api, admin):
    url = "/api/v1/leads/"
    api.get(url)
    first = _queries(api, url)
    assert not any("core_user_roles" in q for q in first)  # cached from the warm-up request
    with scopes_disabled():
        role = Role.objects.get(tenant=admin.tenant, name="销售代表")
    services.role_update(role, tenant=admin.tenant, actor=admin, permissions=["leads.view"])
    after_change = _queries(api, url)
    assert any("core_user_roles" in q for q in after_change)  # read again, once
    assert not any("core_user_roles" in q for q in _queries(api, url))


def test_a_permission_taken_away_is_refused_on_the_next_request(admin, sales_team):
    rep = make_user(admin, "销售代表", team=sales_team)
    client = client_for(rep)
    assert client.get("/api/v1/leads/").status_code == 200
    assert client.get("/api/v1/leads/").status_code == 200  # now from the cache
    with scopes_disabled():
        role = Role.objects.get(tenant=admin.tenant, name="销售代表")
    codes = [c for c in role.permissions if not c.startswith("leads.")]
    services.role_update(role, tenant=admin.tenant, actor=admin, permissions=codes)
    assert client.get("/api/v1/leads/").status_code == 403


def test_a_role_taken_from_the_user_is_seen_at_once(admin, sales_team):
    rep = make_user(admin, "销售代表", team=sales_team)
    client = client_for(rep)
    assert client.get("/api/v1/leads/").status_code == 200
    version = Tenant.objects.get(pk=admin.tenant_id).roles_version
    services.user_update(rep, tenant=admin.tenant, actor=admin, roles=[])
    assert Tenant.objects.get(pk=admin.tenant_id).roles_version > version
    assert client.get("/api/v1/leads/").status_code == 403


def test_one_record_reads_its_company_from_the_request(api, admin):
    lead = _lead(admin)
    api.get(f"/api/v1/leads/{lead.pk}/")
    queries = _queries(api, f"/api/v1/leads/{lead.pk}/")
    record = [q for q in queries if "customers_lead" in q]
    assert len(record) == 1
    assert '"core_tenant"' not in record[0]
    assert api.get(f"/api/v1/leads/{lead.pk}/").json()["transitions"]  # the guards ran
