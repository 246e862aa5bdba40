"""The workbench and the 360 customer card: one request each, a query count that
does not grow with the rows, each panel or section with its rows and a link."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.activities.services import events, notify, tasks
from crm.service import services as service_services
from tests.conftest import client_for
from tests.sales import factories as f

pytestmark = pytest.mark.django_db


def _queries(client, url) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, r.json()
    return len(ctx.captured_queries), r.json()


def _fill_workbench(user, n: int, offset: int = 0):
    now = timezone.now()
    cust = f.customer(user, name=f"工作台客户{offset}")
    for i in range(n):
        tasks.task_create(
            tenant=user.tenant,
            actor=user,
            title=f"任务{offset + i}",
            due_at=now - dt.timedelta(hours=1) if i % 2 else now + dt.timedelta(hours=2),
        )
        events.event_create(
            tenant=user.tenant,
            actor=user,
            title=f"日程{offset + i}",
            start=timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0),
        )
        service_services.followup_create(
            tenant=user.tenant, actor=user, customer=cust, due_at=now - dt.timedelta(hours=1)
        )
        notify(tenant_id=user.tenant_id, recipient_id=user.pk, title=f"通知{offset + i}")
        f.opportunity(user, cust=cust, name=f"机会{offset + i}")


def test_workbench_panels_and_constant_query_count(rep):
    client = client_for(rep)
    _fill_workbench(rep, 2)
    few, body = _queries(client, "/api/v1/workbench/")
    panels = body["panels"]
    assert panels["tasks"]["count"] == 2 and panels["tasks"]["overdue"] == 1
    assert panels["tasks"]["link"].startswith("/tasks?mine=1")
    assert panels["events"]["count"] == 2
    assert panels["follow_ups"]["count"] == 2
    assert panels["notifications"]["count"] >= 2
    assert "new_leads" in panels["figures"] and "won_amount" in panels["figures"]
    _fill_workbench(rep, 15, offset=100)
    many, body = _queries(client, "/api/v1/workbench/")
    assert body["panels"]["tasks"]["count"] == 17
    assert len(body["panels"]["tasks"]["results"]) == 10
    assert many == few, (few, many)


def test_workbench_approvals_for_the_approver(admin, rep, sales_team):
    c = f.contract(rep)
    f.move(c, "submit", rep)
    leader = client_for(sales_team.leader)
    body = leader.get("/api/v1/workbench/").json()
    approvals = body["panels"]["approvals"]
    assert any(r["kind"] == "contract" and r["id"] == c.pk for r in approvals["results"])
    assert "approvals" not in client_for(rep).get("/api/v1/workbench/").json()["panels"]


def test_workbench_shows_pinned_announcements(admin, rep):
    from crm.office.models import Announcement
    from workflows.engine import transition

    a = Announcement.objects.create(
        tenant=admin.tenant, title="置顶公告", pinned=True, author=admin
    )
    transition(model=Announcement, pk=a.pk, name="publish", tenant=admin.tenant, actor=admin)
    panel = client_for(rep).get("/api/v1/workbench/").json()["panels"]["announcements"]
    assert [r["title"] for r in panel["results"]] == ["置顶公告"]


def _fill_customer(admin, cust, n: int):
    for i in range(n):
        f.contact(cust, admin, name=f"联系人{i}")
        opp = f.opportunity(admin, cust=cust, name=f"机会{i}")
        f.quote(opp, admin, prod=f.product(admin, code=f"P-{cust.pk}-{i}-{n}"))
        f.contract(admin, cust=cust)
        service_services.complaint_create(
            tenant=admin.tenant, actor=admin, customer=cust, description=f"投诉{i}"
        )
        service_services.followup_create(
            tenant=admin.tenant, actor=admin, customer=cust, due_at=timezone.now()
        )


def test_customer_overview_sections_and_constant_query_count(admin, api):
    cust = f.customer(admin)
    _fill_customer(admin, cust, 1)
    few, body = _queries(api, f"/api/v1/customers/{cust.pk}/overview/")
    sections = body["sections"]
    for name in ("contacts", "opportunities", "quotes", "contracts", "complaints", "follow_ups"):
        assert sections[name]["count"] == 1, name
        assert sections[name]["link"] == f"/{name.replace('_', '-')}?customer={cust.pk}"
    contract = sections["contracts"]["results"][0]
    assert contract["amount"] == "30000.00" and contract["outstanding"] == "30000.00"
    assert "breached" in sections["complaints"]["results"][0]
    _fill_customer(admin, cust, 8)
    many, body = _queries(api, f"/api/v1/customers/{cust.pk}/overview/")
    assert body["sections"]["contacts"]["count"] == 9
    assert len(body["sections"]["contacts"]["results"]) == 5
    assert many == few, (few, many)


def test_customer_overview_respects_scope(admin, rep, other_admin):
    cust = f.customer(admin)
    assert client_for(rep).get(f"/api/v1/customers/{cust.pk}/overview/").status_code == 404
    assert client_for(other_admin).get(f"/api/v1/customers/{cust.pk}/overview/").status_code == 404


def _submitted_plan(user, day: int):
    from crm.activities.models import WorkPlan
    from crm.activities.services.plans import plan_create
    from workflows.engine import transition

    plan = plan_create(
        tenant=user.tenant,
        actor=user,
        owner=user,
        kind="daily",
        period=dt.date(2026, 3, 1) + dt.timedelta(days=day),
        items=[{"text": f"计划{day}"}],
    )
    transition(model=WorkPlan, pk=plan.pk, name="submit", tenant=user.tenant, actor=user)
    return plan


def test_workbench_plans_waiting_for_the_leaders_review(admin, rep, sales_team):
    """The leader's approvals hold the team's submitted plans (their review), with a
    link to the plans to review; the query count does not grow with the plans."""
    leader = client_for(sales_team.leader)
    first = _submitted_plan(rep, 0)
    few, body = _queries(leader, "/api/v1/workbench/")
    approvals = body["panels"]["approvals"]
    assert {"kind": "plan", "id": first.pk} in [
        {"kind": r["kind"], "id": r["id"]} for r in approvals["results"]
    ]
    assert approvals["links"]["plans"] == "/plans/to-review"
    assert "李销售" in next(r["title"] for r in approvals["results"] if r["kind"] == "plan")
    for day in range(1, 8):
        _submitted_plan(rep, day)
    many, body = _queries(leader, "/api/v1/workbench/")
    plans = [r for r in body["panels"]["approvals"]["results"] if r["kind"] == "plan"]
    assert len(plans) == 8
    assert many == few, (few, many)
    # The rep leads no team: no plan of theirs waits for them.
    mine = client_for(rep).get("/api/v1/workbench/").json()["panels"]
    assert "approvals" not in mine


def test_workbench_events_link_opens_the_calendar_day(rep):
    body = client_for(rep).get("/api/v1/workbench/").json()
    assert body["panels"]["events"]["link"].startswith("/events/calendar?view=day&date=")


def test_overview_links_are_filters_the_lists_accept(admin, api):
    """Every section's link is a list filter the API applies: following it lists the
    customer's rows only (leads, quotes and payments included)."""
    from crm.customers import services as customer_services

    cust = f.customer(admin, name="三六零客户")
    other = f.customer(admin, name="别的客户")
    _fill_customer(admin, cust, 1)
    _fill_customer(admin, other, 1)
    customer_services.lead_create(
        tenant=admin.tenant, actor=admin, company_name="三六零客户", customer=cust
    )
    sections = api.get(f"/api/v1/customers/{cust.pk}/overview/").json()["sections"]
    assert sections["visits"]["link"] == f"/activities?customer={cust.pk}&kind=visit"
    for name, section in sections.items():
        path, query = section["link"].split("?", 1)
        listed = api.get(f"/api/v1{path}/?{query}&page_size=200")
        assert listed.status_code == 200, (name, listed.json())
        assert listed.json()["count"] == section["count"], name
    assert sections["leads"]["count"] == 1 and sections["quotes"]["count"] == 1


