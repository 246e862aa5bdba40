"""The demo company's daily office: tasks the manager gave, a weekly meeting and
visits in the calendar, daily plans, one waiting for the manager's review, and a
pinned announcement."""

import pytest
from django.utils import timezone

from crm.activities.models import CalendarEvent, Task, WorkPlan
from crm.core.models import User
from fixtures import demo
from tests.conftest import client_for


@pytest.mark.django_db
def test_demo_daily_office():
    demo.load()
    manager = User.objects.get(username="manager")
    rep = User.objects.get(username="rep1")
    assert Task.objects.filter(tenant=manager.tenant, assigner=manager).count() == 3
    assert CalendarEvent.objects.filter(tenant=manager.tenant, recurrence="weekly").count() == 1
    assert WorkPlan.objects.filter(tenant=manager.tenant, status="submitted").count() == 1

    waiting = client_for(manager).get("/api/v1/plans/", {"to_review": 1}).json()
    assert [p["owner"] for p in waiting["results"]] == [rep.pk]
    today = timezone.localdate().isoformat()
    week = client_for(rep).get("/api/v1/events/", {"start": today, "end": today}).json()
    assert "销售周例会" in [e["title"] for e in week["results"]]
    mine = client_for(rep).get("/api/v1/tasks/", {"mine": 1}).json()
    assert mine["count"] == 3

    # The morning workbench: the manager's approvals hold the submitted plan, the
    # rep's shows the pinned announcement.
    bench = client_for(manager).get("/api/v1/workbench/").json()["panels"]
    assert [r["kind"] for r in bench["approvals"]["results"]].count("plan") == 1
    pinned = client_for(rep).get("/api/v1/workbench/").json()["panels"]["announcements"]
    assert [r["title"] for r in pinned["results"]] == ["本月回款冲刺安排"]
