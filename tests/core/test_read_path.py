"""The read path of issue 19: list pages from values() rows, the user's roles
read with the token, one record's company from the request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from crm.core import services
from crm.core.models import Role
from crm.customers.models import Lead
from tests.conftest import client_for, make_user, uses_postgres

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


@pytest.mark.skipif(
    not uses_postgres(),
    reason="needs PostgreSQL (DATABASE_URL; CI sets it): the roles ride in the token's "
    "query as a JSONB aggregate, a PostgreSQL function; SQLite reads them in a query of their own",
)
def test_the_roles_come_with_the_token_in_one_query(api, admin):
    _lead(admin)
    queries = _queries(api, "/api/v1/leads/")
    roles = [q for q in queries if "core_user_roles" in q]
    assert len(roles) == 1 and '"core_apitoken"' in roles[0]  # the token's own query
    assert len(queries) == 3  # token with user, company and roles; count; page


def test_the_count_does_not_join_the_shown_relations(api, admin):
    _lead(admin)
    count = next(q for q in _queries(api, "/api/v1/leads/") if "COUNT(" in q)
    assert "JOIN" not in count


def test_a_permission_taken_away_is_refused_on_the_next_request(admin, sales_team):
    rep = make_user(admin, "销售代表", team=sales_team)
    client = client_for(rep)
    assert client.get("/api/v1/leads/").status_code == 200
    with scopes_disabled():
        role = Role.objects.get(tenant=admin.tenant, name="销售代表")
    codes = [c for c in role.permissions if not c.startswith("leads.")]
    services.role_update(role, tenant=admin.tenant, actor=admin, permissions=codes)
    assert client.get("/api/v1/leads/").status_code == 403


def test_a_role_taken_from_the_user_is_seen_at_once(admin, sales_team):
    rep = make_user(admin, "销售代表", team=sales_team)
    client = client_for(rep)
    assert client.get("/api/v1/leads/").status_code == 200
    services.user_update(rep, tenant=admin.tenant, actor=admin, roles=[])
    assert client.get("/api/v1/leads/").status_code == 403


def test_one_record_reads_its_company_from_the_request(api, admin):
    lead = _lead(admin)
    api.get(f"/api/v1/leads/{lead.pk}/")
    queries = _queries(api, f"/api/v1/leads/{lead.pk}/")
    record = [q for q in queries if "customers_lead" in q]
    assert len(record) == 1
    assert '"core_tenant"' not in record[0]
    assert api.get(f"/api/v1/leads/{lead.pk}/").json()["transitions"]  # the guards ran
