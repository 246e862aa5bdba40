"""Factories of tasks, calendar events and work plans for the endpoint walkers."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from crm.activities.models import CalendarEvent, Task, WorkPlan
from crm.activities.services import events, plans, tasks
from tests.core.factories import factory, n


def task_payload(admin):
    return {"title": f"任务{n()}", "priority": "high"}


@factory(Task, payload=task_payload)
def make_task(admin):
    return tasks.task_create(tenant=admin.tenant, actor=admin, title=f"任务{n()}")


def event_payload(admin):
    return {"title": f"日程{n()}", "start": (timezone.now() + dt.timedelta(days=1)).isoformat()}


@factory(CalendarEvent, payload=event_payload)
def make_event(admin):
    return events.event_create(
        tenant=admin.tenant,
        actor=admin,
        title=f"日程{n()}",
        start=timezone.now() + dt.timedelta(days=1),
    )


def _period() -> dt.date:
    return dt.date(2026, 1, 1) + dt.timedelta(days=n())


def plan_payload(admin):
    return {"kind": "daily", "period": _period().isoformat(), "items": [{"text": "拜访客户"}]}


@factory(WorkPlan, payload=plan_payload)
def make_plan(admin):
    return plans.plan_create(
        tenant=admin.tenant, actor=admin, kind="daily", period=_period(), items=[{"text": "拜访"}]
    )