def test_workbench_times_are_in_the_time_zone_of_every_other_endpoint(admin, rep):
    """Was: the panels gave the database's UTC (``...Z``); every other endpoint
    answers in the active time zone (+08:00), as DRF's DateTimeField renders."""
    from crm.office.models import Announcement
    from workflows.engine import transition

    _fill_workbench(rep, 1)
    a = Announcement.objects.create(
        tenant=admin.tenant, title="时区公告", pinned=True, author=admin
    )
    transition(model=Announcement, pk=a.pk, name="publish", tenant=admin.tenant, actor=admin)
    client = client_for(rep)
    panels = client.get("/api/v1/workbench/").json()["panels"]
    shown = {
        ("tasks", "due_at"): "tasks",
        ("events", "start"): "events",
        ("follow_ups", "due_at"): "follow-ups",
        ("notifications", "created_at"): "notifications",
        ("announcements", "published_at"): "announcements",
    }
    for (panel, field), collection in shown.items():
        row = panels[panel]["results"][0]
        assert row[field].endswith("+08:00"), (panel, field, row[field])
        detail = client.get(f"/api/v1/{collection}/{row['id']}/")
        assert detail.status_code == 200, (collection, detail.content)
        assert row[field] == detail.json()[field], (panel, field)
    assert panels["events"]["results"][0]["end"] is None
