"""GET /api/v1/reports/won-by-month/: won deals per month (every month of the period
listed), the default period, data scope, team, tenant isolation, validation, and a
query count independent of the data volume and of the period's length."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.reports.selectors import add_months
from tests.conftest import make_user
from tests.reports.helpers import opp
from tests.sales import factories as f
from tests.sales.factories import client_for

URL = "/api/v1/reports/won-by-month/"
d = dt.date


def won(owner, cust, amount: str, closed_on: dt.date, status: str = "won"):
    return opp(
        owner, cust, status, amount, reached=4 if status == "won" else 1, closed_on=closed_on
    )


@pytest.fixture
def deals(people):
    rep, outsider = people["rep"], people["outsider"]
    cust = f.customer(rep, name="月度客户")
    won(rep, cust, "5000.00", d(2025, 3, 10))
    won(rep, cust, "1500.50", d(2025, 3, 31))
    won(rep, cust, "100.00", d(2025, 4, 1))
    won(outsider, cust, "2000.00", d(2025, 4, 30))
    won(rep, cust, "777.00", d(2025, 5, 1))  # after the period
    won(rep, cust, "300.00", d(2025, 1, 31))  # before the period
    won(rep, cust, "9999.00", d(2025, 3, 15), status="lost")  # not won
    return people


def figures(data):
    return [(m["month"], m["count"], m["amount"]) for m in data["months"]]


def test_won_per_month_lists_every_month_of_the_period(deals):
    response = client_for(deals["admin"]).get(f"{URL}?date_from=2025-02-01&date_to=2025-04-30")
    assert response.status_code == 200, response.content
    data = response.json()
    assert figures(data) == [
        ("2025-02", 0, "0.00"),  # no deal won: listed with zeros
        ("2025-03", 2, "6500.50"),
        ("2025-04", 2, "2100.00"),
    ]
    assert data["totals"] == {"count": 4, "amount": "8600.50"}
    assert (data["date_from"], data["date_to"]) == ("2025-02-01", "2025-04-30")
    # Days inside the first and last month bound the period, not whole months.
    part = client_for(deals["admin"]).get(f"{URL}?date_from=2025-03-15&date_to=2025-04-15").json()
    assert figures(part) == [("2025-03", 1, "1500.50"), ("2025-04", 1, "100.00")]


def test_by_default_the_last_twelve_months(people):
    rep = people["rep"]
    cust = f.customer(rep)
    today = timezone.localdate()
    first = add_months(today, -11)
    won(rep, cust, "1000.00", today)
    won(rep, cust, "200.00", first)  # the first day of the first month: included
    won(rep, cust, "30.00", first - dt.timedelta(days=1))  # the month before: excluded
    data = client_for(people["admin"]).get(URL).json()
    assert len(data["months"]) == 12
    assert data["months"][0]["month"] == first.strftime("%Y-%m")
    assert data["months"][-1]["month"] == today.strftime("%Y-%m")
    assert (data["date_from"], data["date_to"]) == (first.isoformat(), today.isoformat())
    assert data["totals"] == {"count": 2, "amount": "1200.00"}
    # Only an end: the twelve months up to it.
    ending = client_for(people["admin"]).get(f"{URL}?date_to=2025-06-30").json()
    assert [m["month"] for m in ending["months"]][:1] == ["2024-07"]
    assert len(ending["months"]) == 12


def test_data_scope_and_team(deals, sales_team):
    period = "date_from=2025-03-01&date_to=2025-04-30"
    mine = client_for(deals["outsider"]).get(f"{URL}?{period}").json()
    assert figures(mine) == [("2025-03", 0, "0.00"), ("2025-04", 1, "2000.00")]
    team = client_for(deals["admin"]).get(f"{URL}?{period}&team={sales_team.pk}").json()
    assert team["totals"] == {"count": 3, "amount": "6600.50"}
    assert team["team"] == sales_team.pk
    # The team leader sees the team's deals (scope "team"), not the outsider's.
    lead = client_for(deals["manager"]).get(f"{URL}?{period}").json()
    assert lead["totals"] == {"count": 3, "amount": "6600.50"}


def test_another_company_sees_none_of_it(deals, other_admin):
    other_customer = f.customer(other_admin, name="外部客户")
    won(other_admin, other_customer, "123456.00", d(2025, 3, 5))
    period = "date_from=2025-03-01&date_to=2025-04-30"
    ours = client_for(deals["admin"]).get(f"{URL}?{period}").json()
    assert ours["totals"] == {"count": 4, "amount": "8600.50"}
    theirs = client_for(other_admin).get(f"{URL}?{period}").json()
    assert figures(theirs) == [("2025-03", 1, "123456.00"), ("2025-04", 0, "0.00")]
    # Our team id means nothing to the other company: refused, naming the field.
    from crm.core.models import Team

    our_team = Team.objects.filter(tenant=deals["admin"].tenant).first()
    refused = client_for(other_admin).get(f"{URL}?team={our_team.pk}")
    assert refused.status_code == 400 and "team" in refused.json()["fields"]


def test_bad_parameters_are_refused_naming_the_field(admin):
    api = client_for(admin)
    bad = api.get(f"{URL}?date_from=2025-02-30")
    assert bad.status_code == 400 and "date_from" in bad.json()["fields"]
    backwards = api.get(f"{URL}?date_from=2025-05-01&date_to=2025-04-01")
    assert backwards.status_code == 400 and "date_to" in backwards.json()["fields"]
    too_long = api.get(f"{URL}?date_from=2000-01-01&date_to=2025-01-31")
    assert too_long.status_code == 400
    assert "120" in too_long.json()["fields"]["date_from"][0]
    ten_years = api.get(f"{URL}?date_from=2016-01-01&date_to=2025-12-31")
    assert ten_years.status_code == 200 and len(ten_years.json()["months"]) == 120


def test_needs_the_sales_reports_permission(admin):
    from rest_framework.test import APIClient

    from crm.core.services import role_create

    role = role_create(
        tenant=admin.tenant, actor=admin, name="只看客户", permissions=["customers.view"]
    )
    assert client_for(make_user(admin, role.name)).get(URL).status_code == 403
    assert client_for(make_user(admin, "客服")).get(URL).status_code == 403
    assert client_for(make_user(admin, "销售代表")).get(URL).status_code == 200
    assert APIClient().get(URL).status_code == 401


def test_query_count_is_independent_of_data_volume_and_period(people, sales_team):
    rep, manager = people["rep"], people["manager"]
    api = client_for(manager)  # a team scope: the scope's own queries are included
    url = f"{URL}?date_from=2025-01-01&date_to=2025-12-31&team={sales_team.pk}"

    def add(n):
        cust = f.customer(rep, name=f"量{n}")
        for i in range(n):
            won(rep, cust, "10.00", d(2025, 1 + i % 12, 1 + i % 28))

    add(2)
    with CaptureQueriesContext(connection) as small:
        assert api.get(url).status_code == 200
    add(60)
    with CaptureQueriesContext(connection) as large:
        response = api.get(url)
    assert response.status_code == 200
    assert response.json()["totals"]["count"] == 62
    assert len(small.captured_queries) == len(large.captured_queries)
    with CaptureQueriesContext(connection) as longer:
        assert api.get(url.replace("2025-01-01", "2016-01-01")).status_code == 200
    assert len(longer.captured_queries) == len(small.captured_queries)
