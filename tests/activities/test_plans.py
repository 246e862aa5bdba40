"""Work plans: draft -> submitted -> reviewed by the owner's team leader (not the
owner), frozen once reviewed; the daily "submit your plan" check on workdays after
the tenant's hour, once per user and day, also through a real worker."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from crm.activities.models import PlanNudge, WorkPlan
from crm.activities.services.plans import plan_create, remind_missing_plans
from crm.core.models import User
from tests.activities.helpers import move, titles
from tests.conftest import client_for, make_user
from workflows.models import Reminder
from workflows.plan import REVIEW_RULE

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _plan(client, **body):
    payload = {"kind": "daily", "period": "2026-03-02", "items": [{"text": "拜访华东客户"}]}
    response = client.post("/api/v1/plans/", {**payload, **body}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_submit_and_review_by_the_team_leader(admin, rep, sales_team):
    leader = sales_team.leader
    peer = make_user(admin, "销售经理", team=sales_team, name="同组经理")
    api = client_for(rep)
    plan = _plan(api, items=[{"text": "拜访客户", "customer": None}, {"text": "写方案"}])
    assert [i["text"] for i in plan["items"]] == ["拜访客户", "写方案"]
    url = f"/api/v1/plans/{plan['id']}/transitions"

    submitted = api.post(f"{url}/submit/", {}, format="json").json()
    assert submitted["status"] == "submitted"
    # The leader is told at once (a reminder due now), and sees it in ?to_review.
    (told,) = Reminder.objects.filter(object_id=plan["id"], rule=REVIEW_RULE)
    assert told.recipient_id == leader.pk
    waiting = client_for(leader).get("/api/v1/plans/", {"to_review": 1}).json()
    assert [p["id"] for p in waiting["results"]] == [plan["id"]]
    # A submitted plan is not edited any more.
    frozen = api.patch(f"/api/v1/plans/{plan['id']}/", {"items": []}, format="json")
    assert frozen.status_code == 409 and frozen.json()["code"] == "frozen"

    # Not the owner, not a peer who does not lead the team; a comment is required.
    for user in (rep, peer):
        refused = client_for(user).post(f"{url}/review/", {"review_comment": "好"}, format="json")
        assert refused.status_code in (400, 403), refused.content
    missing = client_for(leader).post(f"{url}/review/", {}, format="json")
    assert missing.status_code == 400 and missing.json()["code"] == "guard_failed"
    reviewed = client_for(leader).post(
        f"{url}/review/", {"review_comment": "重点跟进华东"}, format="json"
    )
    assert reviewed.status_code == 200, reviewed.content
    body = reviewed.json()
    assert body["status"] == "reviewed" and body["review_comment"] == "重点跟进华东"
    assert body["reviewer"] == leader.pk
    assert client_for(leader).delete(f"/api/v1/plans/{plan['id']}/").status_code == 409


def test_a_plan_without_items_is_not_submitted_and_periods_are_unique(rep):
    api = client_for(rep)
    plan = _plan(api, items=[])
    submit = f"/api/v1/plans/{plan['id']}/transitions/submit/?lang=en"
    refused = api.post(submit, {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["reasons"] == ["Add at least one item to the plan."]
    again = api.post("/api/v1/plans/", {"kind": "daily", "period": "2026-03-02"}, format="json")
    assert again.status_code == 400 and "period" in again.json()["fields"]
    weekly = _plan(api, kind="weekly", period="2026-03-05")  # a Thursday
    assert weekly["period"] == "2026-03-02"  # filed under its Monday


def test_missing_plan_check_once_per_user_and_day(admin, rep, sales_team):
    leader = sales_team.leader
    done = make_user(admin, "销售代表", team=sales_team, name="交了的")
    User.objects.filter(pk__in=[rep.pk, leader.pk, done.pk]).update(language="en")
    day = dt.date(2026, 3, 3)  # a Tuesday, a workday
    plan = plan_create(
        tenant=admin.tenant, actor=done, kind="daily", period=day, items=[{"text": "x"}]
    )
    move(plan, "submit", done)

    before = dt.datetime(2026, 3, 3, 9, 0, tzinfo=SH)  # before the default 10:00
    assert remind_missing_plans(now=before) == 0
    after = dt.datetime(2026, 3, 3, 10, 30, tzinfo=SH)
    told = remind_missing_plans(now=after)
    again = remind_missing_plans(now=after + dt.timedelta(hours=2))
    assert again == 0
    nudged = set(PlanNudge.objects.filter(day=day).values_list("user_id", flat=True))
    assert rep.pk in nudged and leader.pk in nudged and done.pk not in nudged
    assert told == len(nudged)
    assert titles(rep) == ["Submit your daily plan for 2026-03-03"]
    # A Sunday (no make-up workday) or a holiday: nobody is told.
    assert remind_missing_plans(now=dt.datetime(2026, 3, 8, 11, 0, tzinfo=SH)) == 0
    assert remind_missing_plans(now=dt.datetime(2026, 10, 1, 11, 0, tzinfo=SH)) == 0
    # The tenant's hour is read.
    tenant = admin.tenant
    tenant.settings = {**tenant.settings, "plan_submit_hour": 17}
    tenant.save(update_fields=["settings"])
    assert remind_missing_plans(now=dt.datetime(2026, 3, 4, 16, 0, tzinfo=SH)) == 0


@pytest.mark.django_db(transaction=True)
def test_the_worker_check_tells_each_once(worker, monkeypatch):
    from django.utils import timezone

    from tasks.plans import check_missing_plans
    from tests.conftest import make_company

    admin = make_company()
    rep = make_user(admin, "销售代表", name="小王")
    User.objects.filter(pk=rep.pk).update(language="en")
    moment = dt.datetime(2026, 3, 3, 11, 0, tzinfo=SH)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    for _ in range(2):
        check_missing_plans.send()
        worker.drain()
    assert titles(rep) == ["Submit your daily plan for 2026-03-03"]
    assert WorkPlan.objects.filter(owner=rep).count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_enqueues_the_check(worker, monkeypatch):
    """The scheduler's chore sends the check to a worker (not run in the loop itself)."""
    from django.utils import timezone

    from tasks.scheduler import housekeeping
    from tests.conftest import make_company

    admin = make_company()
    moment = dt.datetime(2026, 3, 3, 11, 0, tzinfo=SH)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    (chore,) = [c for c in housekeeping() if c.name == "plans"]
    chore.run_if_due()
    worker.drain()
    assert PlanNudge.objects.filter(user=admin, day=moment.date()).count() == 1
