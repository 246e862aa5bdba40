"""The lists of tasks, events (also a range query of a recurring series) and plans
answer in a number of queries that does not grow with the rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.activities.services.events import event_create
from crm.activities.services.plans import plan_create
from crm.activities.services.tasks import task_create
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db


def _count(client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def _add(leader, rep, n: int, offset: int) -> None:
    start = timezone.now() + dt.timedelta(days=1)
    for i in range(n):
        task_create(tenant=rep.tenant, actor=leader, title=f"任务{offset + i}", assignee=rep)
        event_create(
            tenant=rep.tenant,
            actor=rep,
            title=f"日程{offset + i}",
            start=start,
            invitees=[leader],
            recurrence="daily",
            recurrence_count=5,
        )
        plan_create(
            tenant=rep.tenant,
            actor=rep,
            kind="daily",
            period=dt.date(2026, 1, 1) + dt.timedelta(days=offset + i),
            items=[{"text": "拜访"}],
        )


@pytest.mark.parametrize(
    "url,params",
    [
        ("/api/v1/tasks/", {"page_size": 200}),
        ("/api/v1/tasks/", {"mine": 1}),
        ("/api/v1/events/", {"page_size": 200}),
        ("/api/v1/events/", {"start": "2026-01-01", "end": "2026-03-31"}),
        ("/api/v1/plans/", {"page_size": 200}),
    ],
)
def test_list_queries_do_not_grow(admin, sales_team, url, params):
    leader = sales_team.leader
    rep = make_user(admin, "销售代表", team=sales_team, name="小张")
    if "start" in params:  # a range around the events made below
        today = timezone.localdate()
        params = {"start": today.isoformat(), "end": (today + dt.timedelta(days=30)).isoformat()}
    _add(leader, rep, 2, 0)
    few = _count(client_for(leader), url, params)
    _add(leader, rep, 10, 100)
    assert _count(client_for(leader), url, params) == few
