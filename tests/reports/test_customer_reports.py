"""Customer reports: the figures on known rows, query counts that do not grow with
the rows, the xlsx export of each, bad input refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.core.models import DictionaryItem
from crm.customers.models import Customer
from crm.customers.services import customer_create
from tests.conftest import client_for, make_user
from tests.imports.helpers import read_xlsx
from workflows.engine import transition

pytestmark = pytest.mark.django_db
REPORTS = (
    "by-level/",
    "by-industry/",
    "by-region/",
    "by-source/",
    "by-owner/",
    "new-by-month/",
    "idle/?days=30",
    "pool-flow/",
)


def _customers(admin, owner, n, *, region="华东", created=None, **extra):
    level = DictionaryItem.objects.filter(tenant=admin.tenant, kind="level").first()
    out = []
    for i in range(n):
        c = customer_create(
            tenant=admin.tenant,
            actor=admin,
            name=f"{region}客户{Customer.objects.count()}-{i}",
            owner=owner,
            region=region,
            level=level,
            **extra,
        )
        if created:
            Customer.objects.filter(pk=c.pk).update(created_at=created, owned_since=created)
        out.append(c)
    return out


def test_distribution_new_customers_idle_and_pool_flow(admin, rep, sales_team):
    now = timezone.now()
    _customers(admin, rep, 3, region="华东")
    _customers(admin, sales_team.leader, 2, region="华北", created=now - dt.timedelta(days=70))
    api = client_for(admin)
    by_region = api.get("/api/v1/reports/customers/by-region/").json()
    assert [(r["label"], r["count"]) for r in by_region["rows"]] == [("华东", 3), ("华北", 2)]
    assert by_region["total"] == 5 and by_region["rows"][0]["share"] == "60.00"
    by_owner = api.get("/api/v1/reports/customers/by-owner/").json()
    assert {r["key"]: r["count"] for r in by_owner["rows"]} == {
        rep.pk: 3,
        sales_team.leader.pk: 2,
    }
    months = api.get("/api/v1/reports/customers/new-by-month/").json()["months"]
    assert months[-1]["count"] == 3 and months[-1]["total"] == 5
    idle = api.get("/api/v1/reports/customers/idle/?days=60").json()
    assert idle["total"] == 2 and idle["rows"][0]["idle_days"] >= 69
    # Pool: a release by the owner and a claim back.
    target = Customer.objects.filter(owner=rep).first()
    transition(
        model=Customer,
        pk=target.pk,
        name="release",
        tenant=admin.tenant,
        actor=rep,
        inputs={"reason": "不再跟进"},
    )
    transition(
        model=Customer,
        pk=target.pk,
        name="claim",
        tenant=admin.tenant,
        actor=sales_team.leader,
        inputs={},
    )
    flow = api.get("/api/v1/reports/customers/pool-flow/").json()
    assert flow["totals"] == {"inflow": 1, "inflow_auto": 0, "outflow": 1, "net": 0}
    # The team filter and the rep's data scope.
    other_team = api.get(f"/api/v1/reports/customers/by-region/?team={sales_team.pk}").json()
    assert other_team["total"] == 5
    mine = client_for(rep).get("/api/v1/reports/customers/by-region/").json()
    assert mine["total"] == 2  # one of the rep's three went to the manager


def test_report_query_counts_do_not_grow_with_rows(admin, rep, sales_team):
    api = client_for(admin)
    _customers(admin, rep, 2)
    counts = {}
    for report in REPORTS:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(f"/api/v1/reports/customers/{report}").status_code == 200
        counts[report] = len(ctx)
    second = make_user(admin, "销售代表", team=sales_team, name="郑多")
    _customers(admin, second, 20, region="华南", created=timezone.now() - dt.timedelta(days=90))
    for report in REPORTS:
        with CaptureQueriesContext(connection) as ctx:
            api.get(f"/api/v1/reports/customers/{report}")
        assert len(ctx) == counts[report], report
    # One or two grouped queries per report, beside the request's own (auth, scope).
    with CaptureQueriesContext(connection) as base:
        api.get("/api/v1/care/upcoming/?days=1")
    assert max(counts.values()) - len(base) <= 2


@pytest.mark.parametrize("report", REPORTS)
def test_each_report_exports_xlsx(admin, rep, report):
    _customers(admin, rep, 2, created=timezone.now() - dt.timedelta(days=45))
    name, _, query = report.partition("?")
    response = client_for(admin).get(
        f"/api/v1/reports/customers/{name}export/" + (f"?{query}" if query else "")
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    rows = read_xlsx(b"".join(response.streaming_content))
    assert len(rows) >= 2


def test_bad_input_is_refused(admin):
    api = client_for(admin)
    assert list(api.get("/api/v1/reports/customers/idle/?days=x").json()["fields"]) == ["days"]
    r = api.get("/api/v1/reports/customers/by-level/?date_from=2026-02-30")
    assert list(r.json()["fields"]) == ["date_from"]
    r = api.get("/api/v1/reports/customers/new-by-month/?date_from=2010-01-01&date_to=2026-01-01")
    assert list(r.json()["fields"]) == ["date_from"]
    assert list(api.get("/api/v1/reports/customers/by-owner/?team=999999").json()["fields"]) == [
        "team"
    ]
