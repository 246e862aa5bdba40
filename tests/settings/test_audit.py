"""The audit browser (issue 17): /api/v1/audit/ for admins, filtered, exported."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from tests.conftest import client_for
from tests.customers.leads import new_lead


@pytest.fixture
def trail(admin, rep):
    leads = [new_lead(admin, owner=rep, company_name=f"公司{i}") for i in range(3)]
    client_for(admin).patch("/api/v1/modules/", {"marketing": False}, format="json")
    return leads


@pytest.mark.django_db
def test_filters_by_record_module_action_and_user(api, admin, rep, trail):
    lead = trail[0]
    rows = api.get(f"/api/v1/audit/?model=customers.lead&object_id={lead.pk}").json()["results"]
    assert rows and {(r["model"], r["object_id"]) for r in rows} == {("customers.lead", lead.pk)}
    modules = api.get("/api/v1/audit/?action=modules").json()["results"]
    assert len(modules) == 1 and modules[0]["actor"] == admin.pk
    assert modules[0]["changes"] == {"marketing": [True, False]}
    by_rep = api.get(f"/api/v1/audit/?actor={rep.pk}&module=customers").json()
    assert by_rep["count"] == 3
    assert {r["actor_name"] for r in by_rep["results"]} == {rep.full_name}
    assert api.get("/api/v1/audit/?start=2000-01-01&end=2000-12-31").json()["count"] == 0
    assert api.get("/api/v1/audit/?model=nope.nothing").json()["count"] == 0


@pytest.mark.django_db
def test_only_admins_and_only_their_company(admin, rep, other_admin, trail):
    assert client_for(rep).get("/api/v1/audit/").status_code == 403
    theirs = client_for(other_admin).get("/api/v1/audit/?module=customers").json()
    assert theirs["count"] == 0


@pytest.mark.django_db
def test_a_page_costs_the_same_whatever_its_rows(api, admin, rep, trail):
    """Readable lines look names up once per kind of reference (user, dictionary item,
    ...), never per row: a page and one with ten more leads' entries cost the same."""
    with CaptureQueriesContext(connection) as few:
        before = len(api.get("/api/v1/audit/?page_size=50").json()["results"])
    for i in range(10):
        new_lead(admin, owner=rep, company_name=f"更多{i}")
    with CaptureQueriesContext(connection) as many:
        after = len(api.get("/api/v1/audit/?page_size=50").json()["results"])
    assert after >= before + 10
    assert len(many) == len(few)


@pytest.mark.django_db
def test_export_to_xlsx(api, trail):
    response = api.get("/api/v1/audit/export/?module=customers")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 1 + 3  # the header and the three leads' entries
