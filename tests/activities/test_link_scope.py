"""Linking an activity, task, event or plan item to a record follows the data scope.

A rep links only records they see (their own, the pool); a leader those of their
team; an all-scope user anything of the company. A record out of sight answers as
an id that does not exist (400, the field named), and nothing is written.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from crm.activities.models import Activity, CalendarEvent, Task, WorkPlan
from crm.activities.services import activity_create
from crm.customers.models import Customer
from crm.customers.services import customer_create, customer_update
from tests.conftest import client_for
from tests.link_scope import People, refused_as_missing, two_teams

pytestmark = pytest.mark.django_db

URL = "/api/v1/activities/"


@pytest.fixture
def people(admin, sales_team, rep) -> People:
    return two_teams(admin, sales_team, rep)


def _activity(customer_id: int, **extra) -> dict:
    return {"kind": "call", "subject": "电话回访", "customer": customer_id, **extra}


def test_rep_cannot_log_an_activity_on_another_reps_customer(people):
    theirs = people.records[("customer", "b")]
    response = client_for(people.rep_a).post(URL, _activity(theirs.pk), format="json")
    refused_as_missing(response, "customer")
    assert not Activity.objects.filter(customer=theirs).exists()


def test_the_refusal_reads_like_an_id_that_does_not_exist(people):
    """Out of scope and missing answer alike: the existence does not leak."""
    client = client_for(people.rep_a)
    hidden = client.post(URL, _activity(people.records[("customer", "b")].pk), format="json")
    missing = client.post(URL, _activity(999_999_999), format="json")
    assert hidden.status_code == missing.status_code == 400
    hidden_text = hidden.json()["fields"]["customer"][0]
    missing_text = missing.json()["fields"]["customer"][0]
    assert hidden_text.replace(str(people.records[("customer", "b")].pk), "#") == (
        missing_text.replace("999999999", "#")
    )


def test_rep_logs_an_activity_on_their_own_customer(people):
    mine = people.records[("customer", "a")]
    response = client_for(people.rep_a).post(URL, _activity(mine.pk), format="json")
    assert response.status_code == 201, response.content
    assert Activity.objects.get(pk=response.json()["id"]).customer_id == mine.pk


def test_rep_logs_an_activity_on_a_pool_customer(people):
    """The customer pool is visible to every rep (as on its list), so it may be linked."""
    pooled = people.records[("customer", "b")]
    Customer.objects.filter(pk=pooled.pk).update(owner=None)
    response = client_for(people.rep_a).post(URL, _activity(pooled.pk), format="json")
    assert response.status_code == 201, response.content


def test_leader_logs_an_activity_on_a_members_customer_but_not_another_teams(people):
    leader = client_for(people.leader)
    member = people.records[("customer", "a")]
    response = leader.post(URL, _activity(member.pk), format="json")
    assert response.status_code == 201, response.content
    outside = people.records[("customer", "b")]
    refused_as_missing(leader.post(URL, _activity(outside.pk), format="json"), "customer")
    assert not Activity.objects.filter(customer=outside).exists()


def test_admin_links_any_record_of_the_company(people):
    admin = client_for(people.admin)
    for kind in ("customer", "contact", "lead", "opportunity"):
        record = people.records[(kind, "b")]
        body = {"kind": "call", "subject": "电话", kind: record.pk}
        response = admin.post(URL, body, format="json")
        assert response.status_code == 201, (kind, response.content)


@pytest.mark.parametrize("kind", ["contact", "lead", "opportunity"])
def test_every_link_kind_follows_the_scope(people, kind):
    client = client_for(people.rep_a)
    theirs = people.records[(kind, "b")]
    response = client.post(URL, {"kind": "call", "subject": "电话", kind: theirs.pk}, format="json")
    refused_as_missing(response, kind)
    assert not Activity.objects.filter(**{kind: theirs}).exists()
    mine = people.records[(kind, "a")]
    response = client.post(URL, {"kind": "call", "subject": "电话", kind: mine.pk}, format="json")
    assert response.status_code == 201, response.content


def test_rep_cannot_move_their_activity_onto_another_reps_customer(people):
    mine, theirs = people.records[("customer", "a")], people.records[("customer", "b")]
    activity = activity_create(
        tenant=people.admin.tenant, actor=people.rep_a, kind="call", subject="电话", customer=mine
    )
    client = client_for(people.rep_a)
    response = client.patch(f"{URL}{activity.pk}/", {"customer": theirs.pk}, format="json")
    refused_as_missing(response, "customer")
    activity.refresh_from_db()
    assert activity.customer_id == mine.pk and activity.version == 1
    # The leader may move it onto a member's record (rep A is in the leader's team).
    other_mine = customer_create(tenant=people.admin.tenant, actor=people.rep_a, name="a的新客户")
    response = client_for(people.leader).patch(
        f"{URL}{activity.pk}/", {"customer": other_mine.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    activity.refresh_from_db()
    assert activity.customer_id == other_mine.pk


def test_an_unchanged_link_out_of_scope_still_saves(people):
    """The edit form sends every field back: a customer moved to a colleague since the
    activity was logged does not block editing the activity's other fields."""
    mine = people.records[("customer", "a")]
    activity = activity_create(
        tenant=people.admin.tenant, actor=people.rep_a, kind="call", subject="电话", customer=mine
    )
    Customer.objects.filter(pk=mine.pk).update(owner=people.rep_b)
    response = client_for(people.rep_a).patch(
        f"{URL}{activity.pk}/", {"subject": "改了主题", "customer": mine.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    activity.refresh_from_db()
    assert activity.subject == "改了主题" and activity.customer_id == mine.pk


def test_tasks_events_and_plan_items_follow_the_scope(people):
    client = client_for(people.rep_a)
    theirs, mine = people.records[("customer", "b")], people.records[("customer", "a")]
    start = (timezone.now() + dt.timedelta(days=1)).isoformat()
    cases = [
        ("/api/v1/tasks/", Task, lambda c: {"title": "回访", "customer": c}),
        (
            "/api/v1/events/",
            CalendarEvent,
            lambda c: {"title": "拜访", "start": start, "customer": c},
        ),
    ]
    for url, model, body in cases:
        refused_as_missing(client.post(url, body(theirs.pk), format="json"), "customer")
        assert not model.objects.filter(customer=theirs).exists()
        response = client.post(url, body(mine.pk), format="json")
        assert response.status_code == 201, (url, response.content)
    plan = {
        "kind": "daily",
        "period": "2026-03-02",
        "items": [{"text": "拜访", "customer": theirs.pk}],
    }
    response = client.post("/api/v1/plans/", plan, format="json")
    assert response.status_code == 400, response.content
    assert "items" in response.json()["fields"]
    assert not WorkPlan.objects.filter(owner=people.rep_a).exists()
    plan["items"][0]["customer"] = mine.pk
    assert client.post("/api/v1/plans/", plan, format="json").status_code == 201


def test_a_plan_saved_again_keeps_its_items_links(people):
    """Plan items are saved as a whole list: an item on a customer since moved to a
    colleague is kept; a new item on a record out of sight is still refused."""
    client = client_for(people.rep_a)
    mine = people.records[("customer", "a")]
    plan = {
        "kind": "daily",
        "period": "2026-03-03",
        "items": [{"text": "拜访", "customer": mine.pk}],
    }
    created = client.post("/api/v1/plans/", plan, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    customer_update(mine, tenant=mine.tenant, actor=people.admin, owner=people.rep_b)
    assert client.get(f"/api/v1/customers/{mine.pk}/").status_code == 404  # out of sight now
    items = [{"text": "拜访", "customer": mine.pk}, {"text": "写周报"}]
    saved = client.patch(f"/api/v1/plans/{pk}/", {"items": items}, format="json")
    assert saved.status_code == 200, saved.content
    assert [(i["text"], i["customer"]) for i in saved.json()["items"]] == [
        ("拜访", mine.pk),
        ("写周报", None),
    ]
    theirs = people.records[("lead", "b")]
    items.append({"text": "跟进线索", "lead": theirs.pk})
    refused = client.patch(f"/api/v1/plans/{pk}/", {"items": items}, format="json")
    assert refused.status_code == 400, refused.content
    assert "items" in refused.json()["fields"]
    assert WorkPlan.objects.get(pk=pk).items.count() == 2
