"""Tasks through the API: the process, guards, my/given views, filters, bulk complete,
and their reminders delivered by a real worker exactly once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from crm.activities.models import Task
from crm.activities.services.tasks import task_create
from crm.core.models import User
from tasks.scheduler import tick
from tests.activities.helpers import move, titles
from tests.conftest import client_for, make_user
from workflows.models import Reminder
from workflows.task import DUE_SOON_RULE, OVERDUE_RULE

pytestmark = pytest.mark.django_db


def _create(client, **body):
    response = client.post("/api/v1/tasks/", {"title": "给客户回电", **body}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_task_defaults_and_every_transition(rep):
    api = client_for(rep)
    task = _create(api, priority="urgent")
    assert task["assignee"] == rep.pk and task["assigner"] == rep.pk
    assert task["status"] == "open" and task["priority"] == "urgent"
    names = {t["name"] for t in task["transitions"]}
    assert names == {"start", "complete", "cancel"}
    url = f"/api/v1/tasks/{task['id']}/transitions"

    assert api.post(f"{url}/start/", {}, format="json").json()["status"] == "in_progress"
    done = api.post(f"{url}/complete/", {}, format="json").json()
    assert done["status"] == "done" and done["done_at"]
    # done -> open again, then cancelled: the reason is required.
    assert api.post(f"{url}/reopen/", {}, format="json").json()["status"] == "open"
    refused = api.post(f"{url}/cancel/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "guard_failed"
    cancelled = api.post(f"{url}/cancel/", {"reason": "客户取消"}, format="json").json()
    assert cancelled["status"] == "cancelled" and cancelled["cancel_reason"] == "客户取消"
    # A cancelled task is not reopened (only a done one is).
    assert api.post(f"{url}/reopen/", {}, format="json").status_code == 409


def test_cancel_inputs_are_declared_on_the_step(rep):
    task = _create(client_for(rep))
    cancel = next(t for t in task["transitions"] if t["name"] == "cancel")
    assert [(i["name"], i["required"]) for i in cancel["inputs"]] == [("reason", True)]


def test_mine_and_given_views_and_scope(admin, rep, sales_team):
    leader = sales_team.leader
    other = make_user(admin, "销售代表", name="外人")
    given = _create(client_for(leader), assignee=rep.pk, title="准备报价")
    own = _create(client_for(rep), title="自己的事")

    mine = client_for(rep).get("/api/v1/tasks/", {"mine": 1}).json()
    assert {t["id"] for t in mine["results"]} == {given["id"], own["id"]}
    gave = client_for(leader).get("/api/v1/tasks/", {"given": 1}).json()
    assert [t["id"] for t in gave["results"]] == [given["id"]]
    assert gave["results"][0]["assigner_name"] == leader.display_name
    # Someone outside the task sees neither (404, not 403) and cannot move it.
    outsider = client_for(other)
    assert outsider.get(f"/api/v1/tasks/{given['id']}/").status_code == 404
    assert outsider.get("/api/v1/tasks/").json()["count"] == 0


def test_filters_status_due_and_overdue(rep):
    api = client_for(rep)
    now = timezone.now()
    late = _create(api, title="逾期", due_at=(now - dt.timedelta(hours=2)).isoformat())
    soon = _create(api, title="明天", due_at=(now + dt.timedelta(days=1)).isoformat())
    done = _create(api, title="做完", due_at=(now - dt.timedelta(days=1)).isoformat())
    api.post(f"/api/v1/tasks/{done['id']}/transitions/complete/", {}, format="json")

    def ids(**params):
        return {t["id"] for t in api.get("/api/v1/tasks/", params).json()["results"]}

    assert ids(overdue="true") == {late["id"]}
    assert ids(status="done") == {done["id"]}
    assert ids(status=["open", "in_progress"]) == {late["id"], soon["id"]}
    assert ids(due_at_after=now.isoformat()) == {soon["id"]}


def test_bulk_complete_answers_per_id_in_one_request(admin, rep, other_admin):
    api = client_for(rep)
    first, second, gone = (_create(api, title=f"任务{i}") for i in range(3))
    api.post(f"/api/v1/tasks/{gone['id']}/transitions/cancel/", {"reason": "不做了"}, format="json")
    foreign = task_create(tenant=other_admin.tenant, actor=other_admin, title="别家的")

    response = api.post(
        "/api/v1/tasks/bulk-complete/",
        {"ids": [first["id"], second["id"], gone["id"], foreign.pk]},
        format="json",
    )
    assert response.status_code == 200, response.content
    by_id = {r["id"]: r for r in response.json()}
    assert by_id[first["id"]]["ok"] and by_id[second["id"]]["ok"]
    assert by_id[gone["id"]]["ok"] is False
    assert by_id[gone["id"]]["code"] == "invalid_transition"
    assert by_id[foreign.pk]["ok"] is False and by_id[foreign.pk]["code"] == "not_found"
    statuses = dict(Task.objects.filter(tenant=rep.tenant).values_list("pk", "status"))
    assert statuses == {first["id"]: "done", second["id"]: "done", gone["id"]: "cancelled"}
    assert Task.objects.get(pk=foreign.pk).status == "open"


def test_bulk_complete_refuses_a_bad_body(rep):
    response = client_for(rep).post("/api/v1/tasks/bulk-complete/", {"ids": "1"}, format="json")
    assert response.status_code == 400 and "ids" in response.json()["fields"]


def test_reminders_follow_the_due_moment_and_the_state(rep, sales_team):
    leader = sales_team.leader
    due = timezone.now() + dt.timedelta(days=2)
    task = task_create(tenant=rep.tenant, actor=leader, title="交付方案", assignee=rep, due_at=due)
    open_rows = Reminder.objects.filter(object_id=task.pk, rule__in=[DUE_SOON_RULE, OVERDUE_RULE])
    rows = {r.rule: r for r in open_rows}
    assert rows[DUE_SOON_RULE].recipient_id == rep.pk
    assert rows[DUE_SOON_RULE].due_at == due - dt.timedelta(minutes=60)
    assert rows[OVERDUE_RULE].recipient_id == leader.pk and rows[OVERDUE_RULE].due_at == due

    # A new due moment (PATCH) plans them again; the tenant's setting is read.
    tenant = rep.tenant
    tenant.settings = {**tenant.settings, "task_reminder_minutes": 30}
    tenant.save(update_fields=["settings"])
    later = due + dt.timedelta(days=1)
    response = client_for(leader).patch(
        f"/api/v1/tasks/{task.pk}/", {"due_at": later.isoformat()}, format="json"
    )
    assert response.status_code == 200, response.content
    pending = Reminder.objects.filter(object_id=task.pk, status="pending", rule=DUE_SOON_RULE)
    assert [r.due_at for r in pending] == [later - dt.timedelta(minutes=30)]
    assert Reminder.objects.get(pk=rows[DUE_SOON_RULE].pk).status == "cancelled"

    # Completing cancels what is still pending.
    move(Task.objects.get(pk=task.pk), "complete", rep)
    assert not Reminder.objects.filter(object_id=task.pk, status="pending").exists()


@pytest.mark.django_db(transaction=True)
def test_due_and_overdue_reminders_delivered_once_by_the_worker(worker):
    from crm.core import services
    from tests.conftest import make_company

    admin = make_company()
    leader = make_user(admin, "销售经理", name="经理")
    team = services.team_create(tenant=admin.tenant, actor=admin, name="一部", leader=leader)
    rep = make_user(admin, "销售代表", team=team, name="小李")
    User.objects.filter(pk__in=[leader.pk, rep.pk]).update(language="en")
    due = timezone.now() + dt.timedelta(minutes=30)  # inside the 60-minute warning
    task = task_create(
        tenant=admin.tenant, actor=leader, title="Call back", assignee=rep, due_at=due
    )
    # A second task completed before its reminders fall due: nothing is sent for it.
    quiet = task_create(tenant=admin.tenant, actor=leader, title="Quiet", assignee=rep, due_at=due)
    move(quiet, "complete", rep)

    now = timezone.now() + dt.timedelta(seconds=2)
    for _ in range(2):
        tick(now=now)
        worker.drain()
    assert titles(rep) == [f"Task “Call back” is due at {timezone.localtime(due):%m-%d %H:%M}"]
    assert titles(leader) == []

    # The task is overdue: the assigner hears of it, once.
    Task.objects.filter(pk=task.pk).update(due_at=timezone.now() - dt.timedelta(seconds=5))
    Reminder.objects.filter(object_id=task.pk, rule=OVERDUE_RULE).update(
        due_at=timezone.now() - dt.timedelta(seconds=5)
    )
    later = timezone.now() + dt.timedelta(seconds=2)
    for _ in range(2):
        tick(now=later)
        worker.drain()
    assert titles(leader) == ["Task “Call back” is overdue"]
    assert len(titles(rep)) == 1
    statuses = set(
        Reminder.objects.filter(object_id=quiet.pk, rule__startswith="task_").values_list(
            "status", flat=True
        )
    )
    assert statuses == {"cancelled"}
