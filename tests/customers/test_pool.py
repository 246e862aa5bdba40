"""The customer pool (客户公海): idle customers warn their owner, then return to the
pool by the worker as the system (exactly once); an activity or a completed
follow-up pushes the clock back; owners release with a reason; reps claim within
a daily cap; the list shows ``days_until_pool`` at a constant query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.activities.models import Notification
from crm.activities.services import activity_create
from crm.core import services as core
from crm.core.models import AuditEntry, DictionaryItem
from crm.customers.models import Customer, PoolLevelRule
from crm.customers.services import customer_create, customer_update
from tasks import scheduler
from tests.conftest import client_for, make_user
from workflows.engine import transition
from workflows.models import Reminder, TransitionLog

DAY = dt.timedelta(days=1)
SETTINGS = {
    "customer_pool_idle_days": 30,
    "customer_pool_warning_days": 5,
    "customer_daily_claim_cap": 2,
}


@pytest.fixture
def configured(admin):
    core.tenant_settings_update(tenant=admin.tenant, actor=admin, **SETTINGS)
    admin.tenant.refresh_from_db()
    return admin.tenant


def pending(customer) -> dict[str, Reminder]:
    found = Reminder.objects.filter(
        content_type=ContentType.objects.get_for_model(Customer),
        object_id=customer.pk,
        status=Reminder.Status.PENDING,
    )
    return {r.rule: r for r in found}


def new_customer(admin, owner, **extra) -> Customer:
    return customer_create(
        tenant=admin.tenant,
        actor=admin,
        name=extra.pop("name", "上海青松科技"),
        owner=owner,
        **extra,
    )


@pytest.mark.django_db
def test_a_new_customer_plans_the_warning_then_the_return(configured, admin, rep):
    customer = new_customer(admin, rep)
    assert customer.status == "owned" and customer.owned_since is not None
    found = pending(customer)
    assert {
        rule: (r.recipient_id, r.due_at - customer.owned_since) for rule, r in found.items()
    } == {
        "customer.pool_warning": (rep.pk, 25 * DAY),
        "customer.auto_pool": (rep.pk, 30 * DAY),
    }


@pytest.mark.django_db
def test_a_level_override_sets_the_idle_days(configured, admin, rep):
    level = DictionaryItem.objects.filter(tenant=admin.tenant, kind="level").first()
    PoolLevelRule.objects.create(tenant=admin.tenant, level=level, idle_days=60)
    admin.tenant.refresh_from_db()
    customer = new_customer(admin, rep, level=level)
    found = pending(customer)
    assert found["customer.auto_pool"].due_at - customer.owned_since == 60 * DAY
    assert found["customer.pool_warning"].due_at - customer.owned_since == 55 * DAY


@pytest.mark.django_db
def test_an_activity_and_a_new_owner_push_the_clock_back(configured, admin, rep, sales_team):
    customer = new_customer(admin, rep)
    old = pending(customer)
    later = customer.owned_since + 10 * DAY
    activity_create(
        tenant=admin.tenant,
        actor=rep,
        kind="visit",
        subject="拜访",
        customer=customer,
        occurred_at=later,
    )
    for row in old.values():
        row.refresh_from_db()
        assert row.status == Reminder.Status.CANCELLED
    assert pending(customer)["customer.auto_pool"].due_at == later + 30 * DAY
    other = make_user(admin, "销售代表", team=sales_team)
    customer.refresh_from_db()
    customer_update(customer, tenant=admin.tenant, actor=admin, owner=other)
    moved = pending(customer)
    assert {r.recipient_id for r in moved.values()} == {other.pk}
    assert moved["customer.auto_pool"].due_at == later + 30 * DAY  # the activity is newer


@pytest.mark.django_db
def test_a_completed_follow_up_pushes_the_clock_back(configured, admin, rep):
    from crm.service.services import followup_create

    customer = new_customer(admin, rep)
    before = pending(customer)["customer.auto_pool"]
    followup = followup_create(
        tenant=admin.tenant,
        actor=rep,
        customer=customer,
        owner=rep,
        subject="回访",
        due_at=timezone.now() + DAY,
    )
    transition(
        model=type(followup),
        pk=followup.pk,
        name="complete",
        tenant=admin.tenant,
        actor=rep,
        inputs={"outcome": "客户满意"},
    )
    before.refresh_from_db()
    assert before.status == Reminder.Status.CANCELLED
    customer.refresh_from_db()
    assert customer.last_activity_at is not None
    assert pending(customer)["customer.auto_pool"].due_at > before.due_at


@pytest.mark.django_db(transaction=True)
def test_warning_then_return_by_the_worker_exactly_once(configured, admin, rep, worker):
    customer = new_customer(admin, rep, name="成都天府软件有限公司")
    warning_due = pending(customer)["customer.pool_warning"].due_at
    pool_due = pending(customer)["customer.auto_pool"].due_at

    scheduler.tick(now=warning_due + dt.timedelta(seconds=1))
    worker.drain()
    customer.refresh_from_db()
    assert customer.status == "owned"
    notes = list(Notification.objects.filter(recipient=rep))
    assert len(notes) == 1 and "成都天府软件有限公司" in notes[0].title

    scheduler.tick(now=pool_due + dt.timedelta(seconds=1))
    scheduler.tick(now=pool_due + dt.timedelta(seconds=2))  # the tick runs twice
    worker.drain()
    customer.refresh_from_db()
    assert (customer.status, customer.owner_id) == ("pooled", None)
    assert customer.release_reason and customer.pooled_at is not None
    logs = TransitionLog.objects.filter(process="customer", object_id=customer.pk)
    assert [(t.transition, t.actor_id) for t in logs] == [("release", None)]
    assert Notification.objects.filter(recipient=rep).count() == 2
    assert pending(customer) == {}
    # a released customer keeps its history: its creation is still on record
    assert AuditEntry.objects.filter(object_id=customer.pk, action="create").exists()


@pytest.mark.django_db(transaction=True)
def test_a_new_activity_cancels_the_return(configured, admin, rep, worker):
    customer = new_customer(admin, rep)
    old = pending(customer)["customer.auto_pool"]
    activity_create(
        tenant=admin.tenant,
        actor=rep,
        kind="call",
        subject="电话",
        customer=customer,
        occurred_at=timezone.now() + 3 * DAY,
    )
    scheduler.tick(now=old.due_at + dt.timedelta(seconds=1))
    worker.drain()
    customer.refresh_from_db()
    assert (customer.status, customer.owner_id) == ("owned", rep.pk)
    assert not TransitionLog.objects.filter(process="customer", object_id=customer.pk).exists()


@pytest.mark.django_db
def test_release_needs_a_reason_and_keeps_the_history(configured, admin, rep):
    customer = new_customer(admin, rep)
    client = client_for(rep)
    url = f"/api/v1/customers/{customer.pk}/transitions/release/"
    refused = client.post(url + "?lang=en", {}, format="json")
    assert refused.status_code == 400, refused.content
    assert refused.json()["reasons"] == ["Give the reason for returning the customer to the pool."]
    done = client.post(url, {"reason": "客户已转向竞争对手"}, format="json")
    assert done.status_code == 200, done.content
    body = done.json()
    assert (body["status"], body["owner"], body["release_reason"]) == (
        "pooled",
        None,
        "客户已转向竞争对手",
    )
    history = client.get(f"/api/v1/customers/{customer.pk}/history/")
    assert history.status_code == 200
    assert len(history.json()) >= 2  # the creation and the release
    assert pending(customer) == {}


@pytest.mark.django_db
def test_claim_within_the_daily_cap(configured, admin, rep):
    pooled = []
    for i in range(3):
        customer = new_customer(admin, admin, name=f"公海客户{i}")
        transition(
            model=Customer,
            pk=customer.pk,
            name="release",
            tenant=admin.tenant,
            actor=admin,
            inputs={"reason": "闲置"},
        )
        pooled.append(customer)
    client = client_for(rep)
    listed = client.get("/api/v1/customers/?pool=true").json()
    assert {row["id"] for row in listed["results"]} == {c.pk for c in pooled}
    for customer in pooled[:2]:
        claimed = client.post(f"/api/v1/customers/{customer.pk}/transitions/claim/", {})
        assert claimed.status_code == 200, claimed.content
        assert (claimed.json()["status"], claimed.json()["owner"]) == ("owned", rep.pk)
    over = client.post(f"/api/v1/customers/{pooled[2].pk}/transitions/claim/?lang=en", {})
    assert over.status_code == 400, over.content
    assert over.json()["code"] == "guard_failed"
    assert "daily limit" in over.json()["reasons"][0]
    claimed = Customer.objects.get(pk=pooled[0].pk)
    assert set(pending(claimed)) == {"customer.pool_warning", "customer.auto_pool"}
    assert {r.recipient_id for r in pending(claimed).values()} == {rep.pk}


@pytest.mark.django_db
def test_an_owner_for_a_pooled_customer_is_refused(configured, admin, rep):
    customer = new_customer(admin, admin)
    transition(
        model=Customer,
        pk=customer.pk,
        name="release",
        tenant=admin.tenant,
        actor=admin,
        inputs={"reason": "闲置"},
    )
    response = client_for(admin).patch(
        f"/api/v1/customers/{customer.pk}/", {"owner": rep.pk}, format="json"
    )
    assert response.status_code == 400
    assert "owner" in response.json()["fields"]


@pytest.mark.django_db
def test_the_warning_must_come_before_the_return(admin):
    response = client_for(admin).patch(
        "/api/v1/settings/",
        {"customer_pool_idle_days": 10, "customer_pool_warning_days": 10},
        format="json",
    )
    assert response.status_code == 400
    assert "customer_pool_warning_days" in response.json()["fields"]


@pytest.mark.django_db
def test_days_until_pool_in_the_list_at_a_constant_query_count(configured, admin, rep):
    client = client_for(admin)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v1/customers/?page_size=200")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    new_customer(admin, rep, name="甲")
    few = count()
    for i in range(15):
        new_customer(admin, rep, name=f"客户{i}")
    assert count() == few
    rows = client.get("/api/v1/customers/").json()["results"]
    assert {row["days_until_pool"] for row in rows} == {30}
    # 20 days later: 10 left
    Reminder.objects.filter(rule="customer.auto_pool").update(
        due_at=timezone.now() + 10 * DAY - dt.timedelta(minutes=1)
    )
    assert {r["days_until_pool"] for r in client.get("/api/v1/customers/").json()["results"]} == {
        10
    }
