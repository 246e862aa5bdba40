"""Funnel, receivables aging and won-by-owner on hand-computed fixtures; data
scope, team filter, and query counts independent of data volume."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.sales.models import Contract, Installment
from tests.conftest import make_user
from tests.reports.helpers import RANK, opp
from tests.sales import factories as f
from tests.sales.factories import D, client_for


@pytest.fixture
def funnel_data(people):
    rep, outsider = people["rep"], people["outsider"]
    cust = f.customer(rep, name="漏斗客户")
    opp(rep, cust, "initial", "1000.00")
    opp(rep, cust, "needs_defined", "2000.00")
    opp(rep, cust, "proposal", "3000.00")
    opp(rep, cust, "negotiation", "4000.00")
    opp(rep, cust, "won", "5000.00", closed_on=timezone.localdate())
    opp(rep, cust, "lost", "600.00", reached=1, closed_on=timezone.localdate())
    opp(outsider, cust, "initial", "7000.00")
    # Created long before the period: excluded by date_from.
    opp(rep, cust, "won", "99999.00", created=timezone.make_aware(dt.datetime(2024, 1, 15)))
    return people


def stages(report):
    return {s["status"]: s for s in report["stages"]}


def test_funnel_matches_hand_computed_figures(funnel_data):
    today = timezone.localdate().isoformat()
    report = client_for(funnel_data["admin"]).get(
        f"/api/v1/reports/funnel/?date_from={today}&date_to={today}"
    )
    assert report.status_code == 200, report.content
    data = report.json()
    by = stages(data)
    assert [(s, by[s]["count"], by[s]["amount"], by[s]["weighted_amount"]) for s in by] == [
        ("initial", 2, "8000.00", "800.00"),  # 10%
        ("needs_defined", 1, "2000.00", "500.00"),  # 25%
        ("proposal", 1, "3000.00", "1500.00"),  # 50%
        ("negotiation", 1, "4000.00", "3000.00"),  # 75%
        ("won", 1, "5000.00", "5000.00"),
        ("lost", 1, "600.00", "0.00"),
    ]
    # reached: 7 / 5 / 3 / 2 / 1 -> 5/7, 3/5, 2/3, 1/2
    assert [by[s]["reached"] for s in RANK] == [7, 5, 3, 2, 1]
    assert [by[s].get("conversion_rate") for s in RANK] == [
        "71.43",
        "60.00",
        "66.67",
        "50.00",
        None,
    ]
    assert data["totals"] == {
        "count": 7,
        "amount": "22600.00",
        "weighted_amount": "10800.00",
        "win_rate": "50.00",
    }


def test_funnel_for_a_team_and_under_data_scope(funnel_data, sales_team):
    today = timezone.localdate().isoformat()
    period = f"date_from={today}&date_to={today}"
    team = client_for(funnel_data["admin"]).get(
        f"/api/v1/reports/funnel/?{period}&team={sales_team.pk}"
    )
    by = stages(team.json())
    assert (by["initial"]["count"], by["initial"]["amount"], by["initial"]["reached"]) == (
        1,
        "1000.00",
        6,
    )
    assert by["initial"]["conversion_rate"] == "83.33"  # 5/6
    own = stages(
        client_for(funnel_data["outsider"]).get(f"/api/v1/reports/funnel/?{period}").json()
    )
    assert [own[s]["count"] for s in own] == [1, 0, 0, 0, 0, 0]
    assert own["needs_defined"]["conversion_rate"] is None  # nothing reached it
    everything = client_for(funnel_data["admin"]).get("/api/v1/reports/funnel/").json()
    assert everything["totals"]["count"] == 8


def test_report_parameters_are_validated(admin, other_admin):
    api = client_for(admin)
    bad = api.get("/api/v1/reports/funnel/?date_from=2025-13-01")
    assert bad.status_code == 400 and "date_from" in bad.json()["fields"]
    reversed_period = api.get("/api/v1/reports/funnel/?date_from=2025-02-01&date_to=2025-01-01")
    assert reversed_period.status_code == 400
    from crm.core.services import team_create

    foreign_team = team_create(tenant=other_admin.tenant, actor=other_admin, name="外部")
    assert api.get(f"/api/v1/reports/funnel/?team={foreign_team.pk}").status_code == 400


def test_reports_need_the_permission(admin):
    from crm.core.services import role_create

    role = role_create(
        tenant=admin.tenant, actor=admin, name="只读", permissions=["customers.view"]
    )
    user = make_user(admin, role.name)
    for name in ("funnel", "receivables-aging", "won-by-owner"):
        assert client_for(user).get(f"/api/v1/reports/{name}/").status_code == 403


# --- receivables aging -----------------------------------------------------------------


def active_contract(owner, cust, plan, status="active"):
    c = Contract.objects.create(
        tenant=owner.tenant,
        number=f"T{Contract.objects.count() + 1}",
        customer=cust,
        owner=owner,
        amount=sum((D(a) for _, a, _ in plan), D(0)),
        status=status,
    )
    # Fixture rows of a signed contract: inserted in bulk (the model refuses
    # new lines on a frozen contract, as it should).
    Installment.objects.bulk_create(
        Installment(
            tenant=owner.tenant,
            contract=c,
            sequence=i,
            due_date=due,
            amount=D(amount),
            collected_amount=D(collected),
            status="collected" if D(collected) >= D(amount) else "open",
        )
        for i, (due, amount, collected) in enumerate(plan, start=1)
    )
    return c


@pytest.fixture
def aging_data(people):
    rep, outsider = people["rep"], people["outsider"]
    jia, yi = f.customer(rep, name="甲公司"), f.customer(outsider, name="乙公司")
    d = dt.date
    active_contract(
        rep,
        jia,
        [
            (d(2025, 7, 15), "1000.00", "0"),  # not yet due: current
            (d(2025, 6, 30), "500.00", "0"),  # due today: current
            (d(2025, 6, 29), "300.00", "100.00"),  # 1 day: 1-30 (200 outstanding)
            (d(2025, 5, 31), "400.00", "0"),  # 30 days: 1-30
            (d(2025, 5, 30), "250.00", "0"),  # 31 days: 31-60
            (d(2025, 4, 1), "600.00", "0"),  # 90 days: 61-90
            (d(2025, 3, 31), "700.00", "0"),  # 91 days: over 90
            (d(2025, 3, 1), "800.00", "800.00"),  # collected: not a receivable
        ],
    )
    active_contract(outsider, yi, [(d(2025, 6, 1), "900.00", "0")])  # 29 days: 1-30
    active_contract(rep, jia, [(d(2025, 1, 1), "1000.00", "0")], status="draft")  # not signed
    active_contract(rep, jia, [(d(2025, 1, 1), "1000.00", "0")], status="terminated")
    return people


def test_aging_matches_hand_computed_figures(aging_data):
    report = client_for(aging_data["admin"]).get(
        "/api/v1/reports/receivables-aging/?as_of=2025-06-30"
    )
    assert report.status_code == 200, report.content
    data = report.json()
    assert data["as_of"] == "2025-06-30"
    rows = sorted(
        (
            r["customer_name"],
            r["owner_name"],
            r["current"],
            r["days_1_30"],
            r["days_31_60"],
            r["days_61_90"],
            r["days_over_90"],
            r["total"],
        )
        for r in data["rows"]
    )
    assert rows == sorted(
        [
            ("乙公司", "孙独立", "0.00", "900.00", "0.00", "0.00", "0.00", "900.00"),
            ("甲公司", "李销售", "1500.00", "600.00", "250.00", "600.00", "700.00", "3650.00"),
        ]
    )
    assert data["totals"] == {
        "current": "1500.00",
        "days_1_30": "1500.00",
        "days_31_60": "250.00",
        "days_61_90": "600.00",
        "days_over_90": "700.00",
        "total": "4550.00",
    }


def test_aging_under_data_scope_and_team(aging_data, sales_team):
    own = client_for(aging_data["rep"]).get("/api/v1/reports/receivables-aging/?as_of=2025-06-30")
    assert [r["customer_name"] for r in own.json()["rows"]] == ["甲公司"]
    team = client_for(aging_data["admin"]).get(
        f"/api/v1/reports/receivables-aging/?as_of=2025-06-30&team={sales_team.pk}"
    )
    assert team.json()["totals"]["total"] == "3650.00"
    # date_to is the aging day when as_of is not given; date_from limits by due date.
    later = client_for(aging_data["admin"]).get(
        "/api/v1/reports/receivables-aging/?date_from=2025-06-01&date_to=2025-07-31"
    )
    assert later.json()["as_of"] == "2025-07-31"
    # 07-15: 16 days (1-30); 06-30, 06-29: 31-32 days; 乙's 06-01: 60 days (31-60).
    assert later.json()["totals"] == {
        "current": "0.00",
        "days_1_30": "1000.00",
        "days_31_60": "1600.00",
        "days_61_90": "0.00",
        "days_over_90": "0.00",
        "total": "2600.00",
    }


# --- won by owner -------------------------------------------------------------------------


def test_won_by_owner_per_month(people, sales_team):
    rep, outsider = people["rep"], people["outsider"]
    cust = f.customer(rep)
    d = dt.date
    opp(rep, cust, "won", "5000.00", closed_on=d(2025, 3, 10))
    opp(rep, cust, "won", "1500.50", closed_on=d(2025, 3, 31))
    opp(rep, cust, "won", "100.00", closed_on=d(2025, 4, 1))
    opp(outsider, cust, "won", "2000.00", closed_on=d(2025, 4, 2))
    opp(rep, cust, "won", "777.00", closed_on=d(2025, 5, 1))  # after the period
    opp(rep, cust, "lost", "9999.00", closed_on=d(2025, 3, 15))  # not won
    api = client_for(people["admin"])
    data = api.get("/api/v1/reports/won-by-owner/?date_from=2025-03-01&date_to=2025-04-30").json()
    assert [(r["owner_name"], r["month"], r["count"], r["amount"]) for r in data["rows"]] == [
        ("李销售", "2025-03", 2, "6500.50"),
        ("李销售", "2025-04", 1, "100.00"),
        ("孙独立", "2025-04", 1, "2000.00"),
    ]
    assert data["totals"] == {"count": 4, "amount": "8600.50"}
    team = api.get(
        f"/api/v1/reports/won-by-owner/?date_from=2025-03-01&date_to=2025-04-30&team={sales_team.pk}"
    ).json()
    assert team["totals"] == {"count": 3, "amount": "6600.50"}
    mine = client_for(outsider).get("/api/v1/reports/won-by-owner/").json()
    assert mine["totals"] == {"count": 1, "amount": "2000.00"}


# --- query counts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/reports/funnel/",
        "/api/v1/reports/receivables-aging/?as_of=2025-06-30",
        "/api/v1/reports/won-by-owner/",
    ],
)
def test_query_count_is_independent_of_data_volume(people, sales_team, url):
    rep, manager = people["rep"], people["manager"]
    api = client_for(manager)  # a team scope: the scope's own queries are included

    def add(n):
        cust = f.customer(rep, name=f"量{n}")
        for i in range(n):
            opp(rep, cust, "won", "10.00", closed_on=dt.date(2025, 1 + i % 12, 1))
            opp(rep, cust, "proposal", "10.00")
            active_contract(rep, cust, [(dt.date(2025, 1 + i % 12, 1), "10.00", "0")])

    add(2)
    with CaptureQueriesContext(connection) as small:
        assert (
            api.get(url + ("&" if "?" in url else "?") + f"team={sales_team.pk}").status_code == 200
        )
    add(40)
    with CaptureQueriesContext(connection) as large:
        response = api.get(url + ("&" if "?" in url else "?") + f"team={sales_team.pk}")
    assert response.status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)
