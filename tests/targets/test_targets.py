"""Sales targets: validation, attainment computed from the records (a reversed
payment nets out), team targets rolled up from the members, bounded queries,
the workbench gauge."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.customers.models import Customer
from crm.targets.services import target_create
from tests.conftest import client_for, make_user
from tests.reports.helpers import opp
from tests.sales import factories as f

pytestmark = pytest.mark.django_db


def test_targets_refuse_bad_input(admin, rep, sales_team):
    api = client_for(admin)
    base = {"period_kind": "quarter", "measure": "won_amount", "amount": "100000.00"}
    r = api.post("/api/v1/targets/", {**base, "user": rep.pk, "period_start": "2026-05-01"})
    assert r.status_code == 400 and "period_start" in r.json()["fields"], r.content
    r = api.post("/api/v1/targets/", {**base, "period_start": "2026-04-01"})
    assert r.status_code == 400 and "user" in r.json()["fields"]
    both = {**base, "user": rep.pk, "team": sales_team.pk, "period_start": "2026-04-01"}
    r = api.post("/api/v1/targets/", both)
    assert r.status_code == 400 and "team" in r.json()["fields"]
    r = api.post("/api/v1/targets/", {**base, "user": rep.pk, "period_start": "2026-04-01"})
    assert r.status_code == 201, r.content
    assert r.json()["period"] == "2026-Q2"
    r = api.post("/api/v1/targets/", {**base, "user": rep.pk, "period_start": "2026-04-01"})
    assert r.status_code == 400 and "period_start" in r.json()["fields"]
    r = api.post(
        "/api/v1/targets/", {**base, "user": rep.pk, "period_start": "2026-07-01", "amount": "-1"}
    )
    assert r.status_code == 400 and "amount" in r.json()["fields"]
    r = api.get("/api/v1/reports/targets/?period=2026-13")
    assert r.status_code == 400 and list(r.json()["fields"]) == ["period"]


def _target(admin, **data):
    return target_create(tenant=admin.tenant, actor=admin, **data)


def test_attainment_with_a_reversed_payment(admin, rep, sales_team):
    manager = sales_team.leader
    c = f.active_contract(rep, manager, amount="30000.00")
    wrong = f.confirmed_payment(c, rep, "10000.00", paid_at=dt.date(2025, 3, 5))
    f.move(wrong, "reverse", rep, reason="金额录错")
    # The reversal is dated the day it was made: move it into March too.
    from crm.sales.models import Payment

    Payment.objects.filter(reversal_of=wrong).update(paid_at=dt.date(2025, 3, 6))
    f.confirmed_payment(c, rep, "6000.00", paid_at=dt.date(2025, 3, 10))
    _target(
        admin,
        user=rep,
        period_kind="month",
        period_start=dt.date(2025, 3, 1),
        measure="collected",
        amount=f.D("12000.00"),
    )
    report = client_for(manager).get("/api/v1/reports/targets/?period=2025-03").json()
    (row,) = report["people"]
    assert row["user"] == rep.pk and row["measure"] == "collected"
    assert row["actual"] == "6000.00"  # 10000 - 10000 + 6000
    assert row["attainment"] == "50.00"
    assert report["previous"] == "2025-02"


def test_team_targets_roll_up_their_members_in_bounded_queries(admin, rep, sales_team):
    manager = sales_team.leader
    second = make_user(admin, "销售代表", team=sales_team, name="周二")
    outsider = make_user(admin, "销售代表", name="吴外")
    cust = f.customer(rep)
    day = dt.date(2026, 5, 10)
    Customer.objects.filter(pk=cust.pk).update(
        created_at=dt.datetime(2026, 5, 10, 10, tzinfo=dt.UTC)
    )
    opp(rep, cust, "won", "40000.00", closed_on=day)
    opp(second, cust, "won", "20000.00", closed_on=day)
    opp(outsider, cust, "won", "99999.00", closed_on=day)
    opp(rep, cust, "won", "5000.00", closed_on=dt.date(2026, 6, 1))  # next month
    may = dt.date(2026, 5, 1)
    _target(
        admin,
        user=rep,
        period_kind="month",
        period_start=may,
        measure="won_amount",
        amount=f.D("50000"),
    )
    _target(
        admin,
        team=sales_team,
        period_kind="month",
        period_start=may,
        measure="won_amount",
        amount=f.D("120000"),
    )
    _target(
        admin,
        user=rep,
        period_kind="month",
        period_start=may,
        measure="new_customers",
        amount=f.D("4"),
    )
    api = client_for(admin)
    with CaptureQueriesContext(connection) as few:
        report = api.get("/api/v1/reports/targets/?period=2026-05").json()
    people = {(r["user"], r["measure"]): r for r in report["people"]}
    assert people[(rep.pk, "won_amount")]["actual"] == "40000.00"
    assert people[(rep.pk, "won_amount")]["attainment"] == "80.00"
    assert people[(rep.pk, "new_customers")]["actual"] == 1
    (team,) = report["teams"]
    assert team["actual"] == "60000.00" and team["attainment"] == "50.00"
    assert set(team["members"]) >= {rep.pk, second.pk, manager.pk}
    assert outsider.pk not in team["members"]
    assert team["members_target"] == "50000.00"
    # More people, targets and records: the same number of queries.
    for i in range(4):
        u = make_user(admin, "销售代表", team=sales_team, name=f"新人{i}")
        opp(u, cust, "won", "1000.00", closed_on=day)
        _target(
            admin,
            user=u,
            period_kind="month",
            period_start=may,
            measure="won_amount",
            amount=f.D("1000"),
        )
    with CaptureQueriesContext(connection) as more:
        report = api.get("/api/v1/reports/targets/?period=2026-05").json()
    assert len(report["people"]) == 6
    assert report["teams"][0]["actual"] == "64000.00"
    assert len(more) == len(few), [q["sql"] for q in more.captured_queries]
    # A rep sees their own rows only (data scope).
    mine = client_for(second).get("/api/v1/reports/targets/?period=2026-05").json()
    assert {r["user"] for r in mine["people"]} <= {second.pk}


def test_the_workbench_shows_my_target_gauge(admin, rep):
    from django.utils import timezone

    today = timezone.localdate()
    _target(
        admin,
        user=rep,
        period_kind="year",
        period_start=dt.date(today.year, 1, 1),
        measure="new_customers",
        amount=f.D("10"),
    )
    Customer.objects.filter(pk=f.customer(rep).pk)  # one new customer this year
    panels = client_for(rep).get("/api/v1/workbench/").json()["panels"]
    (row,) = panels["targets"]["results"]
    assert row["measure"] == "new_customers" and row["actual"] == 1
    assert row["attainment"] == "10.00"
