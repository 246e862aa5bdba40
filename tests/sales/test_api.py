"""The sales API: constant query counts, permissions, data scope, tenancy, history."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.core.models import Role
from crm.core.permissions import SALES_MANAGER, SALES_REP
from crm.sales.models import (
    Contract,
    ContractLine,
    Installment,
    Opportunity,
    Payment,
    Quote,
    QuoteLine,
)
from tests.conftest import make_user
from tests.sales import factories as f
from tests.sales.factories import D, client_for


def _bulk_pipeline(owner, n: int) -> None:
    """n opportunities, each with a quote (2 lines), a contract (1 line, 2 installments)
    and a payment, inserted in bulk."""
    tenant = owner.tenant
    cust = f.customer(owner, name=f"批量客户{n}")
    prod = f.product(owner, code=f"B{n}")
    opps = Opportunity.objects.bulk_create(
        Opportunity(tenant=tenant, name=f"机会{i}", customer=cust, owner=owner, amount=D(i))
        for i in range(n)
    )
    quotes = Quote.objects.bulk_create(
        Quote(tenant=tenant, opportunity=o, number=1, total=D(10), created_by=owner) for o in opps
    )
    QuoteLine.objects.bulk_create(
        QuoteLine(tenant=tenant, quote=q, product=prod, quantity=1, unit_price=D(5), amount=D(5))
        for q in quotes
        for _ in range(2)
    )
    contracts = Contract.objects.bulk_create(
        Contract(
            tenant=tenant,
            number=f"BULK{n}-{i}",
            customer=cust,
            opportunity=o,
            owner=owner,
            amount=D(10),
            status="active",
        )
        for i, o in enumerate(opps)
    )
    ContractLine.objects.bulk_create(
        ContractLine(
            tenant=tenant, contract=c, product=prod, quantity=1, unit_price=D(10), amount=D(10)
        )
        for c in contracts
    )
    installments = Installment.objects.bulk_create(
        Installment(
            tenant=tenant, contract=c, sequence=s, due_date=dt.date(2025, 1, s), amount=D(5)
        )
        for c in contracts
        for s in (1, 2)
    )
    Payment.objects.bulk_create(
        Payment(
            tenant=tenant,
            contract_id=i.contract_id,
            installment=i,
            amount=D(1),
            paid_at=dt.date(2025, 1, 1),
        )
        for i in installments[::2]
    )


@pytest.mark.parametrize("collection", ["opportunities", "quotes", "contracts", "payments"])
def test_list_query_count_does_not_grow_with_page_size(admin, collection):
    _bulk_pipeline(admin, 120)
    api = client_for(admin)
    counts = {}
    for size in (10, 100):
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(f"/api/v1/{collection}/?page_size={size}")
        assert response.status_code == 200, response.content
        assert len(response.json()["results"]) == size
        counts[size] = len(ctx.captured_queries)
    assert counts[10] == counts[100], counts


def test_board_query_count_does_not_grow_with_data(admin):
    api = client_for(admin)
    _bulk_pipeline(admin, 5)
    with CaptureQueriesContext(connection) as small:
        api.get("/api/v1/opportunities/board/")
    _bulk_pipeline(admin, 80)
    with CaptureQueriesContext(connection) as large:
        response = api.get("/api/v1/opportunities/board/")
    assert response.json()[0]["count"] == 85
    assert len(small.captured_queries) == len(large.captured_queries)


def test_default_role_grants(admin):
    rep_codes = set(Role.objects.get(tenant=admin.tenant, name=SALES_REP).permissions)
    manager_codes = set(Role.objects.get(tenant=admin.tenant, name=SALES_MANAGER).permissions)
    assert {"sales.opportunity.create", "sales.quote.edit", "transition:quote.submit"} <= rep_codes
    assert "transition:payment.reverse" in rep_codes
    assert not rep_codes & {
        "transition:quote.approve",
        "transition:contract.approve",
        "transition:opportunity.reopen",
        "sales.contract.approve",
        "sales.contract.approve_large",
        "sales.quote.delete",
    }
    assert {
        "transition:quote.approve",
        "transition:contract.approve",
        "transition:opportunity.reopen",
        "sales.contract.approve",
        "sales.quote.delete",
        "reports.sales",
    } <= manager_codes
    assert "sales.contract.approve_large" not in manager_codes
    admin_codes = set(Role.objects.get(tenant=admin.tenant, name="管理员").permissions)
    assert "sales.contract.approve_large" in admin_codes


def test_reps_see_their_own_records_managers_their_team(admin, rep, sales_team):
    peer = make_user(admin, "销售代表", team=sales_team)
    outsider = make_user(admin, "销售代表")
    mine = f.opportunity(rep)
    theirs = f.opportunity(peer)
    f.opportunity(outsider)

    def ids(user):
        rows = client_for(user).get("/api/v1/opportunities/").json()["results"]
        return {o["id"] for o in rows}

    assert ids(rep) == {mine.pk}
    assert ids(sales_team.leader) == {mine.pk, theirs.pk}
    assert client_for(rep).get(f"/api/v1/opportunities/{theirs.pk}/").status_code == 404
    # A rep cannot attach a quote or requirement to an opportunity outside their scope.
    refused = client_for(rep).post(
        "/api/v1/requirements/", {"opportunity": theirs.pk, "description": "x"}, format="json"
    )
    assert refused.status_code == 400 and "opportunity" in refused.json()["fields"]


def test_other_tenants_ids_answer_404(admin, other_admin):
    opp = f.opportunity(admin)
    c = f.contract(admin)
    api = client_for(other_admin)
    assert api.get(f"/api/v1/opportunities/{opp.pk}/").status_code == 404
    assert api.get(f"/api/v1/contracts/{c.pk}/").status_code == 404
    assert (
        api.post(f"/api/v1/contracts/{c.pk}/transitions/submit/", {}, format="json").status_code
        == 404
    )
    foreign = api.post("/api/v1/quotes/", {"opportunity": opp.pk, "lines": []}, format="json")
    assert foreign.status_code == 400


def test_history_lists_transitions_and_edits(rep):
    opp = f.opportunity(rep)
    api = client_for(rep)
    api.patch(f"/api/v1/opportunities/{opp.pk}/", {"amount": "99.00"}, format="json")
    api.post(f"/api/v1/opportunities/{opp.pk}/transitions/needs_defined/", {}, format="json")
    history = api.get(f"/api/v1/opportunities/{opp.pk}/history/").json()
    assert [h["action"] for h in history[:3]] == ["needs_defined", "update", "create"]
    assert history[1]["changes"]["amount"] == ["10000.00", "99.00"]


def test_stale_if_match_is_refused(rep):
    opp = f.opportunity(rep)
    api = client_for(rep)
    response = api.patch(
        f"/api/v1/opportunities/{opp.pk}/", {"amount": "1.00"}, format="json", HTTP_IF_MATCH='"7"'
    )
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    moved = api.post(
        f"/api/v1/opportunities/{opp.pk}/transitions/needs_defined/",
        {},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert moved.status_code == 200


def test_quote_etag_is_the_row_version_not_the_quote_version(rep):
    opp = f.to_proposal(f.opportunity(rep), rep)
    q = f.quote(opp, rep)
    api = client_for(rep)
    response = api.get(f"/api/v1/quotes/{q.pk}/")
    assert response["ETag"] == '"1"' and response.json()["version"] == 1
    api.patch(f"/api/v1/quotes/{q.pk}/", {"note": "a"}, format="json")
    response = api.get(f"/api/v1/quotes/{q.pk}/")
    assert (response.json()["version"], response.json()["row_version"]) == (1, 2)
    assert response["ETag"] == '"2"'


def test_products_crud_and_protection(admin, rep):
    api = client_for(admin)
    made = api.post(
        "/api/v1/products/",
        {"code": "A1", "name": "年费", "unit": "年", "price": "9800"},
        format="json",
    )
    assert made.status_code == 201 and made.json()["price"] == "9800.00"
    dup = api.post("/api/v1/products/", {"code": "A1", "name": "x", "price": "1"}, format="json")
    assert dup.status_code == 400 and "code" in dup.json()["fields"]
    assert api.get("/api/v1/products/?search=nf").json()["count"] == 1  # 年费 -> nf
    pid = made.json()["id"]
    opp = f.opportunity(rep)
    client_for(rep).post(
        "/api/v1/quotes/",
        {"opportunity": opp.pk, "lines": [{"product": pid, "quantity": "1"}]},
        format="json",
    )
    in_use = api.delete(f"/api/v1/products/{pid}/")
    assert in_use.status_code == 409
    assert in_use.json()["code"] == "protected"
    assert in_use.json()["blockers"] == [{"model": "quote line", "count": 1}]
    assert in_use.json()["detail"] == "This product cannot be deleted: it is used by 1 quote line."
    assert (
        api.patch(f"/api/v1/products/{pid}/", {"active": False}, format="json").status_code == 200
    )


def test_solutions_link_to_a_requirement_of_the_same_opportunity(rep):
    a, b = f.opportunity(rep), f.opportunity(rep)
    req = f.requirement(a, rep)
    api = client_for(rep)
    ok = api.post(
        "/api/v1/solutions/",
        {"opportunity": a.pk, "requirement": req.pk, "title": "标准版 + 实施"},
        format="json",
    )
    assert ok.status_code == 201, ok.content
    wrong = api.post(
        "/api/v1/solutions/",
        {"opportunity": b.pk, "requirement": req.pk, "title": "x"},
        format="json",
    )
    assert wrong.status_code == 400
    assert api.get(f"/api/v1/solutions/?opportunity={a.pk}").json()["count"] == 1


def test_openapi_schema_generates_outside_any_tenant_scope(tmp_path):
    from django.core.management import call_command
    from django_scopes import scope

    with scope():  # scopes enabled, no tenant: a scoped query would raise
        call_command("spectacular", "--file", str(tmp_path / "schema.yml"))
    assert "/api/v1/reports/funnel/" in (tmp_path / "schema.yml").read_text()


def test_openapi_schema_builds(api):
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/opportunities/board/",
        "/api/v1/quotes/{id}/transitions/submit/",  # one operation per step
        "/api/v1/reports/funnel/",
        "/api/v1/reports/receivables-aging/",
        "/api/v1/reports/won-by-owner/",
    ):
        assert path in paths
